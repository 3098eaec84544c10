package flows

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/totuquan/totuquan/bot"
	"github.com/totuquan/totuquan/i18n"
	"github.com/totuquan/totuquan/vntext"
)

// Session modes.
const (
	modeMenu    = "menu"    // choosing what to report
	modeAsk     = "ask"     // asking Session.Step
	modeConfirm = "confirm" // showing the summary: send, change or cancel
	modeEdit    = "edit"    // choosing which answer to change
	modeResume  = "resume"  // a paused draft: continue or start again
)

// Button values. Every value is sent as "<token>|<value>" so that a press on
// an older question is recognised; all stay far below Telegram's 64 bytes.
const (
	actBack     = "!b"
	actSkip     = "!s"
	actCancel   = "!x"
	actSend     = "!ok"
	actEdit     = "!ed"
	actContinue = "!c"
	actRestart  = "!r"
	actDone     = "!d" // "Xong": end a multi-choice or photo step
	prefKind    = "k:" // k:<flow>
	prefValue   = "v:" // v:<option value>
	prefField   = "e:" // e:<step key>
	prefTyped   = "t:" // typed input, never on a button
	prefVoice   = "o:" // o:<voice answer>: a voice message, never on a button
	prefPicks   = "m:" // m:1,3,5: numbers typed for a multi-choice step
	prefPin     = "l:" // l:lat,lon: a map pin
	prefPhoto   = "p:" // p:<file id>: a photo
	prefNarrow  = "n:" // n:v1,v2: a typed answer that matched several options
)

var (
	picksRe    = regexp.MustCompile(`^\s*\d+(\s*[,;\s]\s*\d+)+\s*$`)
	picksSplit = regexp.MustCompile(`[,;\s]+`)
)

// Engine runs the declared flows. It implements bot.FlowEngine.
type Engine struct {
	Flows []*Flow
	// Timeout is how long a draft may sit idle before a typed message is
	// met with "continue or start again?" instead of being taken as the
	// answer. The draft is kept either way.
	Timeout  time.Duration
	Location *time.Location
}

var _ bot.FlowEngine = (*Engine)(nil)

// New returns an engine with the report flows built so far.
func New(loc *time.Location, timeout time.Duration) *Engine {
	return &Engine{Flows: []*Flow{Incident, Meeting, Mediation}, Timeout: timeout, Location: loc}
}

func (e *Engine) flow(name string) *Flow {
	switch name {
	case CaseUpdate.Name:
		return CaseUpdate
	case Emergency.Name:
		return Emergency
	}
	for _, f := range e.Flows {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Title implements bot.FlowEngine.
func (e *Engine) Title(kind bot.ReportKind, lang string) string {
	for _, f := range e.Flows {
		if f.Kind == kind {
			return i18n.T(lang, f.Title)
		}
	}
	return string(kind)
}

// Begin implements bot.FlowEngine: it asks what to report.
func (e *Engine) Begin(s bot.Session, now time.Time) bot.Turn {
	s.Flow, s.Answers, s.History, s.Editing, s.Prev = "", nil, nil, false, ""
	s.StartedAt = now
	s.Mode = modeMenu
	return e.next(s, now)
}

// Start implements bot.FlowEngine.
func (e *Engine) Start(s bot.Session, kind bot.ReportKind, now time.Time) bot.Turn {
	s.StartedAt = now
	return e.startFlow(s, e.flowOf(kind), now)
}

// Resume implements bot.FlowEngine. Only a report being drafted is
// paused: any other conversation (the report menu, a list, a report shown,
// a correction, a case update) has nothing to start again, and its
// question is asked again as it stands, in the session's language.
func (e *Engine) Resume(s bot.Session, now time.Time) bot.Turn {
	if (s.Flow == "" || s.Ref != "") && s.Mode != modeResume {
		return e.next(s, now)
	}
	if s.Mode != modeResume {
		s.Prev = s.Mode
		s.Mode = modeResume
	}
	return e.next(s, now)
}

// Handle implements bot.FlowEngine.
func (e *Engine) Handle(s bot.Session, in bot.Inbound, now time.Time) bot.Turn {
	lang := s.Lang
	if in.IsCallback() {
		tok, value, ok := strings.Cut(in.Callback, "|")
		if !ok || tok != strconv.Itoa(s.Token) || !e.offered(s, now, value) {
			t := e.ask(s, now, i18n.T(lang, "stale"))
			t.Ack = bot.Ack{Text: i18n.T(lang, "stale")}
			// An old button is ordinary; the current token with a value
			// never offered, or no token at all, is not.
			t.Forged = !ok || tok == strconv.Itoa(s.Token)
			return t
		}
		return e.act(s, value, now)
	}
	st := e.currentStep(s)
	switch {
	case in.Photo != "" && st != nil && st.Kind == Photos:
		return e.act(s, prefPhoto+in.Photo, now)
	case in.Photo != "":
		return e.ask(s, now, i18n.T(lang, "err.photo_here"))
	case in.Voice != "" && st != nil && st.Kind == Text:
		// Many leaders type slowly: a voice message answers a free text.
		return e.act(s, prefVoice+bot.VoiceAnswer(in.Voice, in.Seconds), now)
	case in.Voice != "":
		return e.ask(s, now, i18n.T(lang, "err.voice_here"))
	case in.Location != "" && st != nil && st.Location:
		return e.act(s, prefPin+in.Location, now)
	case in.Text == "":
		return e.ask(s, now, i18n.T(lang, "err.need_text"))
	}
	if s.Mode != modeResume && s.IsDraft() && e.Timeout > 0 && now.Sub(s.UpdatedAt) > e.Timeout {
		return e.Resume(s, now)
	}
	value, ok := e.typed(s, now, in.Text)
	if !ok {
		return e.ask(s, now, i18n.T(lang, "choose.hint"))
	}
	return e.act(s, value, now)
}

// offered reports whether value is one of the current question's buttons,
// so a forged or mangled press is treated like a stale one.
func (e *Engine) offered(s bot.Session, now time.Time, value string) bool {
	for _, c := range e.render(s, now).Flat() {
		if c.Value == strconv.Itoa(s.Token)+"|"+value {
			return true
		}
	}
	return false
}

// typed maps typed text to a button value: a label (with or without
// diacritics) or its number; on a free-input step, anything else is the
// typed answer itself.
func (e *Engine) typed(s bot.Session, now time.Time, text string) (string, bool) {
	r := e.render(s, now)
	flat := r.Flat()
	strip := func(v string) string { _, v, _ = strings.Cut(v, "|"); return v }
	for _, c := range flat {
		if vntext.Equal(c.Label, text) {
			return strip(c.Value), true
		}
	}
	// Navigation words count even where their button is not shown, so
	// "bỏ qua" on a required step is explained rather than stored.
	for _, nav := range [...][2]string{{"nav.skip", actSkip}, {"nav.back", actBack}, {"nav.cancel", actCancel}} {
		if vntext.Equal(i18n.T(s.Lang, nav[0]), text) {
			return nav[1], true
		}
	}
	st := e.currentStep(s)
	if st != nil && st.Kind == Multi && picksRe.MatchString(text) {
		return prefPicks + text, true
	}
	if st != nil && st.Kind == Choice {
		if v, ok := partial(st, s.Lang, text); ok {
			return v, true
		}
	}
	numberIsAnswer := st != nil && (st.Kind == Number || st.Kind == Time)
	if n, err := strconv.Atoi(strings.TrimSpace(text)); err == nil && !numberIsAnswer && n >= 1 && n <= len(flat) {
		return strip(flat[n-1].Value), true
	}
	if r.FreeInput {
		return prefTyped + text, true
	}
	return "", false
}

func (e *Engine) currentStep(s bot.Session) *Step {
	if s.Mode != modeAsk {
		return nil
	}
	f := e.flow(s.Flow)
	if f == nil {
		return nil
	}
	_, st := f.step(s.Step)
	return st
}

// act applies a button value (or typed input) in the current mode.
func (e *Engine) act(s bot.Session, value string, now time.Time) bot.Turn {
	lang := s.Lang
	if value == actCancel {
		msg := "cancel.done"
		switch {
		case s.Mode == modeList || s.Mode == modeView:
			msg = "closed"
		case s.Ref != "":
			msg = "fix.cancelled"
		}
		return bot.Turn{End: true, Replies: []bot.Reply{{Text: i18n.T(lang, msg)}}}
	}
	if t, ok := e.actAfter(s, value, now); ok {
		return t
	}
	f := e.flow(s.Flow)
	switch s.Mode {
	case modeMenu:
		if kind, ok := strings.CutPrefix(value, prefKind); ok {
			if f := e.flow(kind); f != nil {
				return e.startFlow(s, f, now)
			}
		}
	case modeResume:
		switch value {
		case actContinue:
			s.Mode, s.Prev = s.Prev, ""
			if s.Mode == "" || s.Mode == modeResume {
				s.Mode = modeConfirm
			}
			return e.next(s, now)
		case actRestart:
			return e.Begin(s, now)
		}
	case modeConfirm:
		if t, ok := e.confirm(s, f, value, now); ok {
			return t
		}
	case modeEdit:
		if t, ok := e.edit(s, f, value, now); ok {
			return t
		}
	case modeAsk:
		return e.answer(s, f, value, now)
	}
	return e.ask(s, now, i18n.T(lang, "choose.hint"))
}

// confirm acts on the confirmation's buttons: send, change one answer,
// go back.
func (e *Engine) confirm(s bot.Session, f *Flow, value string, now time.Time) (bot.Turn, bool) {
	switch value {
	case actSend:
		if s.Ref != "" {
			return e.save(s, f, now), true
		}
		if miss := missing(f, s.Answers); miss != nil {
			s.Mode, s.Step, s.Editing = modeAsk, miss.Key, true
			return e.next(s, now), true
		}
		sub := &bot.Submission{Kind: f.Kind, Answers: applicable(f, s.Answers)}
		if f.Urgent != nil {
			sub.Urgent = f.Urgent(sub.Answers)
		}
		if f.Status != nil {
			sub.Status = f.Status(sub.Answers)
		}
		return bot.Turn{Session: s, Submit: sub}, true
	case actEdit:
		s.Mode = modeEdit
		return e.next(s, now), true
	case actBack:
		if s.Ref != "" {
			s.Mode = modeEdit
			return e.next(s, now), true
		}
		return e.back(s, f, now), true
	}
	return bot.Turn{}, false
}

// edit acts on the choice of the answer to change.
func (e *Engine) edit(s bot.Session, f *Flow, value string, now time.Time) (bot.Turn, bool) {
	if value == actBack && s.Ref != "" {
		return bot.Turn{Session: s, Open: s.Ref}, true // leave the correction unsaved
	}
	if value == actBack {
		s.Mode = modeConfirm
		return e.next(s, now), true
	}
	if key, ok := strings.CutPrefix(value, prefField); ok {
		if _, st := f.step(key); st != nil {
			s.Mode, s.Step, s.Editing = modeAsk, key, true
			return e.next(s, now), true
		}
	}
	return bot.Turn{}, false
}

func (e *Engine) startFlow(s bot.Session, f *Flow, now time.Time) bot.Turn {
	s.Flow, s.Mode, s.Step = f.Name, modeAsk, f.Steps[0].Key
	s.Answers, s.History, s.Editing = map[string]string{}, nil, false
	return e.next(s, now)
}

func (e *Engine) back(s bot.Session, f *Flow, now time.Time) bot.Turn {
	if s.Editing {
		s.Mode, s.Editing = modeConfirm, false
		return e.next(s, now)
	}
	if len(s.History) == 0 && s.Ref != "" {
		return bot.Turn{Session: s, Open: s.Ref} // back to the report shown
	}
	if len(s.History) == 0 {
		s.Mode, s.Flow, s.Answers = modeMenu, "", nil
		return e.next(s, now)
	}
	s.Mode, s.Step = modeAsk, s.History[len(s.History)-1]
	s.History = s.History[:len(s.History)-1]
	return e.next(s, now)
}

// answer takes the answer to the current step and moves on.
func (e *Engine) answer(s bot.Session, f *Flow, value string, now time.Time) bot.Turn {
	lang := s.Lang
	_, st := f.step(s.Step)
	if st == nil {
		return e.Begin(s, now)
	}
	narrowed := s.Narrow
	s.Narrow = nil
	switch {
	case strings.HasPrefix(value, prefNarrow):
		s.Narrow = strings.Split(strings.TrimPrefix(value, prefNarrow), ",")
		return e.next(s, now)
	case value == actBack && len(narrowed) > 0:
		return e.next(s, now) // back from the shorter menu to the whole one
	case value == actBack:
		return e.back(s, f, now)
	case value == actSkip:
		if !st.Optional {
			return e.ask(s, now, i18n.T(lang, "err.no_skip"))
		}
		s.Answers = withAnswer(s.Answers, st.Key, "")
	case st.Kind == Multi:
		t, done := e.pick(s, st, value, now)
		if !done {
			return t
		}
		s = t.Session
	case st.Kind == Photos:
		if id, ok := strings.CutPrefix(value, prefPhoto); ok {
			have := splitList(s.Answers[st.Key])
			if len(have) >= st.Max {
				return e.ask(s, now, i18n.T(lang, "err.photos_max", st.Max))
			}
			s.Answers = withAnswer(s.Answers, st.Key, strings.Join(append(have, id), ","))
			return e.ask(s, now, "") // the question again, with the count
		}
		if value != actDone {
			return e.ask(s, now, i18n.T(lang, "photo.hint"))
		}
	case strings.HasPrefix(value, prefPin) && st.Location:
		pin := strings.TrimPrefix(value, prefPin)
		s.Answers = withAnswer(s.Answers, st.Key, "📍 "+strings.ReplaceAll(pin, ",", ", "))
		s.Answers = withAnswer(s.Answers, bot.KeyLocation, pin)
	default:
		v, msg := e.parse(st, s, value, now)
		if msg != "" {
			return e.ask(s, now, msg)
		}
		s.Answers = withAnswer(s.Answers, st.Key, v)
		if st.Location {
			s.Answers = withAnswer(s.Answers, bot.KeyLocation, "") // a typed place replaces a pin
		}
	}
	return e.advance(s, f, st, now)
}

// advance moves past st: to the next step that applies, or, when one answer
// was being changed, back to the confirmation, unless the change made
// another required step apply.
func (e *Engine) advance(s bot.Session, f *Flow, st *Step, now time.Time) bot.Turn {
	if s.Editing {
		if miss := missing(f, s.Answers); miss != nil {
			s.Step = miss.Key
			return e.next(s, now)
		}
		s.Mode, s.Editing = modeConfirm, false
		return e.next(s, now)
	}
	s.History = append(s.History, st.Key)
	i, _ := f.step(st.Key)
	for _, nx := range f.Steps[i+1:] {
		if nx.applies(s.Answers) && !answered(s, nx.Key) {
			s.Step = nx.Key
			return e.next(s, now)
		}
	}
	if f.Immediate {
		return e.sendNow(s, f, now)
	}
	s.Mode, s.Step = modeConfirm, ""
	return e.next(s, now)
}

// missing returns the first required step that applies and has no answer.
func missing(f *Flow, answers map[string]string) *Step {
	for i := range f.Steps {
		st := &f.Steps[i]
		if _, ok := answers[st.Key]; !ok && !st.Optional && st.applies(answers) {
			return st
		}
	}
	return nil
}

// pick handles a multi-choice step: a press toggles one option and redraws
// the question; numbers typed together choose exactly those and finish, as
// does "Xong". done reports that the step is answered.
func (e *Engine) pick(s bot.Session, st *Step, value string, now time.Time) (t bot.Turn, done bool) {
	lang := s.Lang
	chosen := map[string]bool{}
	for _, v := range splitList(s.Answers[st.Key]) {
		chosen[v] = true
	}
	switch {
	case value == actDone:
		if len(chosen) == 0 && !st.Optional {
			return e.ask(s, now, i18n.T(lang, "err.pick_one")), false
		}
		return bot.Turn{Session: s}, true
	case strings.HasPrefix(value, prefPicks):
		chosen = map[string]bool{}
		for _, f := range picksSplit.Split(strings.TrimSpace(strings.TrimPrefix(value, prefPicks)), -1) {
			n, _ := strconv.Atoi(f)
			if n < 1 || n > len(st.Options) {
				return e.ask(s, now, i18n.T(lang, "err.pick_range", n, len(st.Options))), false
			}
			chosen[st.Options[n-1].Value] = true
		}
		s.Answers = withAnswer(s.Answers, st.Key, joinChosen(st, chosen))
		return bot.Turn{Session: s}, true
	}
	v, ok := strings.CutPrefix(value, prefValue)
	if !ok || !slices.ContainsFunc(st.Options, func(o Option) bool { return o.Value == v }) {
		return e.ask(s, now, i18n.T(lang, "choose.hint")), false
	}
	chosen[v] = !chosen[v]
	s.Answers = withAnswer(s.Answers, st.Key, joinChosen(st, chosen))
	t = e.ask(s, now, "")
	t.Replace = true
	return t, false
}

func joinChosen(st *Step, chosen map[string]bool) string {
	var out []string
	for _, o := range st.Options {
		if chosen[o.Value] {
			out = append(out, o.Value)
		}
	}
	return strings.Join(out, ",")
}

func splitList(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// save submits a correction of a sent report or an update of a case.
func (e *Engine) save(s bot.Session, f *Flow, now time.Time) bot.Turn {
	if f == CaseUpdate {
		return bot.Turn{Session: s, Submit: &bot.Submission{Kind: f.Kind, UpdateOf: s.Ref, Status: s.Answers[bot.KeyStatus], Note: s.Answers[bot.KeyNote]}}
	}
	sub := &bot.Submission{Kind: f.Kind, FixOf: s.Ref, Answers: applicable(f, s.Answers), Completes: s.Filling}
	if f.Urgent != nil {
		sub.Urgent = f.Urgent(sub.Answers)
	}
	return bot.Turn{Session: s, Submit: sub}
}

// applicable returns the answers of the steps that apply, and the map pin
// of a place, dropping answers left behind by a changed choice.
func applicable(f *Flow, answers map[string]string) map[string]string {
	out := map[string]string{}
	for _, st := range f.Steps {
		if v, ok := answers[st.Key]; ok && st.applies(answers) {
			out[st.Key] = v
			if st.Location && answers[bot.KeyLocation] != "" {
				out[bot.KeyLocation] = answers[bot.KeyLocation]
			}
		}
	}
	return out
}

func withAnswer(a map[string]string, key, v string) map[string]string {
	a = maps.Clone(a)
	if a == nil {
		a = map[string]string{}
	}
	if v == "" {
		delete(a, key)
	} else {
		a[key] = v
	}
	return a
}

// next moves to a new question: old buttons become stale.
func (e *Engine) next(s bot.Session, now time.Time) bot.Turn {
	s.Token++
	return e.ask(s, now, "")
}

// ask (re-)asks the current question, after an optional explanation,
// without invalidating its buttons.
func (e *Engine) ask(s bot.Session, now time.Time, why string) bot.Turn {
	r := e.render(s, now)
	if why != "" {
		// One message, not two: fewer notifications, and the chat's send
		// rate is kept for what matters.
		r.Text = why + "\n\n" + r.Text
	}
	return bot.Turn{Session: s, Replies: []bot.Reply{r}}
}

// render builds the current question of s with its buttons.
func (e *Engine) render(s bot.Session, now time.Time) bot.Reply {
	lang := s.Lang
	tok := strconv.Itoa(s.Token) + "|"
	btn := func(labelKey, value string) bot.Choice {
		return bot.Choice{Label: i18n.T(lang, labelKey), Value: tok + value}
	}
	if r, ok := e.renderAfter(s, tok, btn); ok {
		return r
	}
	f := e.flow(s.Flow)
	switch s.Mode {
	case modeMenu:
		var rows [][]bot.Choice
		rows = append(rows, []bot.Choice{btn(Emergency.Title, prefKind+Emergency.Name)}) // first: the gong
		for _, fl := range e.Flows {
			rows = append(rows, []bot.Choice{btn(fl.Title, prefKind+fl.Name)})
		}
		return bot.Reply{Text: i18n.T(lang, "menu.prompt"), Choices: append(rows, []bot.Choice{btn("nav.cancel", actCancel)})}
	case modeResume:
		title := ""
		if f != nil {
			title = i18n.T(lang, f.Title)
		}
		return bot.Reply{
			Text: i18n.T(lang, "resume.prompt", title, s.StartedAt.In(e.Location).Format("15:04 02/01/2006")),
			Choices: [][]bot.Choice{
				{btn("resume.continue", actContinue), btn("resume.restart", actRestart)},
				{btn("nav.cancel", actCancel)},
			},
		}
	case modeConfirm:
		// The title inside a sentence: "báo cáo an ninh trật tự".
		title := strings.ToLower(i18n.T(lang, f.Title))
		key, send := "confirm.prompt", "confirm.send"
		args := []any{title, e.Summary(f, s.Answers, lang)}
		if s.Ref != "" {
			key, send = "confirm.save_prompt", "confirm.save"
			args = []any{title, s.Ref, e.Summary(f, s.Answers, lang)}
		}
		return bot.Reply{
			Text: i18n.T(lang, key, args...),
			Choices: [][]bot.Choice{
				{btn(send, actSend)},
				{btn("confirm.edit", actEdit), btn("nav.back", actBack), btn("nav.cancel", actCancel)},
			},
		}
	case modeEdit:
		var rows [][]bot.Choice
		var steps []Step
		for _, st := range f.Steps {
			if st.applies(s.Answers) && !(s.Ref != "" && st.NoFix) {
				steps = append(steps, st)
			}
		}
		for i := 0; i < len(steps); i += 2 {
			var row []bot.Choice
			for _, st := range steps[i:min(i+2, len(steps))] {
				row = append(row, btn(f.Name+"."+st.Key, prefField+st.Key))
			}
			rows = append(rows, row)
		}
		return bot.Reply{Text: i18n.T(lang, "edit.prompt"), Choices: append(rows, []bot.Choice{btn("nav.back", actBack)})}
	}

	return e.renderStep(s, f, btn)
}

// renderStep builds the question of the step s is at, with its options,
// the multi-choice ticks, and the way back.
func (e *Engine) renderStep(s bot.Session, f *Flow, btn func(labelKey, value string) bot.Choice) bot.Reply {
	lang := s.Lang
	_, st := f.step(s.Step)
	r := bot.Reply{Text: i18n.T(lang, f.Name+"."+st.Key+".q"), FreeInput: st.Kind != Choice,
		NumbersAreAnswers: st.Kind == Number || st.Kind == Time}
	if cur, ok := s.Answers[st.Key]; ok && st.Kind != Multi && st.Kind != Photos {
		r.Text += "\n" + i18n.T(lang, "current", e.display(st, cur, lang))
	}
	switch st.Kind {
	case Choice:
		opts := st.Options
		if len(s.Narrow) > 0 {
			opts = nil
			for _, o := range st.Options {
				if slices.Contains(s.Narrow, o.Value) {
					opts = append(opts, o)
				}
			}
			r.Text = i18n.T(lang, "choose.narrow") + "\n\n" + r.Text
		}
		cols := max(st.Columns, 1)
		for i := 0; i < len(opts); i += cols {
			var row []bot.Choice
			for _, o := range opts[i:min(i+cols, len(opts))] {
				row = append(row, btn(o.Label, prefValue+o.Value))
			}
			r.Choices = append(r.Choices, row)
		}
	case Multi:
		chosen := map[string]bool{}
		for _, v := range splitList(s.Answers[st.Key]) {
			chosen[v] = true
		}
		cols := max(st.Columns, 1)
		for i := 0; i < len(st.Options); i += cols {
			var row []bot.Choice
			for _, o := range st.Options[i:min(i+cols, len(st.Options))] {
				c := btn(o.Label, prefValue+o.Value)
				if chosen[o.Value] {
					c.Label = "✓ " + c.Label
				}
				row = append(row, c)
			}
			r.Choices = append(r.Choices, row)
		}
		r.Choices = append(r.Choices, []bot.Choice{btn("nav.done", actDone)})
		r.FreeInput = false
	case Photos:
		if n := len(splitList(s.Answers[st.Key])); n > 0 {
			r.Text += "\n" + i18n.T(lang, "photo.count", n, st.Max)
		}
		r.Choices = append(r.Choices, []bot.Choice{btn("nav.done", actDone)})
		r.FreeInput = false
	case Date:
		r.Choices = append(r.Choices, []bot.Choice{btn("date.today", prefValue+"today"), btn("date.yesterday", prefValue+"yesterday")})
	}
	nav := []bot.Choice{btn("nav.back", actBack)}
	if st.Optional && st.Kind != Photos {
		nav = append(nav, btn("nav.skip", actSkip))
	}
	r.Choices = append(r.Choices, nav)
	return r
}

// Summary lists the answers of f as "label: value" lines in lang.
func (e *Engine) Summary(f *Flow, answers map[string]string, lang string) string {
	var b strings.Builder
	for _, st := range f.Steps {
		if !st.applies(answers) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("• ")
		b.WriteString(i18n.T(lang, f.Name+"."+st.Key))
		b.WriteString(": ")
		if v, ok := answers[st.Key]; ok {
			// Keep a multi-line answer (the parties) under its bullet.
			b.WriteString(strings.ReplaceAll(e.display(&st, v, lang), "\n", "\n   "))
		} else {
			b.WriteString(i18n.T(lang, "skipped"))
		}
	}
	return b.String()
}

// display renders a stored answer for people: labels, dd/mm/yyyy dates.
func (e *Engine) display(st *Step, v, lang string) string {
	switch st.Kind {
	case Choice:
		for _, o := range st.Options {
			if o.Value == v {
				return i18n.T(lang, o.Label)
			}
		}
	case Multi:
		var labels []string
		for _, o := range st.Options {
			if slices.Contains(splitList(v), o.Value) {
				labels = append(labels, i18n.T(lang, o.Label))
			}
		}
		return strings.Join(labels, ", ")
	case Photos:
		n := len(splitList(v))
		return i18n.N(lang, "photo.n", n, n)
	case Date:
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			return d.Format("02/01/2006")
		}
	case Text:
		if _, secs, ok := bot.ParseVoice(v); ok {
			return bot.VoiceLabel(secs)
		}
	}
	return v
}
