package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/flows"
)

// Ensure a summary counts every urgent incident, open case and silent
// group but lists only the first 20 urgent incidents, the 20 cases open
// longest and 30 silent groups, saying how many more there are; a
// smaller one lists them all.
func TestSummaryListsBounded(t *testing.T) {
	st := mustOpen(t)
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, loc)
	err := st.Update(func(tx bot.Tx) error {
		areas := []bot.Area{{Code: "X", Name: "Xã Tân Lạc"}, {Code: "Y", Name: "Xã Yên Lập"}, {Code: "Y-T1", Name: "Tổ 1 Yên Lập", Parent: "Y"}}
		for g := 1; g <= 50; g++ {
			areas = append(areas, bot.Area{Code: fmt.Sprintf("X-T%02d", g), Name: fmt.Sprintf("Tổ %02d", g), Parent: "X"})
		}
		if err := tx.PutAreas(areas); err != nil {
			return err
		}
		add := func(r bot.Report) error { return bot.AddReport(tx, r, loc) }
		for i := 1; i <= 25; i++ { // urgent incidents this week, in group 1
			r := bot.Report{ID: bot.RefNumber(bot.KindIncident, 2026, uint64(i)), Kind: bot.KindIncident, Group: "X-T01", Urgent: true,
				CreatedAt: monday.Add(time.Duration(i) * time.Hour), Status: bot.StatusNew, Answers: map[string]string{bot.KeyCategory: "theft", bot.KeyUrgent: "yes"}}
			if err := add(r); err != nil {
				return err
			}
		}
		for i := 1; i <= 40; i++ { // cases open since the weeks before, in group 2
			r := bot.Report{ID: bot.RefNumber(bot.KindMediation, 2026, uint64(i)), Kind: bot.KindMediation, Group: "X-T02",
				CreatedAt: monday.AddDate(0, 0, -100+i), Status: bot.StatusReceived, Answers: map[string]string{bot.KeyCaseType: bot.CaseCivil}}
			if err := add(r); err != nil {
				return err
			}
		}
		// The other commune: one of each, all listed.
		if err := add(bot.Report{ID: "AN-2026-000100", Kind: bot.KindIncident, Group: "Y-T1", Urgent: true, CreatedAt: monday.Add(time.Hour),
			Status: bot.StatusNew, Answers: map[string]string{bot.KeyCategory: "fight", bot.KeyUrgent: "yes"}}); err != nil {
			return err
		}
		return add(bot.Report{ID: "HG-2026-000100", Kind: bot.KindMediation, Group: "Y-T1", CreatedAt: monday.AddDate(0, 0, -3),
			Status: bot.StatusInProgress, Answers: map[string]string{bot.KeyCaseType: bot.CaseFamily}})
	})
	if err != nil {
		t.Fatal(err)
	}
	title := flows.New(loc, time.Hour).Title
	text := func(area string) string {
		var out string
		err := st.View(func(tx bot.Tx) error {
			sum, err := bot.BuildSummary(tx, area, monday, monday.AddDate(0, 0, 7), loc)
			out = sum.Text("vi", loc, title)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	x := text("X")
	for _, want := range []string{"🚨 Vụ việc khẩn (25):", "\n… và 5 nữa", "Tổ chưa gửi báo cáo nào (49):", "Tổ 02; Tổ 03", "Tổ 31 … và 19 nữa",
		"Vụ việc hòa giải còn mở (40):", "• HG-2026-000001 ·", "• HG-2026-000020 ·", "\n… và 20 nữa"} {
		if !strings.Contains(x, want) {
			t.Errorf("the summary has no %q:\n%s", want, x)
		}
	}
	if n := strings.Count(x, "\n• AN-"); n != 20 {
		t.Errorf("%d urgent incidents listed, want 20:\n%s", n, x)
	}
	if n := strings.Count(x, "\n• HG-"); n != 20 || strings.Contains(x, "HG-2026-000021") {
		t.Errorf("%d open cases listed, want the 20 open longest:\n%s", n, x)
	}
	if strings.Contains(x, "Tổ 32") {
		t.Errorf("the summary names more than 30 silent groups:\n%s", x)
	}

	y := text("Y")
	for _, want := range []string{"🚨 Vụ việc khẩn (1):\n• AN-2026-000100 ·", "Vụ việc hòa giải còn mở (1):\n• HG-2026-000100 ·"} {
		if !strings.Contains(y, want) {
			t.Errorf("the summary has no %q:\n%s", want, y)
		}
	}
	if strings.Contains(y, "…") {
		t.Errorf("a short summary says some are left out:\n%s", y)
	}
}
