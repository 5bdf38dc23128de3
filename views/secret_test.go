package views

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
	"github.com/kdeck/kdeck/ui/uitest"
)

const revealedPassword = "hunter2-correct-horse"

// tlsDetail is payments/payments-tls as the page's watch sees it: keys, sizes and the
// certificate's details, no values.
func tlsDetail() *kube.SecretDetail {
	return &kube.SecretDetail{Namespace: "payments", Name: "payments-tls", Type: "kubernetes.io/tls", ResourceVersion: "41",
		Created: ago(70 * 24 * time.Hour),
		Keys:    []kube.SecretKey{{Name: "ca.crt", Size: 0}, {Name: "tls.crt", Size: 725}, {Name: "tls.key", Size: 241}},
		Cert: &kube.CertInfo{Subject: "CN=payments.example.com,OU=Payments,O=Example Shop Ltd,L=Berlin,C=DE",
			Issuer:    "CN=payments.example.com,OU=Payments,O=Example Shop Ltd,L=Berlin,C=DE",
			SANs:      []string{"payments.example.com", "api.payments.example.com", "pay.example.com"},
			NotBefore: ago(70 * 24 * time.Hour), NotAfter: fixedNow.Add(20*24*time.Hour + 3*time.Hour)}}
}

func opaqueDetail() *kube.SecretDetail {
	return &kube.SecretDetail{Namespace: "shop", Name: "db-creds", Type: "Opaque", ResourceVersion: "7", Created: ago(26 * time.Hour),
		Keys: []kube.SecretKey{{Name: "password", Size: len(revealedPassword)}, {Name: "url", Size: 38}, {Name: "user", Size: 5}}}
}

func newSecretPage(env *ui.Env, d *kube.SecretDetail) *Secret {
	p := NewSecret(env, d.RowKey())
	p.Show(kube.Snapshot[*kube.SecretDetail]{Rows: []*kube.SecretDetail{d}, State: live})
	return p
}

// reveal delivers a fetched value as the reveal command would.
func reveal(p *Secret, key string, value []byte) {
	p.take(secretValueMsg{id: p.id, key: key, version: p.version, value: value})
}

func TestSecretPageGolden(t *testing.T) {
	t.Run("tls masked", func(t *testing.T) {
		requireGoldenSizes(t, func(w, h int) string {
			env := testEnv("payments")
			return renderPage(env, newSecretPage(env, tlsDetail()), w, h)
		})
	})
	t.Run("opaque revealed", func(t *testing.T) {
		requireGoldenSizes(t, func(w, h int) string {
			env := testEnv("shop")
			p := newSecretPage(env, opaqueDetail())
			reveal(p, "password", []byte(revealedPassword))
			return renderPage(env, p, w, h)
		})
	})
}

func TestSecretPageEverySize(t *testing.T) {
	env := testEnv("payments")
	p := newSecretPage(env, tlsDetail())
	reveal(p, "tls.key", []byte{0, 1, 2, 0xff})
	requireEverySize(t, func(w, h int) string { return renderPage(env, p, w, h) })
}

// Values are masked until revealed, one key at a time; x again hides it; closing the page
// forgets it, and a value of an older version of the secret is not shown.
func TestSecretPageReveal(t *testing.T) {
	env := testEnv("shop")
	p := newSecretPage(env, opaqueDetail())
	screen := func() string { return ansi.Strip(renderPage(env, p, 120, 20)) }
	if s := screen(); strings.Contains(s, revealedPassword) || strings.Count(s, kube.Mask) != 3 {
		t.Fatalf("not masked:\n%s", s)
	}
	reveal(p, "password", []byte(revealedPassword))
	if s := screen(); !strings.Contains(s, revealedPassword) || strings.Count(s, kube.Mask) != 2 {
		t.Fatalf("password not revealed alone:\n%s", s)
	}
	p.act(uitest.Key("x")) // the selected key (password) is revealed: x hides it
	if s := screen(); strings.Contains(s, revealedPassword) {
		t.Fatalf("x did not hide the value:\n%s", s)
	}
	reveal(p, "password", []byte(revealedPassword))
	changed := opaqueDetail()
	changed.ResourceVersion = "8"
	p.Show(kube.Snapshot[*kube.SecretDetail]{Rows: []*kube.SecretDetail{changed}, State: live})
	if s := screen(); strings.Contains(s, revealedPassword) {
		t.Fatalf("a value of the previous version is still shown:\n%s", s)
	}
	p.take(secretValueMsg{id: p.id, key: "password", version: "7", value: []byte(revealedPassword)})
	reveal(p, "user", []byte("admin"))
	if s := screen(); !strings.Contains(s, "admin") || strings.Contains(s, revealedPassword) {
		t.Fatalf("a late value of an older version replaced the current one:\n%s", s)
	}
	p.Close()
	if p.revealed != nil {
		t.Errorf("closing kept the revealed values: %v", p.revealed)
	}
	reveal(p, "password", []byte(revealedPassword))
	if p.revealed != nil {
		t.Errorf("a value arrived after close was kept")
	}
}

// c copies through OSC52 and says so without the value.
func TestSecretPageCopy(t *testing.T) {
	env := testEnv("shop")
	p := newSecretPage(env, opaqueDetail())
	cmd := p.take(secretValueMsg{id: p.id, key: "password", version: "7", value: []byte(revealedPassword), copy: true})
	var notes []string
	for _, m := range cmd().(tea.BatchMsg) {
		if n, ok := m().(ui.NotifyMsg); ok {
			notes = append(notes, n.Text)
		}
	}
	if len(notes) != 1 || strings.Contains(notes[0], revealedPassword) || !strings.Contains(notes[0], "copied password (21 bytes)") {
		t.Errorf("notes %q", notes)
	}
	if s := ansi.Strip(renderPage(env, p, 120, 20)); strings.Contains(s, revealedPassword) {
		t.Errorf("copying revealed the value:\n%s", s)
	}
}

// Under never-reveal, x and c are refused before anything is fetched, and help says so.
func TestSecretPageNeverReveal(t *testing.T) {
	env := testEnv("shop")
	env.Client.Policy.NeverReveal = true
	p := newSecretPage(env, opaqueDetail())
	for _, k := range []string{"x", "c"} {
		msg := p.act(uitest.Key(k))()
		n, ok := msg.(ui.NotifyMsg)
		if !ok || n.Level != ui.LevelError || !strings.Contains(n.Text, "never revealed") {
			t.Errorf("%s: got %#v, want a refusal", k, msg)
		}
	}
	var help []string
	for _, b := range p.Bindings() {
		help = append(help, b.Help().Desc)
	}
	if h := strings.Join(help, "\n"); strings.Count(h, "[disabled: refused, secret values are never revealed") != 2 {
		t.Errorf("help does not show x and c disabled:\n%s", h)
	}
}

func TestDisplayValue(t *testing.T) {
	for in, want := range map[string]string{
		"admin":                    "admin",
		"line1\nline2\tx\r":        `line1\nline2\tx\r`,
		"пароль":                   "пароль",
		"\x00\x01\x02\xff":         "binary, 4 bytes: 000102ff",
		strings.Repeat("\x00", 20): "binary, 20 bytes: 00000000000000000000000000000000…",
		"\x1b[31mred":              "binary, 8 bytes: 1b5b33316d726564",
	} {
		if got := displayValue([]byte(in)); got != want {
			t.Errorf("displayValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpiry(t *testing.T) {
	st := testEnv("").Styles
	for _, c := range []struct {
		left    time.Duration
		certErr string
		text    string
		style   string
	}{
		{300 * 24 * time.Hour, "", "300d", "good"},
		{30*24*time.Hour + time.Hour, "", "30d", "good"},
		{29*24*time.Hour + time.Hour, "", "29d", "warn"},
		{time.Hour, "", "0d", "warn"},
		{-time.Hour, "", "expired", "bad"},
		{-3*24*time.Hour - time.Hour, "", "expired 3d ago", "bad"},
		{0, "no PEM certificate found", "bad cert", "bad"},
	} {
		var end time.Time
		if c.certErr == "" {
			end = fixedNow.Add(c.left)
		}
		if got := expiryText(end, c.certErr, fixedNow); got != c.text {
			t.Errorf("%v: text %q, want %q", c.left, got, c.text)
		}
		want := map[string]any{"good": st.Good.GetForeground(), "warn": st.Warn.GetForeground(), "bad": st.Bad.GetForeground()}[c.style]
		if got := expiryStyle(st, end, c.certErr, fixedNow).GetForeground(); got != want {
			t.Errorf("%v: style %v, want %s", c.left, got, c.style)
		}
	}
	if expiryText(time.Time{}, "", fixedNow) != "" {
		t.Errorf("a secret without a certificate shows an expiry")
	}
}
