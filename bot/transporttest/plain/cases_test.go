package plain_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/bot/transporttest/plain"
)

// openCases stores n open mediation cases sent from reporter in group,
// a day apart, the first the oldest, numbered from first.
func (w *world) openCases(group string, reporter bot.Address, first, n int) {
	w.t.Helper()
	err := w.st.Update(func(tx bot.Tx) error {
		for i := range n {
			rep := bot.Report{ID: bot.RefNumber(bot.KindMediation, 2026, uint64(first+i)), Kind: bot.KindMediation, Group: group,
				Reporter: reporter, CreatedAt: worldNow.AddDate(0, 0, -200+first+i), Status: bot.StatusReceived,
				Answers: map[string]string{bot.KeyCaseType: bot.CaseCivil, bot.KeyStatus: bot.StatusReceived}}
			if err := bot.AddReport(tx, rep, w.loc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// Ensure /vuviec lists at most 30 open cases, however many are open, and
// says how many there are: an official the 30 of the commune waiting
// longest, a leader their 30 most recent. (A list is a message with a
// button a case; Telegram refuses more than 100 buttons, and at a
// million reports a commune has hundreds of cases open.)
func TestCasesListed(t *testing.T) {
	w := newWorld(t)
	w.openCases(group2, plain.Address("hoa"), 1, 20)
	w.openCases(group1, lanAddress, 21, 35)

	tu := w.person("tu")
	tu.say("/vuviec").expect("Vụ việc hòa giải đang mở", "Đang mở 55 vụ việc; dưới đây là 30 vụ chờ lâu nhất.")
	got := tu.choices()
	if len(got) != 31 || got[30] != "Đóng" {
		t.Fatalf("the justice officer is offered %d choices:\n%s", len(got), strings.Join(got, "\n"))
	}
	for i, label := range got[:30] {
		if want := fmt.Sprintf("HG-2026-%06d · ", i+1); !strings.HasPrefix(label, want) {
			t.Errorf("choice %d is %q, want the case waiting longest but %d (%s…)", i+1, label, i, want)
		}
	}
	tu.say("1").expect("📄 HG-2026-000001")

	lan := w.person("lan")
	lan.say("/vuviec").expect("Anh/chị đang có 35 vụ việc mở; dưới đây là 30 vụ mới nhất.")
	if got := lan.choices(); len(got) != 31 || !strings.HasPrefix(got[0], "HG-2026-000055 · ") || !strings.HasPrefix(got[29], "HG-2026-000026 · ") {
		t.Fatalf("Lan is offered %d choices:\n%s", len(got), strings.Join(got, "\n"))
	}

	// With few open, all of them and nothing more said.
	hoa := w.person("hoa")
	hoa.say("/vuviec").expectNot("dưới đây là")
	if got := hoa.choices(); len(got) != 21 {
		t.Fatalf("Hoa is offered %d choices:\n%s", len(got), strings.Join(got, "\n"))
	}
}
