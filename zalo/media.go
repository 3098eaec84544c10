package zalo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// mediaKind is what a downloaded file must be.
type mediaKind int

const (
	noKind mediaKind = iota
	photoKind
	voiceKind
)

func (k mediaKind) String() string {
	switch k {
	case photoKind:
		return "photo"
	case voiceKind:
		return "voice note"
	}
	return "file"
}

// check refuses a content type that is not of kind: a photo must be
// image/*; a voice note audio/*, or application/octet-stream (how a plain
// file server labels .aac) when its URL ends in .aac.
func (k mediaKind) check(contentType, rawURL string) error {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	switch {
	case k == photoKind && strings.HasPrefix(mt, "image/"):
		return nil
	case k == voiceKind && strings.HasPrefix(mt, "audio/"):
		return nil
	case k == voiceKind && mt == "application/octet-stream" && strings.EqualFold(urlExt(rawURL), ".aac"):
		return nil
	case k == noKind:
		return nil
	}
	return fmt.Errorf("zalo: a %s of content type %q", k, contentType)
}

// extension is the stored file's extension.
func (k mediaKind) extension(contentType, rawURL string) string {
	if k == voiceKind {
		return ".aac"
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "image/jpeg", "image/jpg", "image/pjpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/heic":
		return ".heic"
	}
	if ext := strings.ToLower(urlExt(rawURL)); len(ext) >= 2 && len(ext) <= 5 && isAlnum(ext[1:]) {
		return ext
	}
	return ".img"
}

func isAlnum(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

func urlExt(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return path.Ext(u.Path)
}

// host is what a log line or an error names of rawURL: its host, not the
// whole address of someone's photo.
func host(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "an address that cannot be read"
}

// get downloads rawURL, at most limit bytes, refusing a content type that
// check refuses before reading the body. Errors name the host only.
func (b *Bot) get(ctx context.Context, rawURL string, limit int64, check func(contentType string) error) ([]byte, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, "", errors.New("zalo: download: not an http(s) URL")
	}
	where := host(rawURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, "", fmt.Errorf("zalo: download from %s: a bad request", where)
	}
	resp, err := b.media.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text quotes the whole URL
		}
		return nil, "", fmt.Errorf("zalo: download from %s: %s", where, b.scrub(err.Error()))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("zalo: download from %s: HTTP %s", where, resp.Status)
	}
	ctype := resp.Header.Get("Content-Type")
	if check != nil {
		if err := check(ctype); err != nil {
			return nil, ctype, err
		}
	}
	if resp.ContentLength > limit {
		return nil, ctype, fmt.Errorf("zalo: download from %s: %d bytes, more than %d", where, resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, ctype, fmt.Errorf("zalo: download from %s: %s", where, b.scrub(err.Error()))
	}
	if int64(len(data)) > limit {
		return nil, ctype, fmt.Errorf("zalo: download from %s: more than %d bytes", where, limit)
	}
	return data, ctype, nil
}

// fetch downloads a photo or voice note a user sent and keeps it under
// MediaDir by its content's hash (MediaDir/ab/abcdef….jpg): the same file
// sent twice is stored once. The directories are 0700 and the files 0600:
// they are evidence of incidents and people's voices. It returns the
// stored file's path.
func (b *Bot) fetch(ctx context.Context, rawURL string, kind mediaKind) (string, error) {
	data, ctype, err := b.get(ctx, rawURL, b.cfg.MaxDownload, func(ct string) error { return kind.check(ct, rawURL) })
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	name := hex.EncodeToString(sum[:])
	dir := filepath.Join(b.cfg.MediaDir, name[:2])
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("zalo: keep a %s: %w", kind, err)
	}
	final := filepath.Join(dir, name+kind.extension(ctype, rawURL))
	if _, err := os.Stat(final); err == nil {
		return final, nil
	}
	tmp, err := os.CreateTemp(dir, ".part-*") // 0600
	if err != nil {
		return "", fmt.Errorf("zalo: keep a %s: %w", kind, err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), final)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("zalo: keep a %s: %w", kind, err)
	}
	return final, nil
}

// Download returns a file a user sent, as the dispatcher asks for it: a
// photo or voice note stored under MediaDir (the path the adapter handed
// on), or a URL (one whose download failed when it arrived). It reads at
// most MaxDownload bytes, and nothing outside MediaDir.
func (b *Bot) Download(ctx context.Context, file string) ([]byte, error) {
	if strings.HasPrefix(file, "https://") || strings.HasPrefix(file, "http://") {
		data, _, err := b.get(ctx, file, b.cfg.MaxDownload, nil)
		return data, err
	}
	if b.cfg.MediaDir == "" {
		return nil, errors.New("zalo: download: no media directory")
	}
	rel, err := filepath.Rel(b.cfg.MediaDir, file)
	if err != nil || !filepath.IsLocal(rel) {
		return nil, errors.New("zalo: download: not a file the adapter stored")
	}
	root, err := os.OpenRoot(b.cfg.MediaDir)
	if err != nil {
		return nil, fmt.Errorf("zalo: download: %w", err)
	}
	defer root.Close()
	f, err := root.Open(rel) // a link out of MediaDir is refused too
	if err != nil {
		return nil, fmt.Errorf("zalo: download: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, b.cfg.MaxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("zalo: download: %w", err)
	}
	if int64(len(data)) > b.cfg.MaxDownload {
		return nil, fmt.Errorf("zalo: download: the file is more than %d bytes", b.cfg.MaxDownload)
	}
	return data, nil
}
