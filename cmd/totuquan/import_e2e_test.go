package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// bigAreas returns an area file of about size bytes: communes under PT,
// ten villages each, ten groups in each village; and how many areas.
func bigAreas(size int) (string, int) {
	var b strings.Builder
	b.WriteString("code,name,level,parent_code,households\n")
	n := 0
	for c := 0; b.Len() < size; c++ {
		commune := fmt.Sprintf("PT-X%03d", c)
		fmt.Fprintf(&b, "%s,Xã số %d huyện Tân Sơn,xa,PT,\n", commune, c)
		n++
		for v := 0; v < 10 && b.Len() < size; v++ {
			village := fmt.Sprintf("%s-T%d", commune, v)
			fmt.Fprintf(&b, "%s,Thôn %d xã số %d huyện Tân Sơn,thon,%s,\n", village, v, c, commune)
			n++
			for g := 0; g < 10 && b.Len() < size; g++ {
				fmt.Fprintf(&b, "%s-%d,Tổ tự quản số %d thôn %d xã số %d huyện Tân Sơn,to,%s,%d\n", village, g, g, v, c, village, 30+g)
				n++
			}
		}
	}
	return b.String(), n
}

// loopAreas returns an area file of about size bytes: a chain of groups,
// each under the next one down the file, and the last two each other's
// parent; and the line and code of the first of those two.
func loopAreas(size int) (file string, line int, first string) {
	var b strings.Builder
	b.WriteString("code,name,level,parent_code\n")
	i := 0
	for ; b.Len() < size; i++ {
		fmt.Fprintf(&b, "L%05d,Tổ tự quản số %d xóm Đồng Bãi xã Tân Lạc,to,L%05d\n", i, i, i+1)
	}
	// L<i> is under L<i-1>, which is on line i+1.
	fmt.Fprintf(&b, "L%05d,Tổ tự quản số %d xóm Đồng Bãi xã Tân Lạc,to,L%05d\n", i, i, i-1)
	return b.String(), i + 1, fmt.Sprintf("L%05d", i-1)
}

// Ensure an admin's area file of about 1 MB sent from the chat is imported
// while the bot goes on answering a leader whose message came in the same
// poll, and that a file as big with a parent loop at its end is refused by
// its line just as the leader is answered: the file is read and checked
// outside the write lock, in time linear in its rows.
func TestAreasImportBigFileFromChat(t *testing.T) {
	e := newEnv(t)
	code, _ := e.invite("-group", "PT-TL-XB-T1")
	e.start()
	lan := e.user(501, "Lan").say("/start " + code)
	admin := e.user(900, "Admin")

	both := func(file string) {
		t.Helper()
		// Stopped, so that the file and the leader's message come in one
		// poll and are handled side by side.
		e.stop()
		e.fake.SendDocument(admin.u, "diaban.csv", []byte(file), "")
		e.fake.SendText(lan.u, "/trogiup")
		e.start()
		e.sent = 2
		e.settle()
		lan.expect("Anh/chị là tổ trưởng của Tổ tự quản số 1 xóm Bãi")
	}

	good, n := bigAreas(1_000_000)
	both(good)
	admin.expect(fmt.Sprintf("Đã nhập %d địa bàn (%d mới, 0 cập nhật).", n, n))

	bad, line, first := loopAreas(1_000_000)
	both(bad)
	admin.expect("Tệp địa bàn có lỗi, chưa nhập gì", fmt.Sprintf("line %d: %s is inside itself (a parent loop: %s → ", line, first, first))
	e.stop()

	if out := e.cli("audit", "-config", e.cfgPath); strings.Count(out, "\tareas.import\t") != 2 || !strings.Contains(out, fmt.Sprintf("diaban.csv: %d new, 0 updated, by chat", n)) {
		t.Errorf("audit:\n%s", out)
	}
	// The big file's last group takes invites; nothing of the bad one does.
	e.invite("-group", "PT-X001-T9-9")
	if _, err := e.try("invite", "-config", e.cfgPath, "-group", "L00000"); err == nil || !strings.Contains(err.Error(), "no area with code L00000") {
		t.Errorf("an area of the refused file: %v", err)
	}
}

// Ensure the command line refuses the same big file with a loop by its
// line and imports nothing of it, and imports a good big file, audited.
func TestAreasImportBigFileCLI(t *testing.T) {
	e := newEnv(t)
	bad, line, first := loopAreas(1_000_000)
	path := filepath.Join(e.dir, "loop.csv")
	os.WriteFile(path, []byte(bad), 0o600)
	_, err := e.try("areas", "import", "-config", e.cfgPath, path)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("line %d: %s is inside itself", line, first)) || !strings.Contains(err.Error(), "chưa nhập gì") {
		t.Errorf("err = %.300v", err)
	}
	good, n := bigAreas(1_000_000)
	os.WriteFile(path, []byte(good), 0o600)
	if out := e.cli("areas", "import", "-config", e.cfgPath, path); !strings.Contains(out, fmt.Sprintf("Đã nhập %d địa bàn (%d mới, 0 cập nhật)", n, n)) {
		t.Errorf("output = %q", out)
	}
	if out := e.cli("audit", "-config", e.cfgPath); strings.Count(out, "\tareas.import\t") != 2 { // the setup's and this one
		t.Errorf("audit:\n%s", out)
	}
}

// Ensure an area file from the chat with a code that is not UTF-8 (a file
// saved in another encoding, which read as Windows-1258 has "û", no
// Vietnamese letter) is refused by its line, in a reply that reaches the
// admin, and nothing of it is imported.
func TestAreasFromChatNotUTF8(t *testing.T) {
	e := newEnv(t)
	e.start()
	admin := e.user(900, "Admin")
	file := "code,name,level,parent_code\nPT-TL-XM,Xóm Mới,thon,PT-TL\nPT-TL-X\xe3,X\xf3m C\xfb,thon,PT-TL\n" // Windows-1258 bytes on line 3
	e.fake.SendDocument(admin.u, "diaban.csv", []byte(file), "")
	e.sent++
	e.settle()
	admin.expect("Tệp địa bàn có lỗi, chưa nhập gì", "line 3: byte 0xE3 is not UTF-8 text")
	admin.say("/diaban")
	if tree := admin.last(); strings.Contains(tree, "Xóm Mới") || strings.ContainsRune(tree, utf8.RuneError) {
		t.Errorf("the refused file's areas are in the tree:\n%s", tree)
	}
}
