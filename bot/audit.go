package bot

import (
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// maxAuditDetail is the longest detail an audit entry keeps, in
// characters: enough for a command and its arguments, not for a flood.
const maxAuditDetail = 200

// refusalWindow is how long repeated refusals of one kind for one person
// are counted rather than written one by one.
const refusalWindow = 10 * time.Minute

// audit records an action of the caller's. Refusals ("refused.*")
// repeated by the same person within refusalWindow are counted, and the
// next entry written says how many there were.
func (d *Dispatcher) audit(tx Tx, in Inbound, action, area, detail string, now time.Time) error {
	if strings.HasPrefix(action, "refused.") {
		write, skipped, since := d.refusals.note(string(in.From)+" "+action, now)
		if !write {
			return nil
		}
		if skipped > 0 {
			detail = fmt.Sprintf("(+%d like it since %s) %s", skipped, since.In(d.Location).Format("15:04 02/01/2006"), detail)
		}
	}
	return tx.Audit(AuditEntry{At: now.UTC(), Who: string(in.From), Action: action, Area: area, Detail: truncate(detail, maxAuditDetail)})
}

// truncate cuts s to at most n characters, marking the cut, and never
// keeps invalid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// refusals counts repeated refusals, in memory: a restart only means one
// more entry written.
type refusals struct {
	mu sync.Mutex
	m  map[string]*refusal
}

type refusal struct {
	written time.Time // when an entry was last written
	skipped int       // refusals since, not written
}

// note records a refusal under key at now and says whether to write it,
// with how many were skipped since the last one written and when that was.
func (r *refusals) note(key string, now time.Time) (write bool, skipped int, since time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]*refusal{}
	}
	f := r.m[key]
	if f != nil && now.Sub(f.written) < refusalWindow {
		f.skipped++
		return false, 0, time.Time{}
	}
	if len(r.m) > 10000 {
		for k, old := range r.m {
			if now.Sub(old.written) >= refusalWindow {
				delete(r.m, k)
			}
		}
	}
	if f != nil {
		skipped, since = f.skipped, f.written
	}
	r.m[key] = &refusal{written: now}
	return true, skipped, since
}
