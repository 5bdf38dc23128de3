package views

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// secretKeys are the secret page's keys.
var secretKeys = struct{ Reveal, Copy, Edit key.Binding }{
	Reveal: ui.NewKey("secret", "reveal and decode the value (again: hide)", "x"),
	Copy:   ui.NewKey("secret", "copy the value to the clipboard (OSC52)", "c"),
	Edit:   ui.NewKey("secret", "set a new value for the key", "e"),
}

// secretFetchTimeout bounds the fetch of one value.
const secretFetchTimeout = 15 * time.Second

// Secret is the page of one secret: its keys with sizes and masked values, and a TLS
// secret's certificate. It watches the secret (without its values), fetches a value only
// when asked to reveal or copy it, and forgets revealed values when it closes.
type Secret struct {
	env   *ui.Env
	key   kube.Key
	id    uint64
	feed  *ui.Feed[*kube.SecretDetail]
	snap  kube.Snapshot[*kube.SecretDetail]
	table ui.Table[kube.SecretKey]
	// revealed holds the display text of the values revealed, for the secret's version
	// they were fetched at; nil once the page closes.
	revealed map[string]string
	version  string
}

// secretValueMsg carries one fetched value to the page with ID id, to show or copy.
type secretValueMsg struct {
	id      uint64
	key     string
	version string // the secret's version the page showed when asked
	value   []byte
	copy    bool
	err     error
}

// NewSecret returns the page of the secret named k.
func NewSecret(env *ui.Env, k kube.Key) *Secret {
	s := &Secret{env: env, key: k, id: env.NextID(), revealed: map[string]string{}}
	s.table.Columns = s.columns()
	return s
}

func (s *Secret) columns() []ui.Column[kube.SecretKey] {
	return []ui.Column[kube.SecretKey]{
		{Name: "KEY", Min: 8, Max: 40, Value: func(k kube.SecretKey) string { return k.Name }},
		{Name: "SIZE", Align: ui.Right, Drop: 1, Value: func(k kube.SecretKey) string { return strconv.Itoa(k.Size) }},
		{Name: "VALUE", Flex: true, Min: 8, Value: func(k kube.SecretKey) string {
			if v, ok := s.revealed[k.Name]; ok {
				return v
			}
			return kube.Mask
		}},
	}
}

// Init starts the secret's watch.
func (s *Secret) Init() tea.Cmd {
	s.feed = ui.StartFeed(s.env, kube.NewStore(s.env.Client.SecretDetailSource(s.key.Namespace, s.key.Name)))
	return s.feed.Next()
}

// Update takes the secret's snapshots, fetched values and keys.
func (s *Secret) Update(msg tea.Msg) (ui.Page, tea.Cmd) {
	if snap, next, ok := s.feed.Accept(msg); ok {
		s.Show(snap)
		return s, next
	}
	switch msg := msg.(type) {
	case secretValueMsg:
		return s, s.take(msg)
	case tea.KeyPressMsg:
		if s.table.Navigate(msg) {
			return s, nil
		}
		return s, s.act(msg)
	}
	return s, nil
}

// act runs the action of a key on the selected key of the secret.
func (s *Secret) act(msg tea.KeyPressMsg) tea.Cmd {
	k, ok := s.table.Selected()
	d, found := s.detail()
	if !ok || !found {
		return nil
	}
	switch {
	case key.Matches(msg, secretKeys.Reveal):
		if _, shown := s.revealed[k.Name]; shown {
			delete(s.revealed, k.Name)
			return nil
		}
		return s.env.Guard("reveal "+k.Name, nil, true, func() tea.Cmd { return s.fetch(k.Name, d.ResourceVersion, false) })
	case key.Matches(msg, secretKeys.Copy):
		return s.env.Guard("copy "+k.Name, nil, true, func() tea.Cmd { return s.fetch(k.Name, d.ResourceVersion, true) })
	case key.Matches(msg, secretKeys.Edit):
		return s.env.Guard("edit "+k.Name, s.updateAccess(), false, func() tea.Cmd { return s.edit(k, d.ResourceVersion) })
	}
	return nil
}

func (s *Secret) updateAccess() []kube.Access {
	return kube.SecretUpdateAccess(s.key.Namespace)
}

// fetch returns the command that fetches one value, after asking RBAC whether this user
// may read the secret (reading is not a mutation, so the dispatcher does not ask); the
// fetch is audited as a reveal or a copy.
func (s *Secret) fetch(name, version string, copy bool) tea.Cmd {
	client, id, k := s.env.Client, s.id, s.key
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), secretFetchTimeout)
		defer cancel()
		msg := secretValueMsg{id: id, key: name, version: version, copy: copy}
		d, err := client.Can(ctx, kube.SecretReadAccess(k.Namespace))
		switch {
		case err != nil:
			msg.err = err
		case !d.Allowed:
			msg.err = fmt.Errorf("%s", d.Reason)
		default:
			why := kube.RevealShow
			if copy {
				why = kube.RevealCopy
			}
			msg.value, msg.err = client.RevealSecretValue(ctx, why, k.Namespace, k.Name, name)
		}
		return msg
	}
}

// take shows or copies a fetched value; a value for a closed page is dropped.
func (s *Secret) take(msg secretValueMsg) tea.Cmd {
	if msg.id != s.id || s.revealed == nil {
		return nil
	}
	verb := "reveal "
	if msg.copy {
		verb = "copy "
	}
	if msg.err != nil {
		return ui.Notify(ui.LevelError, verb+msg.key+": "+msg.err.Error())
	}
	if msg.copy {
		return tea.Batch(tea.SetClipboard(string(msg.value)),
			ui.Notify(ui.LevelOK, fmt.Sprintf("copied %s (%d bytes) to the clipboard through the terminal (OSC52)", msg.key, len(msg.value))))
	}
	if msg.version != s.version {
		return ui.Notify(ui.LevelWarn, verb+msg.key+": the secret changed meanwhile; press x again")
	}
	s.revealed[msg.key] = displayValue(msg.value)
	return nil
}

// edit opens the dialog that sets a new value for key k, conditioned on version.
func (s *Secret) edit(k kube.SecretKey, version string) tea.Cmd {
	env, ns, name := s.env, s.key.Namespace, s.key.Name
	return askSecretValue(env, fmt.Sprintf("Set key %s of secret %s/%s", k.Name, ns, name),
		[]string{fmt.Sprintf("The current value (%d bytes) is replaced; other keys are kept.", k.Size),
			"If the secret changes meanwhile, nothing is written."},
		func(v string) tea.Cmd {
			return env.Mutate(env.Client.SetSecretKey(ns, name, version, k.Name, []byte(v)), nil)
		})
}

// Show displays snap (at most one secret), keeping the selection on the same key; values
// revealed for another version of the secret are forgotten.
func (s *Secret) Show(snap kube.Snapshot[*kube.SecretDetail]) {
	s.snap = snap
	var keys []kube.SecretKey
	if d, ok := s.detail(); ok {
		keys = d.Keys
		if d.ResourceVersion != s.version && len(s.revealed) > 0 {
			s.revealed = map[string]string{}
		}
		s.version = d.ResourceVersion
	}
	s.table.SetRows(keys, func(a, b kube.SecretKey) bool { return a.Name == b.Name })
}

func (s *Secret) detail() (*kube.SecretDetail, bool) {
	for _, d := range s.snap.Rows {
		if d.RowKey() == s.key {
			return d, true
		}
	}
	return nil, false
}

// View renders the secret's type and, for a TLS secret, its certificate above the keys.
func (s *Secret) View(width, height int) string {
	stale := s.snap.State.Phase == kube.PhaseBroken
	head := s.header()
	if height-len(head) < 3 {
		return s.table.View(s.env.Styles, width, height, stale)
	}
	for i, l := range head {
		head[i] = ui.Fit(l, width)
	}
	return strings.Join(head, "\n") + "\n" + s.table.View(s.env.Styles, width, height-len(head), stale)
}

// header is the lines above the keys: type and age, the certificate, a blank line.
func (s *Secret) header() []string {
	st := s.env.Styles
	d, ok := s.detail()
	if !ok {
		return nil
	}
	lines := []string{st.Muted.Render(ui.Safe(fmt.Sprintf("type %s · %d keys · created %s ago · values masked: x reveals, c copies",
		d.Type, len(d.Keys), age(d.Created, s.env.Now()))))}
	switch {
	case d.CertErr != "":
		lines = append(lines, st.Bad.Render(ui.Safe("tls.crt: "+d.CertErr)))
	case d.Cert != nil:
		c := d.Cert
		field := func(name, value string) string {
			return st.Muted.Render(fmt.Sprintf("%-10s", name)) + st.Text.Render(ui.Safe(value))
		}
		lines = append(lines,
			field("subject", c.Subject),
			field("issuer", c.Issuer),
			field("SANs", strings.Join(c.SANs, ", ")),
			field("valid", c.NotBefore.UTC().Format("2006-01-02 15:04")+" → "+c.NotAfter.UTC().Format("2006-01-02 15:04")+" UTC · ")+
				expiryStyle(st, c.NotAfter, "", s.env.Now()).Render(validity(c.NotAfter, s.env.Now())))
	}
	return append(lines, "")
}

// validity says how long a certificate has left: "20 days left", "expired 3 days ago".
func validity(notAfter, now time.Time) string {
	if text := expiryText(notAfter, "", now); strings.HasPrefix(text, "expired") {
		return text
	}
	days := kube.DaysLeft(notAfter, now)
	if days == 1 {
		return "1 day left"
	}
	return fmt.Sprintf("%d days left", days)
}

// Title is "secret(NAMESPACE/NAME)[KEYS]", marked STALE while the watch is broken.
func (s *Secret) Title() string {
	return ui.StaleTitle(fmt.Sprintf("secret(%s/%s)[%d]", s.key.Namespace, s.key.Name, s.table.Len()), s.snap.State)
}

// Freshness reports the secret's watch and says when the secret is gone.
func (s *Secret) Freshness() ui.Freshness {
	if _, ok := s.detail(); !ok && s.snap.State.Phase == kube.PhaseLive {
		return ui.Freshness{Level: ui.LevelWarn, Text: "secret " + s.key.Namespace + "/" + s.key.Name + " no longer exists"}
	}
	return ui.FreshnessOf(s.snap.State, s.table.Len(), "keys", s.env.Now())
}

// Bindings lists the page's keys, disabled under never-reveal or when forbidden.
func (s *Secret) Bindings() []key.Binding {
	return append(ui.TableBindings(),
		s.env.Disabled(secretKeys.Reveal, nil, true),
		s.env.Disabled(secretKeys.Copy, nil, true),
		s.env.Disabled(secretKeys.Edit, s.updateAccess(), false))
}

// Close stops the watch and forgets every revealed value.
func (s *Secret) Close() {
	s.revealed = nil
	if s.feed != nil {
		s.feed.Stop()
	}
}
