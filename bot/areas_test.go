package bot_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
)

const areaHeader = "code,name,level,parent_code\n"

// intoLoop returns n CSV rows C00000 … Cn-1, each the child of the next
// one down the file, and the last two each other's parent: a chain of n-2
// areas leading into a loop of two, the worst case for a walk up from each
// area.
func intoLoop(n int) string {
	var b strings.Builder
	for i := range n {
		parent := fmt.Sprintf("C%05d", i+1)
		if i == n-1 {
			parent = fmt.Sprintf("C%05d", n-2)
		}
		fmt.Fprintf(&b, "C%05d,Tổ %d,to,%s\n", i, i, parent)
	}
	return b.String()
}

// Ensure a parent loop at the end of a very long chain is refused, naming
// the line of the loop's first area once, and that the check does not walk
// the chain again from every area (20,000 areas: the old check took minutes).
func TestParseAreasLongLoop(t *testing.T) {
	// C19998 (line 20000) and C19999 are each other's parent; the 19,998
	// areas above them lead into the loop.
	_, err := bot.ParseAreas(strings.NewReader(areaHeader+intoLoop(20000)), nil)
	if err == nil || bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("err = %v, want the loop refused", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "line 20000: C19998 is inside itself (a parent loop: C19998 → C19999 → C19998)") || strings.Count(msg, "parent loop") != 1 {
		t.Errorf("err = %.300s, want one loop named at line 20000", msg)
	}
}

// Ensure loops are found whatever their shape: two areas, a loop through a
// stored area, and a loop reached from outside it (named by its own first
// line, not by the areas leading into it).
func TestParseAreasLoops(t *testing.T) {
	known := map[string]bot.Area{"K": {Code: "K", Name: "Xã", Level: "xa"}, "K1": {Code: "K1", Name: "Thôn", Level: "thon", Parent: "K"}}
	for _, tc := range []struct{ name, rows, want string }{
		{"pair", "A,A,x,B\nB,B,x,A\n", "line 2: A is inside itself (a parent loop: A → B → A)"},
		{"through stored", "K,Xã,xa,K1\n", "line 2: K is inside itself (a parent loop: K → K1 → K)"},
		{"reached from outside", "T,T,x,L2\nL1,L1,x,L2\nL2,L2,x,L1\n", "line 3: L1 is inside itself (a parent loop: L1 → L2 → L1)"},
		{"long", "A,A,x,F\nB,B,x,A\nC,C,x,B\nD,D,x,C\nE,E,x,D\nF,F,x,E\n", "line 2: A is inside itself (a parent loop: A → F → E → … → B → A, 6 areas)"},
	} {
		_, err := bot.ParseAreas(strings.NewReader(areaHeader+tc.rows), known)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Count(err.Error(), "parent loop") != 1 {
			t.Errorf("%s: err = %v, want %q once", tc.name, err, tc.want)
		}
	}
}

// BenchmarkParseAreas parses and checks a 20,000-row area file: a tree of
// the usual four levels, and the worst case for the loop check, one chain
// of 20,000 areas in a loop.
//
//	go test ./bot -run '^$' -bench ParseAreas -benchtime 20x
func BenchmarkParseAreas(b *testing.B) {
	var tree strings.Builder
	tree.WriteString(areaHeader + "P,Tỉnh Phú Thọ,tinh,\n")
	rows := 1
	for c := 0; rows < 20000; c++ {
		commune := fmt.Sprintf("P-X%03d", c)
		fmt.Fprintf(&tree, "%s,Xã số %d,xa,P\n", commune, c)
		rows++
		for v := 0; v < 10 && rows < 20000; v++ {
			village := fmt.Sprintf("%s-T%02d", commune, v)
			fmt.Fprintf(&tree, "%s,Thôn %d xã số %d,thon,%s\n", village, v, c, commune)
			rows++
			for g := 0; g < 10 && rows < 20000; g++ {
				fmt.Fprintf(&tree, "%s-%02d,Tổ tự quản số %d thôn %d,to,%s\n", village, g, g, v, village)
				rows++
			}
		}
	}
	for _, bc := range []struct {
		name, file string
		ok         bool
	}{
		{"tree", tree.String(), true},
		{"loop", areaHeader + intoLoop(20000), false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.file)))
			for b.Loop() {
				_, err := bot.ParseAreas(strings.NewReader(bc.file), nil)
				if (err == nil) != bc.ok {
					b.Fatalf("err = %.200v", err)
				}
			}
		})
	}
}

// down returns n CSV rows D00 … Dn-1 under parent, each the parent of the
// next: n levels.
func down(n int, prefix, parent string) string {
	var b strings.Builder
	for i := range n {
		code := fmt.Sprintf("%s%02d", prefix, i)
		fmt.Fprintf(&b, "%s,Cấp %d,cap,%s\n", code, i, parent)
		parent = code
	}
	return b.String()
}

// Ensure a tree deeper than the 64 levels that alerts and exports follow
// is refused, naming the first area too deep, counting the stored areas
// above and below the file's.
func TestParseAreasDepth(t *testing.T) {
	if _, err := bot.ParseAreas(strings.NewReader(areaHeader+down(64, "D", "")), nil); err != nil {
		t.Errorf("64 levels: %v", err)
	}
	// 66 levels; the file lists the deepest area first, on line 2.
	_, err := bot.ParseAreas(strings.NewReader(areaHeader+"X,Cấp 66,cap,D64\n"+down(65, "D", "")), nil)
	if err == nil || !strings.Contains(err.Error(), "line 2: X is 66 levels deep, more than 64") || strings.Count(err.Error(), "levels deep") != 1 {
		t.Errorf("66 levels: err = %v, want line 2 named once", err)
	}

	// 60 stored levels, and a file of 5 more below them.
	known := map[string]bot.Area{}
	parent := ""
	for i := range 60 {
		code := fmt.Sprintf("K%02d", i)
		known[code] = bot.Area{Code: code, Name: code, Level: "cap", Parent: parent}
		parent = code
	}
	if _, err := bot.ParseAreas(strings.NewReader(areaHeader+down(4, "F", "K59")), known); err != nil {
		t.Errorf("60 stored and 4 new levels: %v", err)
	}
	_, err = bot.ParseAreas(strings.NewReader(areaHeader+down(5, "F", "K59")), known)
	if err == nil || !strings.Contains(err.Error(), "line 6: F04 is 65 levels deep, more than 64") {
		t.Errorf("60 stored and 5 new levels: err = %v", err)
	}
	// Moving the stored root of those 60 levels under five new ones.
	_, err = bot.ParseAreas(strings.NewReader(areaHeader+down(5, "N", "")+"K00,K00,cap,N04\n"), known)
	if err == nil || !strings.Contains(err.Error(), "line 7: moving K00 puts K59 65 levels deep, more than 64") {
		t.Errorf("stored tree moved down: err = %v", err)
	}
}

// watchedStore counts write transactions and knows when one is open; next,
// if set, runs once just before the next write transaction starts, as if
// another admin's change had got in first.
type watchedStore struct {
	bot.Store
	mu      sync.Mutex
	writes  int
	writing bool
	next    func()
}

func (s *watchedStore) Update(fn func(bot.Tx) error) error { return s.write(s.Store.Update, fn) }
func (s *watchedStore) Batch(fn func(bot.Tx) error) error  { return s.write(s.Store.Batch, fn) }

func (s *watchedStore) write(run func(func(bot.Tx) error) error, fn func(bot.Tx) error) error {
	s.mu.Lock()
	next := s.next
	s.next = nil
	s.mu.Unlock()
	if next != nil {
		next()
	}
	return run(func(tx bot.Tx) error {
		s.mu.Lock()
		s.writes++
		s.writing = true
		s.mu.Unlock()
		defer func() { s.mu.Lock(); s.writing = false; s.mu.Unlock() }()
		return fn(tx)
	})
}

func (s *watchedStore) inWrite() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writing
}

// watchedReader reports each read of the file to seen.
type watchedReader struct {
	r    io.Reader
	seen func()
}

func (w watchedReader) Read(p []byte) (int, error) { w.seen(); return w.r.Read(p) }

func areaCodes(t *testing.T, st bot.Store) map[string]bot.Area {
	t.Helper()
	out := map[string]bot.Area{}
	st.View(func(tx bot.Tx) error {
		areas, err := tx.Areas()
		for _, a := range areas {
			out[a.Code] = a
		}
		return err
	})
	return out
}

// Ensure an area file is read and checked with no write transaction open,
// however big, and then stored in one write transaction with its audit.
func TestImportAreasOutsideWriteLock(t *testing.T) {
	st := &watchedStore{Store: mustOpen(t)}
	big := areaHeader + "P,Tỉnh,tinh,\n" + down(60, "D", "P")
	readInWrite := false
	r := watchedReader{strings.NewReader(big), func() { readInWrite = readInWrite || st.inWrite() }}
	audited := false
	added, updated, err := bot.ImportAreas(st, r, func(tx bot.Tx, added, updated int) error {
		audited = st.inWrite()
		return tx.Audit(bot.AuditEntry{At: now, Who: "test", Action: "areas.import", Detail: fmt.Sprint(added, updated)})
	})
	if err != nil || added != 61 || updated != 0 {
		t.Fatalf("ImportAreas = %d, %d, %v", added, updated, err)
	}
	if readInWrite || st.writes != 1 || !audited {
		t.Errorf("read in a write transaction %v, %d write transactions, audited in it %v; want false, 1, true", readInWrite, st.writes, audited)
	}
	// A bad file takes no write transaction at all.
	_, _, err = bot.ImportAreas(st, strings.NewReader(areaHeader+intoLoop(2000)), nil)
	if bot.ErrorCode(err) != bot.EINVALID || st.writes != 1 {
		t.Errorf("loop: err = %.100v, %d write transactions", err, st.writes)
	}
}

// Ensure a change to the tree between the check and the write is checked
// again: one that makes the file's areas too deep refuses the whole file,
// one that does not lets it in, counted against the tree as it now is.
func TestImportAreasTreeChanged(t *testing.T) {
	st := &watchedStore{Store: mustOpen(t)}
	if _, _, err := bot.ImportAreas(st, strings.NewReader(areaHeader+"A,Xã A,xa,\n"), nil); err != nil {
		t.Fatal(err)
	}
	// Meanwhile another import puts A under 62 levels: B under A is the
	// 64th level, C under B the 65th.
	st.next = func() {
		if _, _, err := bot.ImportAreas(st.Store, strings.NewReader(areaHeader+down(62, "D", "")+"A,Xã A,xa,D61\n"), nil); err != nil {
			t.Error(err)
		}
	}
	_, _, err := bot.ImportAreas(st, strings.NewReader(areaHeader+"B,Thôn B,thon,A\nC,Tổ C,to,B\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "line 3: C is 65 levels deep") {
		t.Errorf("err = %v, want C refused", err)
	}
	if got := areaCodes(t, st); len(got) != 63 || got["A"].Parent != "D61" {
		t.Errorf("%d areas stored, A = %+v; want the other import's 63 and nothing of the refused file", len(got), got["A"])
	}

	st.next = func() {
		if _, _, err := bot.ImportAreas(st.Store, strings.NewReader(areaHeader+"X,Xã X,xa,\n"), nil); err != nil {
			t.Error(err)
		}
	}
	added, updated, err := bot.ImportAreas(st, strings.NewReader(areaHeader+"B,Thôn B,thon,A\nX,Xã X mới,xa,\n"), nil)
	if err != nil || added != 1 || updated != 1 {
		t.Errorf("ImportAreas = %d, %d, %v; want B new and X updated", added, updated, err)
	}
	if got := areaCodes(t, st); got["B"].Parent != "A" || got["X"].Name != "Xã X mới" {
		t.Errorf("B = %+v, X = %+v", got["B"], got["X"])
	}
}

// Ensure an admin's area file from the chat that is refused takes no write
// transaction: a big bad file cannot hold up other chats.
func TestImportFromChatRefusedWithoutWriting(t *testing.T) {
	st := &watchedStore{Store: mustOpen(t)}
	d := dispatcher(st, flows.New(time.UTC, time.Hour))
	admin := bot.Address("telegram:900")
	d.Admins = map[bot.Address]bool{admin: true}
	file := []byte(areaHeader + intoLoop(2000))
	d.Downloads = map[string]func(context.Context, string) ([]byte, error){"telegram": func(context.Context, string) ([]byte, error) { return file, nil }}
	in := bot.Inbound{UpdateKey: "telegram:m:900:1", Chat: admin, From: admin, Document: "doc-1", DocumentName: "diaban.csv"}
	if _, err := d.Handle(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	items := pending(t, st)
	if len(items) != 1 || !strings.Contains(items[0].Msg.Text, "line 2000: C01998 is inside itself") {
		t.Fatalf("outbox = %+v", items)
	}
	// The update's own transaction, then the one queueing the reply.
	if st.writes != 2 {
		t.Errorf("%d write transactions, want 2: the refused file took one", st.writes)
	}
}

// Ensure a file with many bad rows is refused with the first 50 errors and
// a count of the rest, not a message as long as the file.
func TestParseAreasManyErrors(t *testing.T) {
	var rows strings.Builder
	for i := range 60 {
		fmt.Fprintf(&rows, "A%d,,to,\n", i)
	}
	_, err := bot.ParseAreas(strings.NewReader(areaHeader+rows.String()), nil)
	if err == nil || strings.Count(err.Error(), "missing name") != 50 || !strings.HasSuffix(err.Error(), "line 51: missing name for A49\n… and 10 more errors") {
		t.Errorf("err = %v", err)
	}
}

// Ensure text that is not UTF-8, in any column, is refused by its line,
// with nothing returned, when it is not Vietnamese in Windows-1258 either
// (ÿ, 0xFF there, is no Vietnamese letter); the message itself stays
// UTF-8, one line long however many rows are bad.
func TestParseAreasInvalidUTF8(t *testing.T) {
	header := "code,name,level,parent_code,households,retired\n"
	good := "P,Tỉnh,tinh,,,\n" // line 2
	for i, row := range []string{"P\xff1,Xã,xa,P,,", "P2,X\xff,xa,P,,", "P3,Xã,x\xff,P,,", "P4,Xã,xa,P\xff,,", "P5,Xã,xa,P,4\xff,", "P6,Xã,xa,P,,c\xff"} {
		rows := good + strings.Repeat("P,Xã,xa,,,\n", i) + row + "\nR,X\xff,xa,P,,\n"
		areas, err := bot.ParseAreas(strings.NewReader(header+rows), nil)
		if want := fmt.Sprintf("line %d: byte 0xFF is not UTF-8 text", i+3); err == nil || !strings.HasPrefix(err.Error(), want) || areas != nil {
			t.Errorf("%q: %v, want %q", row, err, want)
			continue
		}
		if !utf8.ValidString(err.Error()) || strings.Contains(err.Error(), "\n") {
			t.Errorf("err = %q, want one line of valid UTF-8", err)
		}
	}
}

// Ensure codes are compared in NFC once trimmed, as the chat sends what
// people type: a code written decomposed (NFD) in one row and composed in
// another is one code, stored composed; "không" decomposed means no.
func TestParseAreasNFC(t *testing.T) {
	nfd, nfc := "Xa\u0303-1", "Xã-1"
	known := map[string]bot.Area{"TỈNH": {Code: "TỈNH", Name: "Tỉnh", Level: "tinh"}}
	file := "code,name,level,parent_code,households,retired\n" +
		" " + nfd + " ,Xã một,xa,TI\u0309NH,,kho\u0302ng\n" +
		"T1,Tổ một,to," + nfc + ",,\n"
	areas, err := bot.ParseAreas(strings.NewReader(file), known)
	if err != nil {
		t.Fatal(err)
	}
	if areas[0].Code != nfc || areas[0].Parent != "TỈNH" || areas[0].Retired || areas[1].Parent != nfc {
		t.Errorf("areas = %+v", areas)
	}
	_, err = bot.ParseAreas(strings.NewReader(areaHeader+nfd+",A,x,\n"+nfc+",B,x,\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "line 3: duplicate code "+nfc+" (first on line 2)") {
		t.Errorf("err = %v", err)
	}
}
