package bot

import (
	"strings"
	"testing"

	"github.com/totuquan/totuquan/i18n"
)

// Ensure help can never disagree with what is routed: every role a command
// is for lists it in that role's help, in both languages, and every help
// line names a command of the table that the role may run.
func TestHelpFollowsTheTable(t *testing.T) {
	roles := map[string]audience{"leader": forLeaders, "official": forOfficials, "admin": forAdmins}
	for _, lang := range i18n.Languages {
		for _, c := range commands {
			for role, bit := range roles {
				_, ok := i18n.Lookup(lang, "cmd."+c.name+"."+role)
				if c.who&bit != 0 && !ok {
					t.Errorf("%s: /%s is for %ss but not in their help", lang, c.name, role)
				}
				if c.who&bit == 0 && ok {
					t.Errorf("%s: the %s help lists /%s, which is not for them", lang, role, c.name)
				}
			}
		}
		for _, key := range i18n.Keys(lang) {
			name, ok := strings.CutPrefix(key, "cmd.")
			if !ok {
				continue
			}
			name, role, _ := strings.Cut(name, ".")
			if c, ok := lookup(name); !ok || c.who&roles[role] == 0 {
				t.Errorf("%s: help line %s names no command for %ss", lang, key, role)
			}
			if line, _ := i18n.Lookup(lang, key); !strings.HasPrefix(line, "/"+name) {
				t.Errorf("%s: help line %s does not start with /%s: %q", lang, key, name, line)
			}
		}
		if got := helpText(lang, "leader", "Tổ 1"); !strings.Contains(got, "/baocao") || !strings.Contains(got, "/trogiup") || strings.Contains(got, "/xuat") {
			t.Errorf("%s: the leader's help:\n%s", lang, got)
		}
	}
	menu := CommandMenu("vi")
	if len(menu) < 2 || menu[0].Name != "khan" || menu[1].Name != "baocao" || strings.Contains(menu[1].Description, "/baocao") {
		t.Errorf("menu = %+v", menu)
	}
	for _, c := range commands {
		for _, name := range append([]string{c.name}, c.aliases...) {
			if got, ok := lookup(name); !ok || got.name != c.name {
				t.Errorf("lookup(%q) = %v, %v", name, got.name, ok)
			}
		}
	}
}

// Ensure agencies are read as admins type them, in Vietnamese too.
func TestParseAgency(t *testing.T) {
	for in, want := range map[string]string{"police": "police", "cong an": "police", "Công an": "police", "tư pháp": "justice",
		"tu phap": "justice", "mat tran": "mttq", "Mặt trận Tổ quốc": "mttq", "ubnd": "ubnd", "Ủy ban": "ubnd", "UBND": "ubnd"} {
		if got, ok := ParseAgency(in); !ok || got != want {
			t.Errorf("ParseAgency(%q) = %q, %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := ParseAgency("army"); ok {
		t.Error("an unknown agency was read")
	}
}
