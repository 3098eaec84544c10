package main

import (
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/totuquan/totuquan/bot"
)

// filePath is where file links are served: <public_url>/f/<token>.
const filePath = "/f/"

// fileHandler serves the files kept for people on platforms that cannot
// send files (an official's export on Zalo), by their unguessable token,
// checked as it is fetched: an expired link or one whose person may no
// longer see it gets a plain refusal that says nothing of the file.
func fileHandler(st bot.Store, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		token := strings.TrimPrefix(r.URL.Path, filePath)
		var f bot.StoredFile
		err := st.View(func(tx bot.Tx) (err error) { f, err = bot.OpenFile(tx, token, now()); return })
		switch bot.ErrorCode(err) {
		case "":
		case bot.EEXPIRED:
			http.Error(w, "this link has expired", http.StatusGone)
			return
		case bot.ENOTFOUND:
			http.NotFound(w, r)
			return
		default:
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		typ := mime.TypeByExtension(filepath.Ext(f.Name))
		if typ == "" {
			typ = "application/octet-stream"
		}
		w.Header().Set("Content-Type", typ)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(f.Data)
	})
}
