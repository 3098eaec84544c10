package flows_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/totuquan/totuquan/i18n"
)

// choose types the number that the numbered menu shows for label, as a
// user of a platform without buttons would.
func (c *convo) choose(label string) *convo {
	c.t.Helper()
	menu := c.question().NumberedText()
	m := regexp.MustCompile(`(?m)^(\d+)\. ` + regexp.QuoteMeta(label) + `$`).FindStringSubmatch(menu)
	if m == nil {
		c.t.Fatalf("no line %q in the menu:\n%s", label, menu)
	}
	return c.say(m[1])
}

// Ensure every report can be made on a platform without buttons: each
// question renders as a numbered menu and typed numbers answer it.
func TestNumberedMenusOnly(t *testing.T) {
	for _, tc := range []struct {
		flow  string
		steps []string // "#label" picks from the menu by number; anything else is typed
		want  map[string]string
	}{
		{"An ninh trật tự", []string{"#Ma túy", "#Hôm qua", "22:10", "Bãi sông", "Nhóm thanh niên tụ tập", "bỏ qua", "#Đã báo công an", "#Khẩn cấp", "#Xong"},
			map[string]string{"category": "drugs", "handling": "police", "urgent": "yes"}},
		{"Sinh hoạt tổ", []string{"#Hôm nay", "19:00", "Nhà văn hóa", "#Bỏ qua", "#Bỏ qua", "30", "2", "1,2", "#Phòng cháy chữa cháy", "#Xong", "Thống nhất lịch trực", "#Ý kiến khác", "#Bỏ qua", "#Xong"},
			map[string]string{"guests": "police,mttq", "topics": "fire", "vote": "other"}},
		{"Hòa giải", []string{"#Hôm nay", "Bà Mai", "A, 40, xóm Bãi", "Tranh chấp ranh giới đất", "#Hôn nhân và gia đình", "#Hòa giải thành", "Hai bên thống nhất", "#Bỏ qua"},
			map[string]string{"case_type": "family", "status": "success"}},
	} {
		t.Run(tc.flow, func(t *testing.T) {
			c := newConvo(t, "vi")
			c.choose(tc.flow)
			for _, st := range tc.steps {
				if label, ok := strings.CutPrefix(st, "#"); ok {
					c.choose(label)
				} else {
					c.say(st)
				}
			}
			c.expect("Gửi báo cáo này?").choose("Gửi")
			sub := c.last.Submit
			if sub == nil {
				t.Fatalf("not submitted; last question:\n%s", c.question().NumberedText())
			}
			for k, v := range tc.want {
				if sub.Answers[k] != v {
					t.Errorf("%s = %q, want %q", k, sub.Answers[k], v)
				}
			}
		})
	}
}

// Ensure every text a flow can show exists in both languages, and every
// button value fits Telegram's 64 bytes.
func TestFlowTextsAndValues(t *testing.T) {
	e := newConvo(t, "vi").e
	for _, lang := range i18n.Languages {
		for _, f := range e.Flows {
			keys := []string{f.Title}
			for _, st := range f.Steps {
				keys = append(keys, f.Name+"."+st.Key, f.Name+"."+st.Key+".q")
				for _, o := range st.Options {
					keys = append(keys, o.Label)
					if v := fmt.Sprintf("%d|v:%s", 99999, o.Value); len(v) > 64 {
						t.Errorf("%s.%s: value %q is over 64 bytes", f.Name, st.Key, v)
					}
				}
			}
			for _, k := range keys {
				if strings.HasPrefix(i18n.T(lang, k), "⟦") {
					t.Errorf("%s: no text for %s", lang, k)
				}
			}
		}
	}
}
