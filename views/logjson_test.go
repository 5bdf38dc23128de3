package views

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
)

// A JSON object is shown as its level, its message, then every other key in the line's
// own order, nested values compact; anything else is no JSON line.
func TestFormatJSON(t *testing.T) {
	for _, c := range []struct{ in, level, text string }{
		{`{"ts":"2026-11-23T12:00:00Z","level":"error","msg":"upstream timeout","upstream":"payments:443","attempt":2,"retry":true}`,
			"ERROR", `upstream timeout ts=2026-11-23T12:00:00Z upstream=payments:443 attempt=2 retry=true`},
		// order kept (z before a), nested values compact, strings quoted only when needed
		{`{"z":1, "message": "hello world", "a": {"b": [1, 2, {"c": null}]}, "empty":"", "sp":"two words", "eq":"a=b", "lvl":"WARN"}`,
			"WARN", `hello world z=1 a={"b":[1,2,{"c":null}]} empty="" sp="two words" eq="a=b"`},
		{`{"severity":"DEBUG","MESSAGE":"journald"}`, "DEBUG", "journald"},
		{`{"log.level":"info","message":"ecs","service.name":"shop"}`, "INFO", "ecs service.name=shop"},
		{`{"level":50,"msg":"pino"}`, "ERROR", "pino"},
		{`{"msg":{"nested":"message"},"n":1.50}`, "", `{"nested":"message"} n=1.50`},
		{`{"only":"keys"}`, "", "only=keys"},
		{`{"msg":"first","message":"second"}`, "", "first message=second"},
		{`  {"msg":"padded"}  `, "", "padded"},
	} {
		got, ok := formatJSON(c.in)
		if !ok || got.level != c.level || got.text != c.text {
			t.Errorf("formatJSON(%s) = %q %q %v\nwant %q %q", c.in, got.level, got.text, ok, c.level, c.text)
		}
	}
	for _, in := range []string{"", "plain text", `level=info msg="logfmt"`, `{"msg":"two"} {"msg":"objects"}`,
		`{"msg":"unterminated"`, `{"msg" "no colon"}`, `["an","array"]`, `{"msg":"x"} trailing`, `{}x`, `{bad}`} {
		if got, ok := formatJSON(in); ok {
			t.Errorf("formatJSON(%q) = %+v, want no JSON line", in, got)
		}
	}
}

// Escape sequences a workload puts in a JSON key or value (as JSON escapes, which decode to
// the raw bytes) never reach the terminal: they are shown visibly, wherever they are.
func TestFormatJSONHostile(t *testing.T) {
	in := `{"level":"\u001b[31merror","msg":"owned\u001b]52;c;aGk=\u0007 \u009b2J","\u001b[2Jkey":"v\u001b[0m","k":"tab\there\nnewline","bidi":"\u202eevil"}`
	got, ok := formatJSON(in)
	if !ok {
		t.Fatalf("not read as JSON: %s", in)
	}
	for _, s := range []string{got.level, got.text} {
		if strings.ContainsAny(s, "\x1b\x07\u009b\u202e\t\n") {
			t.Errorf("raw control characters survived: %q", s)
		}
	}
	if got.level != "^[[31MERROR" {
		t.Errorf("level %q", got.level)
	}
	if want := `owned^[]52;c;aGk=^G \u009b2J`; !strings.HasPrefix(got.text, want) {
		t.Errorf("text %q, want it to start with %q", got.text, want)
	}
	for _, want := range []string{`"\x1b[2Jkey"="v\x1b[0m"`, `k="tab\there\nnewline"`, `bidi="\u202eevil"`} {
		if !strings.Contains(got.text, want) {
			t.Errorf("text %q lacks %q", got.text, want)
		}
	}
}

// jsonFixture is a service's JSON log: levels of every kind, nested values, a line that is
// not JSON and one with escape sequences in it.
func jsonFixture() []kube.LogLine {
	texts := []string{
		`{"time":"2026-11-23T11:59:50Z","level":"info","msg":"starting checkout","version":"1.8.2","pid":1}`,
		`{"time":"2026-11-23T11:59:51Z","level":"debug","msg":"config loaded","config":{"port":8080,"tls":false,"peers":["a","b"]}}`,
		`plain text from a library that does not log JSON`,
		`{"time":"2026-11-23T11:59:52Z","level":"warn","msg":"slow query","table":"orders","rows":18234,"duration":"1.84s"}`,
		`{"time":"2026-11-23T11:59:53Z","level":"error","msg":"upstream timeout","upstream":"payments-api.payments:443","attempt":2,"err":"context deadline exceeded"}`,
		`{"time":"2026-11-23T11:59:54Z","severity":"CRITICAL","message":"card vault unreachable","\u001b[31mkey":"\u001b]0;pwned\u0007"}`,
		`{"time":"2026-11-23T11:59:55Z","level":"info","msg":"request served","method":"GET","path":"/api/v1/cart","status":200,"duration_ms":12}`,
	}
	var lines []kube.LogLine
	for i := range 21 {
		lines = append(lines, kube.LogLine{Time: fixedNow.Add(-time.Duration(21-i) * time.Second), Container: "app", Text: cleanLine(texts[i%len(texts)])})
	}
	return lines
}

func TestLogsJSONGolden(t *testing.T) {
	env := testEnv("shop")
	p := logsPage(env, jsonFixture(), streaming)
	press(p, "J")
	requireGoldenSizes(t, func(w, h int) string { return frame(env, p, w, h) })
}

// J shows JSON lines message first with the level coloured, other lines as they are; J
// again shows them as written. Search looks in what is shown.
func TestLogsJSONToggle(t *testing.T) {
	env := testEnv("shop")
	p := logsPage(env, jsonFixture()[:7], streaming)
	press(p, "J")
	if !strings.Contains(p.Title(), "[app] json following") {
		t.Fatalf("title %q", p.Title())
	}
	raw := p.View(200, 10)
	out := ansi.Strip(raw)
	for _, want := range []string{
		"ERROR upstream timeout time=2026-11-23T11:59:53Z upstream=payments-api.payments:443 attempt=2 err=\"context deadline exceeded\"",
		"DEBUG config loaded time=2026-11-23T11:59:51Z config={\"port\":8080,\"tls\":false,\"peers\":[\"a\",\"b\"]}",
		"plain text from a library that does not log JSON",
		"CRITICAL card vault unreachable time=2026-11-23T11:59:54Z \"\\x1b[31mkey\"=\"\\x1b]0;pwned\\a\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	st := env.Styles
	for _, want := range []string{st.Bad.Render("ERROR"), st.Bad.Render("CRITICAL"), st.Warn.Render("WARN"), st.Muted.Render("DEBUG"), st.Text.Render("INFO")} {
		if !strings.Contains(raw, want) {
			t.Errorf("the level %q is not in its colour", ansi.Strip(want))
		}
	}
	if strings.Contains(raw, "\x1b]") || strings.Contains(raw, "\a") {
		t.Errorf("an escape sequence from the log reached the screen: %q", raw)
	}

	press(p, "/")
	typeText(p, "warn slow query time=2026-11-23T11:59:52Z table=orders")
	press(p, "enter")
	if p.match != 3 {
		t.Fatalf("search for the shown text matched line %d, want 3 (flash %q)", p.match, p.flash)
	}
	if got := p.View(200, 10); !strings.Contains(got, st.Selected.Render("WARN slow query time=2026-11-23T11:59:52Z table=orders")) {
		t.Errorf("the match is not highlighted:\n%q", got)
	}
	press(p, "/")
	typeText(p, `"table":"orders"`)
	press(p, "enter")
	if p.match != -1 {
		t.Errorf("search matched line %d by JSON text that is not shown", p.match)
	}

	press(p, "J")
	if out := ansi.Strip(p.View(200, 10)); !strings.Contains(out, `{"time":"2026-11-23T11:59:53Z","level":"error"`) || strings.Contains(p.Title(), "json") {
		t.Errorf("J again does not show the lines as written (title %q):\n%s", p.Title(), out)
	}
}

// A frame of 2,000+ JSON lines formats only the lines it draws, and the next frame none:
// it allocates about what a frame of plain lines does.
func TestLogsJSONFrameCost(t *testing.T) {
	env := testEnv("shop")
	var lines []kube.LogLine
	for i := range 5000 {
		lines = append(lines, kube.LogLine{Text: fmt.Sprintf(`{"level":"info","msg":"request %d served","path":"/api/v1/cart","status":200}`, i)})
	}
	plain := logsPage(env, lines, streaming)
	js := logsPage(env, lines, streaming)
	press(js, "J")
	js.View(200, 50)
	allocs := func(p *LogsPage) float64 { return testing.AllocsPerRun(20, func() { p.View(200, 50) }) }
	a, b := allocs(plain), allocs(js)
	t.Logf("allocations a frame: %.0f as written, %.0f as JSON", a, b)
	if b > 2*a+100 {
		t.Errorf("a JSON frame allocates %.0f times, a plain one %.0f: lines are formatted again each frame", b, a)
	}
}
