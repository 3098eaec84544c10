package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/store"
)

// Ensure a file link serves its file to whoever holds it until it expires,
// and nothing once it has expired, for an unknown token, or when the
// person it was made for has been deactivated since.
func TestFileLinks(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "bot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 30, 0, 30, 0, 0, time.UTC)
	official := bot.User{Address: "zalo:cong", Role: bot.RoleOfficial, Group: "X"}
	var token, other string
	st.Update(func(tx bot.Tx) error {
		tx.PutUser(official)
		tx.PutUser(bot.User{Address: "zalo:gone", Role: bot.RoleOfficial, Group: "X", Deactivated: true})
		token, _ = bot.PublishFile(tx, bot.Document{Name: "tonghop-X-2026-W48.csv", Data: []byte("id,kind\n")}, official.Address, now)
		other, err = bot.PublishFile(tx, bot.Document{Name: "x.csv", Data: []byte("secret")}, "zalo:gone", now)
		return err
	})
	clock := now
	srv := httptest.NewServer(fileHandler(st, func() time.Time { return clock }))
	defer srv.Close()
	get := func(path string) (int, string, http.Header) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), resp.Header
	}
	if code, body, h := get(filePath + token); code != 200 || body != "id,kind\n" || h.Get("Content-Disposition") != `attachment; filename=tonghop-X-2026-W48.csv` {
		t.Errorf("GET the link = %d %q %v", code, body, h)
	}
	if code, body, _ := get(filePath + other); code != 404 || body == "secret" {
		t.Errorf("a deactivated official's link = %d %q", code, body)
	}
	if code, _, _ := get(filePath + "notatoken"); code != 404 {
		t.Errorf("an unknown token = %d", code)
	}
	clock = now.Add(bot.FileValidity)
	if code, _, _ := get(filePath + token); code != 410 {
		t.Errorf("an expired link = %d", code)
	}
	st.Update(func(tx bot.Tx) error { return tx.ForgetFiles(clock.Add(time.Second)) })
	if code, _, _ := get(filePath + token); code != 404 {
		t.Errorf("a forgotten link = %d", code)
	}
}
