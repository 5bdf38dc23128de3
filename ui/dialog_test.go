package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui/uitest"
)

// typeInto sends each key to d and reports the value OK received, if it ran.
func typeInto(t *testing.T, d *Dialog, keys ...string) (value string, ok, closed bool) {
	t.Helper()
	d.OK = func(v string) tea.Cmd { value, ok = v, true; return nil }
	d.open()
	for _, k := range keys {
		if _, done := d.key(uitest.Key(k)); done {
			return value, ok, true
		}
	}
	return value, ok, false
}

func TestDialogTypedConfirmNeedsTheExactName(t *testing.T) {
	d := &Dialog{Title: "Delete pod shop/web-1", Expect: "web-1", Danger: true}
	if _, ok, closed := typeInto(t, d, "w", "e", "b", "enter"); ok || closed {
		t.Fatalf("a partial name confirmed (ok %v, closed %v)", ok, closed)
	}
	if !strings.Contains(d.err, "web-1") {
		t.Errorf("error %q should name what to type", d.err)
	}
	d = &Dialog{Title: "Delete", Expect: "web-1", Danger: true}
	if v, ok, _ := typeInto(t, d, "w", "e", "b", "-", "1", "enter"); !ok || v != "web-1" {
		t.Fatalf("the exact name did not confirm: ok %v value %q", ok, v)
	}
}

func TestDialogValidateBlocksBadInput(t *testing.T) {
	initial := "3"
	d := &Dialog{Title: "Scale", Input: &initial, Validate: func(s string) error {
		if s == "x" || strings.Contains(s, "x") {
			return errors.New("not a number")
		}
		return nil
	}}
	if _, ok, _ := typeInto(t, d, "x", "enter"); ok {
		t.Fatal("an invalid value was submitted")
	}
	if d.err != "not a number" {
		t.Errorf("inline error %q", d.err)
	}
	d = &Dialog{Title: "Scale", Input: &initial}
	if v, ok, _ := typeInto(t, d, "backspace", "5", "enter"); !ok || v != "5" {
		t.Fatalf("got ok %v value %q, want 5", ok, v)
	}
}

func TestDialogDangerNeedsY(t *testing.T) {
	d := &Dialog{Title: "Kill pod", Danger: true}
	if _, ok, closed := typeInto(t, d, "enter"); ok || closed {
		t.Fatal("enter confirmed a dangerous action")
	}
	if _, ok, _ := typeInto(t, d, "y"); !ok {
		t.Fatal("y did not confirm")
	}
	if _, ok, closed := typeInto(t, &Dialog{Title: "x"}, "n"); ok || !closed {
		t.Fatal("n must cancel")
	}
}

func TestDialogChoices(t *testing.T) {
	d := &Dialog{Title: "Undo to", Choices: []string{"3", "2", "1"}}
	if v, ok, _ := typeInto(t, d, "down", "down", "down", "up", "enter"); !ok || v != "2" {
		t.Fatalf("got %q", v)
	}
}

func TestDialogFitsEveryWidth(t *testing.T) {
	st := theme.New(theme.Dark())
	in := "1"
	d := &Dialog{Title: "Scale deployment shop/cart", Body: []string{"HPA cart drives this deployment"}, Input: &in}
	d.open()
	body := block([]string{"row one", "row two"}, 80, 10)
	for w := 1; w <= 120; w++ {
		for h := 1; h <= 12; h++ {
			box := d.view(st, w, h)
			if len(box) > h {
				t.Fatalf("%dx%d: %d lines", w, h, len(box))
			}
			out := overlay(block([]string{"a"}, w, h), box, w)
			for _, l := range strings.Split(out, "\n") {
				if lw := ansi.StringWidth(l); lw > w {
					t.Fatalf("%dx%d: line %d cells wide: %q", w, h, lw, l)
				}
			}
		}
	}
	if out := overlay(body, d.view(st, 80, 10), 80); !strings.Contains(out, "Scale deployment shop/cart") {
		t.Fatalf("title missing:\n%s", out)
	}
}

// A password dialog never draws what is typed, and gives it to OK untrimmed.
func TestDialogPasswordIsMasked(t *testing.T) {
	empty := ""
	d := &Dialog{Title: "Set key password", Input: &empty, Password: true}
	typeInto(t, d, "space", "s", "3", "c", "r")
	screen := ansi.Strip(strings.Join(d.view(theme.New(theme.Dark()), 60, 20), "\n"))
	if strings.Contains(screen, "s3cr") || !strings.Contains(screen, "•••••") {
		t.Errorf("the typed value shows:\n%s", screen)
	}
	var got string
	d.OK = func(v string) tea.Cmd { got = v; return nil }
	if _, done := d.key(uitest.Key("enter")); !done || got != " s3cr" {
		t.Errorf("OK got %q (closed %v), want \" s3cr\"", got, done)
	}
}

// choiceNames are n distinct choices, "choice-00" onwards.
func choiceNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("choice-%02d", i)
	}
	return names
}

// At every size down to 20x5 and for any number of choices, the one line marked › is
// the choice enter applies, wherever the cursor is; at any smaller size nothing panics
// and the dialog stays within the screen.
func TestDialogChoicesShowWhatEnterApplies(t *testing.T) {
	st := theme.New(theme.Dark())
	for _, n := range []int{1, 2, 8, 9, 10, 12, 16, 17, 30} {
		for _, w := range []int{1, 19, 20, 80} {
			for _, h := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 24} {
				var applied string
				d := &Dialog{Title: "Roll back deployment shop/cart to revision", Body: []string{"The deployment rolls."},
					Choices: choiceNames(n), OK: func(v string) tea.Cmd { applied = v; return nil }}
				for sel := 0; sel < n; sel++ {
					box := d.view(st, w, h)
					if len(box) > h {
						t.Fatalf("%d choices at %dx%d, cursor %d: %d lines", n, w, h, sel, len(box))
					}
					var marked []string
					for _, l := range strings.Split(overlay(block(nil, w, h), box, w), "\n") {
						if lw := ansi.StringWidth(l); lw > w {
							t.Fatalf("%d choices at %dx%d, cursor %d: a line %d wide", n, w, h, sel, lw)
						}
						if l = ansi.Strip(l); strings.Contains(l, "›") {
							marked = append(marked, l)
						}
					}
					if w >= 20 && h >= 5 && (len(marked) != 1 || !strings.Contains(marked[0], d.Choices[sel])) {
						t.Fatalf("%d choices at %dx%d, cursor on %s: marked %q\n%s", n, w, h, d.Choices[sel], marked,
							ansi.Strip(strings.Join(box, "\n")))
					}
					d.key(uitest.Key("down"))
				}
				if _, done := d.key(uitest.Key("enter")); !done || applied != d.Choices[n-1] {
					t.Fatalf("%d choices at %dx%d: enter applied %q, want the last", n, w, h, applied)
				}
			}
		}
	}
}

// The window of choices always holds the selected one, as centred as the list allows.
func TestChoiceWindow(t *testing.T) {
	for n := 1; n <= 20; n++ {
		for rows := 0; rows <= 10; rows++ {
			for sel := 0; sel < n; sel++ {
				first, last := choiceWindow(n, sel, rows)
				if first < 0 || last > n || sel < first || sel >= last || last-first != max(1, min(rows, n)) {
					t.Fatalf("n %d, rows %d, selected %d: window [%d, %d)", n, rows, sel, first, last)
				}
			}
		}
	}
}

// A Selected beyond the list is the last choice, shown and applied alike.
func TestDialogSelectedOutOfRange(t *testing.T) {
	d := &Dialog{Title: "Pick", Choices: []string{"a", "b"}, Selected: 5}
	screen := ansi.Strip(strings.Join(d.view(theme.New(theme.Dark()), 40, 12), "\n"))
	if !strings.Contains(screen, "› b") {
		t.Errorf("the last choice is not marked:\n%s", screen)
	}
	if v, ok, _ := typeInto(t, d, "enter"); !ok || v != "b" {
		t.Errorf("enter applied %q", v)
	}
}

// checkApp is an App showing dialog d over a message page, 80x20, and the results of the
// checks opening d started.
func checkApp(d *Dialog) (*App, []checkedMsg) {
	env := &Env{Client: &kube.Client{}, Styles: theme.New(theme.Dark()), Now: time.Now}
	a := New(env, nil, ViewSpec{Name: "t", New: func(env *Env, _ string) Page { return NewMessage(env, "t") }})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 20})
	_, cmd := a.Update(a.env.Ask(d)())
	return a, checkResults(cmd)
}

// pressChecking sends keys to a and returns the Check results their commands bring, in order.
func pressChecking(a *App, keys ...string) []checkedMsg {
	var out []checkedMsg
	for _, k := range keys {
		_, cmd := a.Update(uitest.Key(k))
		out = append(out, checkResults(cmd)...)
	}
	return out
}

// checkResults runs cmd and returns the Check results among its messages.
func checkResults(cmd tea.Cmd) []checkedMsg {
	var out []checkedMsg
	for _, m := range uitest.Messages(cmd, 100*time.Millisecond) {
		if c, ok := m.(checkedMsg); ok {
			out = append(out, c)
		}
	}
	return out
}

func (a *App) screen() string { return ansi.Strip(a.render()) }

// A dialog's Check never runs in Update: only in the commands Update returns. Enter says
// it is checking; a failed check keeps the dialog open with its error; OK runs only with
// the value whose check after enter passed; results for older values or a closed dialog
// are dropped.
func TestDialogCheckRunsInACommand(t *testing.T) {
	var checked []string
	var okWith []string
	empty := ""
	d := &Dialog{Title: "Key file", Input: &empty,
		Validate: func(v string) error {
			if v == "" {
				return errors.New("a path is required")
			}
			return nil
		},
		Check: func(v string) error {
			checked = append(checked, v) // commands run one at a time here
			if v != "good" {
				return fmt.Errorf("cannot read %s", v)
			}
			return nil
		},
		OK: func(v string) tea.Cmd { okWith = append(okWith, v); return nil }}
	a, _ := checkApp(d)
	for _, k := range []string{"b", "a", "d"} {
		if _, cmd := a.Update(uitest.Key(k)); len(checked) != 0 || cmd == nil {
			t.Fatalf("after %q: Check ran in Update (%q) or no command came back", k, checked)
		}
	}

	// the first keystroke's check is running; the later ones wait for it
	_, cmd := a.Update(uitest.Key("backspace")) // "ba"
	if r := checkResults(cmd); len(r) != 0 {
		t.Fatalf("a second check started while one runs: %+v", r)
	}
	stale := checkedMsg{d: d, value: "b", err: errors.New("cannot read b")}
	_, cmd = a.Update(stale)
	if strings.Contains(a.screen(), "cannot read b") {
		t.Fatalf("a result for an older value was shown:\n%s", a.screen())
	}
	r := checkResults(cmd)
	if len(r) != 1 || r[0].value != "ba" {
		t.Fatalf("the older result must start the check of the current value, got %+v", r)
	}
	a.Update(r[0])
	if !strings.Contains(a.screen(), "cannot read ba") || a.dialog != d {
		t.Fatalf("the check's error is not shown inline:\n%s", a.screen())
	}

	// enter on a failing value: checking…, then the error, the dialog still open
	_, cmd = a.Update(uitest.Key("enter"))
	if !strings.Contains(a.screen(), "checking…") || len(okWith) != 0 {
		t.Fatalf("enter must say it is checking, OK not yet run (%q):\n%s", okWith, a.screen())
	}
	r = checkResults(cmd)
	if len(r) != 1 {
		t.Fatalf("enter started %d checks", len(r))
	}
	a.Update(r[0])
	if a.dialog != d || len(okWith) != 0 || !strings.Contains(a.screen(), "cannot read ba") {
		t.Fatalf("a failed check must keep the dialog open with its error (OK %q):\n%s", okWith, a.screen())
	}

	// enter on a passing value runs OK with it, and closes the dialog
	r = pressChecking(a, "backspace", "backspace", "g", "o", "o", "d")
	for len(r) > 0 { // each result starts the check of the value typed since
		_, cmd := a.Update(r[0])
		r = append(r[1:], checkResults(cmd)...)
	}
	r = pressChecking(a, "enter")
	if len(okWith) != 0 || len(r) != 1 {
		t.Fatalf("enter ran OK before its check (%q), checks %+v", okWith, r)
	}
	a.Update(r[0])
	if a.dialog != nil || len(okWith) != 1 || okWith[0] != "good" {
		t.Fatalf("after a passing check: OK ran with %q, dialog open %v", okWith, a.dialog != nil)
	}

	// a result for a dialog that closed is dropped
	if _, cmd := a.Update(checkedMsg{d: d, value: "good"}); cmd != nil || len(okWith) != 1 {
		t.Fatalf("a closed dialog's result acted: OK %q", okWith)
	}
}

// Typing after enter cancels the wait: the result of the check enter started does not
// run OK for a value no longer there.
func TestDialogCheckTypingCancelsSubmit(t *testing.T) {
	ok := false
	in := "80"
	d := &Dialog{Title: "Port", Input: &in, Check: func(string) error { return nil },
		OK: func(string) tea.Cmd { ok = true; return nil }}
	a, r := checkApp(d)
	if len(r) != 1 || r[0].value != "80" {
		t.Fatalf("opening must check the initial value, got %+v", r)
	}
	a.Update(r[0])
	r = pressChecking(a, "enter")
	pressChecking(a, "8")
	a.Update(r[0])
	if ok || a.dialog != d {
		t.Fatalf("OK ran for %q after the value changed to %q", r[0].value, d.value())
	}
}

// On a narrow terminal the context a dialog acts on gets a line of its own rather than
// being cut from the end of the title; on a wide one it follows the title.
func TestDialogNamesItsContextAtEveryWidth(t *testing.T) {
	st := theme.New(theme.Dark())
	env := &Env{Client: &kube.Client{Info: kube.Info{Context: "prod-eu-1"}}}
	d := &Dialog{Title: "Scale deployment shop/cart", Body: []string{"from 2 replicas"}, env: env}
	d.open()
	if wide := ansi.Strip(strings.Join(d.view(st, 120, 12), "\n")); !strings.Contains(wide, "Scale deployment shop/cart · ctx prod-eu-1") {
		t.Fatalf("wide dialog:\n%s", wide)
	}
	narrow := ansi.Strip(strings.Join(d.view(st, 36, 12), "\n"))
	for _, want := range []string{"Scale deployment shop/cart", "ctx prod-eu-1"} {
		if !strings.Contains(narrow, want) {
			t.Errorf("narrow dialog lacks %q:\n%s", want, narrow)
		}
	}
}

// waitApp is an App showing the notice d over a message page, 80x20, and the command that
// runs d's Wait.
func waitApp(d *Dialog) (*App, tea.Cmd) {
	env := &Env{Client: &kube.Client{}, Styles: theme.New(theme.Dark()), Now: time.Now}
	a := New(env, nil, ViewSpec{Name: "t", New: func(env *Env, _ string) Page { return NewMessage(env, "t") }})
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 20})
	_, cmd := a.Update(a.env.Ask(d)())
	return a, cmd
}

// A notice with Wait stays open while Wait runs in a command (never in Update), ignores
// every key but esc and n, closes by itself when Wait returns and runs what it returned;
// esc cancels Wait's context, and the late result of a cancelled wait is dropped.
func TestDialogWait(t *testing.T) {
	release := make(chan struct{})
	d := &Dialog{Title: "Debug pod shop/web-1", Body: []string{"Waiting for debugger-abcde to start…"},
		Wait: func(ctx context.Context) tea.Cmd {
			select {
			case <-release:
				return Notify(LevelOK, "attached")
			case <-ctx.Done():
				return Notify(LevelError, "late result of a cancelled wait")
			}
		}}
	a, wait := waitApp(d)
	if !strings.Contains(a.screen(), "Waiting for debugger-abcde") || !strings.Contains(a.screen(), "esc stop waiting") {
		t.Fatalf("notice not shown:\n%s", a.screen())
	}
	for _, k := range []string{"y", "enter", "x"} {
		if _, cmd := a.Update(uitest.Key(k)); cmd != nil || a.dialog != d {
			t.Fatalf("%s acted on a notice", k)
		}
	}
	close(release)
	msg := wait()
	if a.dialog != d {
		t.Fatal("the notice closed before its wait ended")
	}
	_, then := a.Update(msg)
	if a.dialog != nil || then == nil {
		t.Fatalf("the notice did not close with its wait (dialog %v)", a.dialog)
	}
	if n, ok := then().(NotifyMsg); !ok || n.Text != "attached" {
		t.Errorf("Wait's command did not run: %v", n)
	}

	// esc cancels: the wait ends at once and its result is dropped
	d = &Dialog{Title: "Debug", Wait: func(ctx context.Context) tea.Cmd {
		<-ctx.Done()
		return Notify(LevelError, "late result of a cancelled wait")
	}}
	a, wait = waitApp(d)
	a.Update(uitest.Key("esc"))
	if a.dialog != nil {
		t.Fatal("esc did not close the notice")
	}
	done := make(chan tea.Msg)
	go func() { done <- wait() }()
	select {
	case msg := <-done:
		if _, then := a.Update(msg); then != nil {
			t.Error("a cancelled wait's result ran")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("esc did not cancel the wait's context")
	}
}
