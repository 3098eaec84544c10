package zalo_test

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/zalo"
)

// Ensure photos and voice notes are downloaded as they arrive and handed
// on as stored files: the same image twice is stored once, files are 0600
// in 0700 directories; an image over the cap, or of another content type,
// is refused and its URL handed on with a warning; a voice note served as
// application/octet-stream is taken for its .aac name. Download then
// gives a stored file back, capped, and nothing outside the media
// directory.
func TestDownloads(t *testing.T) {
	fake := newFake(t, fakeapiOptions())
	media := filepath.Join(t.TempDir(), "media")
	rec := &recorder{}
	var buf syncBuffer
	cfg := config(fake, rec, openStore(t))
	cfg.MediaDir, cfg.MaxDownload = media, 1000
	cfg.Log = slog.New(slog.NewTextHandler(&buf, nil))
	z, _, _ := start(t, cfg)
	small := bytes.Repeat([]byte("ảnh"), 100) // 400 bytes
	hoa := userOf("hoa")
	same := fake.ServeFile("a.jpg", "image/jpeg", small)
	again := fake.ServeFile("b.jpg", "image/jpeg; charset=binary", small)
	big := fake.ServeFile("big.jpg", "image/jpeg", bytes.Repeat([]byte("x"), 1001))
	page := fake.ServeFile("page.jpg", "text/html", []byte("<html>"))
	voice := fake.ServeFile("giong.aac", "application/octet-stream", aac[:500])
	notVoice := fake.ServeFile("tep.bin", "application/octet-stream", aac[:500])
	chunked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		for range 4 { // no Content-Length: the cap is found while reading
			w.Write(bytes.Repeat([]byte("p"), 500))
			w.(http.Flusher).Flush()
		}
	}))
	defer chunked.Close()
	fake.SendImage(hoa, same, "một")
	fake.SendImage(hoa, again, "hai")
	fake.SendImage(hoa, big, "lớn")
	fake.SendImage(hoa, page, "trang")
	fake.SendVoice(hoa, voice)
	fake.SendVoice(hoa, notVoice)
	fake.SendImage(hoa, chunked.URL+"/lon.png", "không rõ cỡ")
	eventually(t, "seven updates", func() bool { return len(rec.all()) == 7 })
	got := rec.all()

	if got[0].Photo == "" || got[0].Photo != got[1].Photo || !strings.HasPrefix(got[0].Photo, media+string(filepath.Separator)) || !strings.HasSuffix(got[0].Photo, ".jpg") {
		t.Errorf("the same image twice went on as %q and %q", got[0].Photo, got[1].Photo)
	}
	if got[2].Photo != big || got[3].Photo != page || got[6].Photo != chunked.URL+"/lon.png" {
		t.Errorf("refused images went on as %q, %q and %q, want their URLs", got[2].Photo, got[3].Photo, got[6].Photo)
	}
	if !strings.HasPrefix(got[4].Voice, media) || got[5].Voice != notVoice {
		t.Errorf("voice notes went on as %q and %q", got[4].Voice, got[5].Voice)
	}
	if fake.Fetches("big.jpg") != 1 || fake.Fetches("a.jpg") != 1 {
		t.Errorf("fetched big.jpg %d times, a.jpg %d times", fake.Fetches("big.jpg"), fake.Fetches("a.jpg"))
	}
	if log := buf.String(); strings.Count(log, "could not be downloaded") != 4 || strings.Contains(log, "big.jpg") || !strings.Contains(log, "level=WARN") {
		t.Errorf("the warnings (four, naming the host, not the file):\n%s", log)
	}

	if files := storedFiles(t, media); len(files) != 2 {
		t.Errorf("stored %q, want the image and the voice note", files)
	}
	checkDownload(t, z, media, got[0].Photo, small, same, big)
}

// storedFiles returns the files under media, checking that files are 0600
// and directories 0700.
func storedFiles(t *testing.T, media string) []string {
	t.Helper()
	var files []string
	filepath.WalkDir(media, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		info, _ := d.Info()
		switch {
		case d.IsDir() && info.Mode().Perm() != 0o700:
			t.Errorf("%s is %v, want 0700", path, info.Mode().Perm())
		case !d.IsDir() && info.Mode().Perm() != 0o600:
			t.Errorf("%s is %v, want 0600", path, info.Mode().Perm())
		case !d.IsDir():
			files = append(files, path)
		}
		return nil
	})
	return files
}

// checkDownload checks that Download gives back the stored photo and a
// URL's file, refuses a URL over the cap, and reads nothing outside the
// media directory, by path or through a link.
func checkDownload(t *testing.T, z *zalo.Bot, media, photo string, data []byte, url, bigURL string) {
	t.Helper()
	ctx := context.Background()
	if got, err := z.Download(ctx, photo); err != nil || !bytes.Equal(got, data) {
		t.Errorf("Download(stored photo) = %d bytes, %v", len(got), err)
	}
	if got, err := z.Download(ctx, url); err != nil || !bytes.Equal(got, data) {
		t.Errorf("Download(URL) = %d bytes, %v", len(got), err)
	}
	if _, err := z.Download(ctx, bigURL); err == nil {
		t.Error("Download of a URL over the cap succeeded")
	}
	outside := filepath.Join(filepath.Dir(media), "t.db")
	os.WriteFile(outside, []byte("secret"), 0o600)
	link := filepath.Join(filepath.Dir(photo), "link.jpg")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{outside, filepath.Join(media, "..", "t.db"), "/etc/passwd", link, "ftp://example.com/a.jpg"} {
		if got, err := z.Download(ctx, file); err == nil {
			t.Errorf("Download(%q) gave %q", file, got)
		}
	}
}

// Ensure a message whose content Zalo withheld (the sender belongs to a
// protected group) is not handed on: the adapter queues one polite answer
// itself, wakes the sender, and answers the same chat at most once an
// hour.
func TestWithheldAnswered(t *testing.T) {
	fake := newFake(t, fakeapiOptions())
	st := openStore(t)
	rec := &recorder{}
	var notified atomic.Int32
	cfg := config(fake, rec, st)
	cfg.Notify = func() { notified.Add(1) }
	start(t, cfg)
	lan := userOf("lan")
	fake.SendUnsupported(lan)
	fake.SendUnsupported(lan)
	fake.SendText(lan, "sau cùng")
	eventually(t, "the text", func() bool { return len(rec.all()) == 1 })
	if got := rec.all(); got[0].Text != "sau cùng" {
		t.Errorf("handed on %+v", got)
	}
	chat := bot.NewAddress(zalo.Platform, lan.ID)
	if got := outbox(t, st, chat); len(got) != 1 || got[0] != zalo.WithheldText || notified.Load() != 1 {
		t.Errorf("queued %q, notified %d times", got, notified.Load())
	}
	eventually(t, "an empty inbox", func() bool { return len(inbox(t, st)) == 0 })
}
