package bot

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// FileValidity is how long a file link works.
const FileValidity = 7 * 24 * time.Hour

// StoredFile is a document (an export, a summary's CSV, a chart) kept for
// one person to fetch by an unguessable link, on a platform that cannot
// send files.
type StoredFile struct {
	Token   string    `json:"token"`
	Name    string    `json:"name"`
	Data    []byte    `json:"data"`
	For     Address   `json:"for"`
	Expires time.Time `json:"expires"`
}

// PublishFile keeps doc for the person at chat and returns its token:
// 32 random bytes, so a link cannot be guessed.
func PublishFile(tx Tx, doc Document, chat Address, now time.Time) (string, error) {
	b := make([]byte, 32)
	rand.Read(b) // never fails on the platforms Go supports
	f := StoredFile{Token: base64.RawURLEncoding.EncodeToString(b), Name: doc.Name, Data: doc.Data, For: chat, Expires: now.Add(FileValidity).UTC()}
	return f.Token, tx.PutFile(f)
}

// OpenFile returns the file of token if it may still be fetched now: not
// expired, and the person it was made for still allowed to see it (an
// official deactivated since gets nothing). Anything else is ENOTFOUND or
// EEXPIRED, and says no more.
func OpenFile(tx Tx, token string, now time.Time) (StoredFile, error) {
	f, err := tx.File(token)
	if err != nil {
		return StoredFile{}, err
	}
	if !now.Before(f.Expires) {
		return StoredFile{}, Errorf(EEXPIRED, "file link expired")
	}
	u, err := tx.User(f.For)
	if IsNotFound(err) || (err == nil && !u.Active()) {
		return StoredFile{}, Errorf(ENOTFOUND, "file not found")
	} else if err != nil {
		return StoredFile{}, err
	}
	return f, nil
}
