package bot

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/totuquan/totuquan/vntext"
)

// areaSeeds are area files as Excel and people save them, and broken ones.
func areaSeeds() []string {
	good := "code,name,level,parent_code,households,retired\n" +
		"PT,Tỉnh Phú Thọ,tinh,,,\nPT-TL,Xã Tân Lạc,xa,PT,,\nPT-TL-01,Tổ 1,to,PT-TL,45,\nPT-TL-02,\"Tổ 2, khu Đông\",to,PT-TL,,có\n"
	return []string{
		good,
		"\ufeff" + good,
		strings.ReplaceAll(good, ",", ";"),
		strings.ReplaceAll(good, ",", "\t"),
		strings.ReplaceAll(good, "\n", "\r\n"),
		"code,name,level,parent_code\nA,Ấp A,ap,\nB,Tổ B,to,A\n\n,,,\n",
		"code,name,level,parent_code\nA,Ấp A,ap,B\nB,Tổ B,to,A\n",
		"code,name,level,parent_code\nA,Ấp A,ap,A\n",
		"code,name,level,parent_code\nA B,Ấp,ap,\nC/D,Tổ,to,\n",
		"code,name,level,parent_code\nA,Ấp,ap,\nA,Ấp lại,ap,\n",
		"code,name,level,parent_code,households\nA,Ấp,ap,,-3\nB,Tổ,to,A,nhiều\n",
		"code,name,level,parent_code\n\"A\nB\",Ấp,ap,\n",
		"code,name,level,parent_code\nA\u00a0B,Ấp,ap,\n",
		"code,name,level,parent_code\nA\x00,Ấp\u202e,ap,\n",
		"code,name,level\nA,B,C\n",
		"",
		"\xff\xfe" + "c\x00o\x00d\x00e\x00,\x00n\x00a\x00m\x00e\x00,\x00l\x00e\x00v\x00e\x00l\x00,\x00p\x00a\x00r\x00e\x00n\x00t\x00_\x00c\x00o\x00d\x00e\x00\n\x00A\x00,\x00B\x00,\x00C\x00,\x00\n\x00",
		"\xff\xfe\x00\xd8",
		"code,name,level,parent_code\nA,T\xf4\xcc\x89 1,to,\n", // Windows-1258: "Tổ 1"
		"code,name,level,parent_code\nA,\xed\xa0\x80,to,\n",
		"PK\x03\x04",
		"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
		intoLoopRows(70),
		"code,name,level,parent_code\n" + strings.Repeat("X,\"", 2000),
	}
}

// intoLoopRows is a chain of n areas, each the child of the next: deeper
// than the tree allows once n passes 64.
func intoLoopRows(n int) string {
	var b strings.Builder
	b.WriteString("code,name,level,parent_code\n")
	for i := range n {
		parent := ""
		if i < n-1 {
			parent = "C" + strconv.Itoa(i+1)
		}
		b.WriteString("C" + strconv.Itoa(i) + ",Tổ " + strconv.Itoa(i) + ",to," + parent + "\n")
	}
	return b.String()
}

// fuzzKnown are the areas already stored when a fuzzed file is imported.
var fuzzKnown = map[string]Area{
	"PT":    {Code: "PT", Name: "Tỉnh Phú Thọ", Level: "tinh"},
	"PT-TL": {Code: "PT-TL", Name: "Xã Tân Lạc", Level: "xa", Parent: "PT"},
}

// Ensure an area file, whatever its bytes, is refused with EINVALID or
// gives a tree as checkParsedAreas asserts.
func FuzzParseAreas(f *testing.F) {
	for _, s := range areaSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		areas, err := ParseAreas(bytes.NewReader(data), fuzzKnown)
		checkParsedAreas(t, data, areas, err, fuzzKnown)
	})
}

// checkParsedAreas asserts what ParseAreas promises of areas read from
// data among known: a refusal is EINVALID and returns nothing; a tree has
// codes that are unique, NFC, trimmed, valid UTF-8 and typeable as one word
// of a command (no space, line break or slash), names, parents that exist
// in the file or the store, no parent loop, at most maxDepth levels, and
// counts of households that are not negative; and the tree written back as
// CSV reads the same.
func checkParsedAreas(t *testing.T, data []byte, areas []Area, err error, known map[string]Area) {
	t.Helper()
	if err != nil {
		if ErrorCode(err) != EINVALID || areas != nil {
			t.Fatalf("ParseAreas(%q) = %d areas, %v: not a refusal with EINVALID", short(data), len(areas), err)
		}
		return
	}
	if len(areas) == 0 {
		t.Fatalf("ParseAreas(%q) = no areas, no error", short(data))
	}
	byCode := map[string]Area{}
	for _, a := range areas {
		switch {
		case a.Code == "" || a.Name == "":
			t.Fatalf("ParseAreas(%q): area %+v without a code or a name", short(data), a)
		case !utf8.ValidString(a.Code + a.Name + a.Level + a.Parent):
			t.Fatalf("ParseAreas(%q): area %+v is not UTF-8", short(data), a)
		case vntext.NFC(a.Code) != a.Code || vntext.NFC(a.Name) != a.Name || vntext.NFC(a.Parent) != a.Parent:
			t.Fatalf("ParseAreas(%q): area %+v is not NFC and trimmed", short(data), a)
		case len(strings.Fields(a.Code)) != 1 || strings.Contains(a.Code, "/"):
			t.Fatalf("ParseAreas(%q): code %q cannot be typed as a command's argument", short(data), a.Code)
		case a.Households < 0:
			t.Fatalf("ParseAreas(%q): %+v has fewer than no households", short(data), a)
		case a.Parent == a.Code:
			t.Fatalf("ParseAreas(%q): %+v is its own parent", short(data), a)
		}
		if _, dup := byCode[a.Code]; dup {
			t.Fatalf("ParseAreas(%q): code %q twice", short(data), a.Code)
		}
		byCode[a.Code] = a
	}
	parent := func(code string) (string, bool) {
		if a, ok := byCode[code]; ok {
			return a.Parent, true
		}
		a, ok := known[code]
		return a.Parent, ok
	}
	for _, a := range areas {
		depth, code := 1, a.Code
		for {
			p, _ := parent(code)
			if p == "" {
				break
			}
			if _, ok := parent(p); !ok {
				t.Fatalf("ParseAreas(%q): %s has the unknown parent %s", short(data), code, p)
			}
			if depth++; depth > maxDepth {
				t.Fatalf("ParseAreas(%q): %s is more than %d levels deep, or in a loop", short(data), a.Code, maxDepth)
			}
			code = p
		}
	}

	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(areaColumns)
	for _, a := range areas {
		retired := ""
		if a.Retired {
			retired = "yes"
		}
		w.Write([]string{a.Code, a.Name, a.Level, a.Parent, strconv.Itoa(a.Households), retired})
	}
	w.Flush()
	back, err := ParseAreas(bytes.NewReader(b.Bytes()), known)
	if err != nil || !slices.Equal(back, areas) {
		t.Fatalf("ParseAreas(%q) = %+v, written back as CSV %q reads as %+v, %v", short(data), areas, short(b.Bytes()), back, err)
	}
}

func short(b []byte) string {
	if len(b) > 200 {
		return string(b[:100]) + "…" + string(b[len(b)-100:])
	}
	return string(b)
}
