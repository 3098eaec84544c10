package flows_test

import (
	"testing"
)

// Ensure answers typed the way people type count: part of one label picks
// it, part of several asks again offering only those (by number too), a
// time such as "9h tối", a number in words; and present plus absent
// households may not exceed the group's size.
func TestTypingLikePeopleType(t *testing.T) {
	c := newConvo(t, "vi")
	c.press("An ninh trật tự").say("trom cap").expect("ngày nào")
	if got := c.s.Answers["category"]; got != "theft" {
		t.Fatalf("category = %q, want theft", got)
	}
	c.say("quay lai").expect("Loại vụ việc").say("danh").expect("gần giống")
	if got := len(c.question().Flat()); got != 3 { // two matches and «Quay lại»
		t.Fatalf("the shorter menu has %d choices: %+v", got, c.question().Flat())
	}
	c.say("quay lai").expect("Loại vụ việc")
	if got := len(c.question().Flat()); got < 10 {
		t.Fatalf("back from the shorter menu shows %d choices", got)
	}
	c.say("danh").say("2").expect("ngày nào")
	if got := c.s.Answers["category"]; got != "gambling" {
		t.Fatalf("category = %q, want gambling (the second of the shorter menu)", got)
	}
	c.press("Hôm qua").say("9h tối").expect("ở đâu")
	if got := c.s.Answers["time"]; got != "21:00" {
		t.Fatalf("time = %q, want 21:00", got)
	}
	c.say("Ngõ 3").say("Đánh bạc ăn tiền").say("mười lăm").expect("xử lý")
	if got := c.s.Answers["people"]; got != "15" {
		t.Fatalf("people = %q, want 15", got)
	}

	m := newConvo(t, "vi")
	m.s.Limits = map[string]int{"group_size": 42}
	m.press("Sinh hoạt tổ").press("Hôm nay").say("19:00").say("Nhà văn hóa").say("bỏ qua").say("bỏ qua").
		say("35").say("10").expect("42")
	if _, ok := m.s.Answers["absent"]; ok {
		t.Fatalf("35 present and 10 absent accepted for a group of 42: %v", m.s.Answers)
	}
	m.say("7").expect("Khách mời")
}
