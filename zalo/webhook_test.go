package zalo_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/zalo"
	"github.com/totuquan/totuquan/zalo/fakeapi"
)

func post(t *testing.T, url, secret, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set(zalo.SecretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// Ensure the webhook takes only deliveries with the secret token, caps
// their size, answers probes, reads wrapped and bare bodies, and applies
// a duplicate delivery once.
func TestWebhookHandler(t *testing.T) {
	fake := newFake(t, fakeapiOptions())
	st := openStore(t)
	a := &applier{st: st}
	cfg := config(fake, a, st)
	cfg.Mode, cfg.WebhookSecret = zalo.ModeWebhook, secretToken
	b, _, _ := start(t, cfg)
	srv := httptest.NewServer(b.WebhookHandler())
	defer srv.Close()
	text := func(id, text string) string {
		return `{"event_name":"message.text.received","message":{"message_id":"` + id + `","date":1750316131602,` +
			lanFrom + `,` + lanChat + `,"text":"` + text + `"}}`
	}
	nothingStored := func(what string) {
		t.Helper()
		time.Sleep(20 * time.Millisecond)
		if n := len(inbox(t, st)); n != 0 {
			t.Errorf("%s: %d updates in the inbox", what, n)
		}
		if calls, _ := a.count(); calls != 0 {
			t.Errorf("%s: the handler was called %d times", what, calls)
		}
	}

	for _, tc := range []struct {
		name, secret, body string
		want               int
	}{
		{"MissingSecret", "", text("m1", "không có mã"), http.StatusUnauthorized},
		{"WrongSecret", "s3cret-webhook-tokeN", text("m1", "sai mã"), http.StatusForbidden},
		{"ShortWrongSecret", "x", text("m1", "sai mã"), http.StatusForbidden},
		{"TooLarge", secretToken, text("m1", strings.Repeat("a", zalo.MaxWebhookBody)), http.StatusRequestEntityTooLarge},
		{"NotJSON", secretToken, "<html>", http.StatusBadRequest},
		{"UndecodableUpdate", secretToken, `{"event_name":"message.text.received","message":{"message_id":"m9","text":42}}`, http.StatusOK},
		{"EmptyProbe", secretToken, "", http.StatusOK},
		{"EmptyProbeWithoutSecret", "", "", http.StatusOK},
		{"EmptyObject", secretToken, "{}", http.StatusOK},
		{"EnvelopeWithoutResult", secretToken, `{"ok":true}`, http.StatusOK},
	} {
		if got := post(t, srv.URL, tc.secret, tc.body); got != tc.want {
			t.Errorf("%s: HTTP %d, want %d", tc.name, got, tc.want)
		}
		nothingStored(tc.name)
	}
	if resp, err := http.Get(srv.URL); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("a GET probe: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	nothingStored("GetProbe")

	// The same update three times, bare and wrapped: applied once.
	for _, body := range []string{text("m2", "một lần"), `{"ok":true,"result":` + text("m2", "một lần") + `}`, text("m2", "một lần")} {
		if got := post(t, srv.URL, secretToken, body); got != http.StatusOK {
			t.Errorf("a delivery: HTTP %d", got)
		}
	}
	post(t, srv.URL, secretToken, `{"ok":true,"result":`+text("m3", "sau cùng")+`}`)
	eventually(t, "the last update", func() bool { _, n := a.count(); return n >= 2 })
	time.Sleep(20 * time.Millisecond)
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.applied) != 2 || a.applied[0].Text != "một lần" || a.applied[1].Text != "sau cùng" {
		t.Errorf("applied %+v", a.applied)
	}
	if a.calls > 4 {
		t.Errorf("the handler was called %d times for 2 updates", a.calls)
	}
}

// Ensure Zalo's own deliveries reach the handler through SetWebhook, a
// duplicate delivery is applied once, and DeleteWebhook goes back to
// polling.
func TestSetWebhookSwitches(t *testing.T) {
	fake := newFake(t, fakeapi.Options{WrapWebhook: true})
	st := openStore(t)
	a := &applier{st: st}
	cfg := config(fake, a, st)
	cfg.WebhookSecret = secretToken // polling first
	b, _, _ := start(t, cfg)
	lan := userOf("lan")
	fake.SendText(lan, "qua getUpdates")
	eventually(t, "the polled update", func() bool { _, n := a.count(); return n == 1 })

	serveWebhook(t, b)
	if hook, secret := fake.Webhook(); !strings.HasSuffix(hook, "/zalo") || secret != secretToken {
		t.Fatalf("the webhook is %q with secret %q", hook, secret)
	}
	polls := fake.Calls("getUpdates")
	fake.DuplicateNext()
	fake.SendText(lan, "qua webhook")
	eventually(t, "the delivery and its duplicate", func() bool { ok, _ := fake.Delivered(); return ok == 2 })
	eventually(t, "the delivered update", func() bool { _, n := a.count(); return n == 2 })

	if err := b.DeleteWebhook(context.Background()); err != nil {
		t.Fatal(err)
	}
	fake.SendText(lan, "lại getUpdates")
	eventually(t, "polling again", func() bool { _, n := a.count(); return n == 3 })
	if fake.Calls("getUpdates") <= polls {
		t.Error("no poll after DeleteWebhook")
	}
	time.Sleep(20 * time.Millisecond)
	a.mu.Lock()
	defer a.mu.Unlock()
	var texts []string
	for _, in := range a.applied {
		texts = append(texts, in.Text)
	}
	if strings.Join(texts, "|") != "qua getUpdates|qua webhook|lại getUpdates" {
		t.Errorf("applied %q", texts)
	}
	if url, err := b.WebhookInfo(context.Background()); err != nil || url != "" {
		t.Errorf("WebhookInfo after DeleteWebhook = %q, %v", url, err)
	}
}

// Ensure polling deletes a webhook left set, before its first poll, since
// Zalo refuses getUpdates while one is set.
func TestPollingDeletesWebhook(t *testing.T) {
	fake := newFake(t, fakeapiOptions())
	hook := httptest.NewServer(http.NotFoundHandler())
	defer hook.Close()
	resp, err := http.Post(fake.APIBase()+"/bot"+fake.Token()+"/setWebhook", "application/json",
		strings.NewReader(`{"url":"`+hook.URL+`","secret_token":"`+secretToken+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	st := openStore(t)
	a := &applier{st: st}
	start(t, config(fake, a, st))
	// Until it is deleted, Zalo delivers to the webhook.
	eventually(t, "the webhook deleted", func() bool { hook, _ := fake.Webhook(); return hook == "" })
	fake.SendText(userOf("lan"), "xin chào")
	eventually(t, "the update", func() bool { _, n := a.count(); return n == 1 })
	var methods []string
	for _, r := range fake.Requests() {
		if r.Method != "setWebhook" && (len(methods) == 0 || methods[len(methods)-1] != r.Method) {
			methods = append(methods, r.Method)
		}
	}
	if len(methods) < 3 || strings.Join(methods[:3], ",") != "getMe,deleteWebhook,getUpdates" {
		t.Errorf("calls %q", methods)
	}
}
