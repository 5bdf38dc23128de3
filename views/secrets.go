package views

import (
	"fmt"
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// SecretsSpec declares the secrets view: names, types, key counts and certificate expiry,
// never values; enter opens a secret's page.
var SecretsSpec = ui.ListSpec[*kube.Secret]{
	Noun:    "secrets",
	Warm:    "secrets",
	Columns: secretColumns,
	Cache: func(env *ui.Env, ns, selector string) kube.Cache[*kube.Secret] {
		return env.Client.SecretCache(ns, selector)
	},
	Actions: objectActions[*kube.Secret](kube.GVRSecrets),
	ListActions: []ui.ListAction{
		creating(secretsKeys.NewGeneric, askGenericSecret),
		creating(secretsKeys.NewTLS, askTLSSecret),
	},
	Enter: func(env *ui.Env, s *kube.Secret) ui.Page {
		return NewSecret(env, s.RowKey())
	},
}

// secretsKeys create secrets; they act on the list, not on a row, so they work in a
// namespace with no secrets yet.
var secretsKeys = struct{ NewGeneric, NewTLS key.Binding }{
	NewGeneric: ui.NewKey("secrets", "new generic secret (KEY=VALUE, KEY=@FILE)", "n"),
	NewTLS:     ui.NewKey("secrets", "new TLS secret (cert and key files)", "t"),
}

// NewSecrets returns the secrets view for namespace ns ("" for all namespaces).
func NewSecrets(env *ui.Env, ns string) *ui.ListPage[*kube.Secret] {
	return ui.NewListPage(env, SecretsSpec, ns)
}

// creating is a list action that opens ask's first dialog. On an all-namespaces list the
// name is typed as NAMESPACE/NAME, starting in the kubeconfig's namespace, where the
// action's access was checked.
func creating(k key.Binding, ask func(env *ui.Env, t secretTarget) tea.Cmd) ui.ListAction {
	return ui.ListAction{Key: k, Mutates: kube.Only(kube.SecretCreateAccess), Run: func(env *ui.Env, ns string) tea.Cmd {
		t := secretTarget{ns: ns}
		if ns == "" {
			t.ns, t.typedNS = env.Client.Info.Namespace, true
			if t.ns == "" {
				t.ns = "default"
			}
		}
		return ask(env, t)
	}}
}

func secretColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.Secret] {
	return withNamespace(allNamespaces,
		ui.Column[*kube.Secret]{Name: "TYPE", Max: 36, Drop: 1,
			Value: func(s *kube.Secret) string { return s.Type }},
		ui.Column[*kube.Secret]{Name: "DATA", Align: ui.Right, Drop: 3,
			Value: func(s *kube.Secret) string { return strconv.Itoa(s.Keys) }},
		ui.Column[*kube.Secret]{Name: "EXPIRES", Align: ui.Right, Drop: 2,
			Value: func(s *kube.Secret) string { return expiryText(s.Expires, s.CertErr, env.Now()) },
			Style: func(st *theme.Styles, s *kube.Secret) lipgloss.Style {
				return expiryStyle(st, s.Expires, s.CertErr, env.Now())
			},
			Compare: func(a, b *kube.Secret) int { return expiryOrder(a.Expires).Compare(expiryOrder(b.Expires)) }},
		ageColumn(env, func(s *kube.Secret) time.Time { return s.Created }),
	)
}

// expiryText is a certificate's days left ("20d"), "expired 3d ago", "bad cert" when its
// tls.crt does not parse, or "" for secrets without one.
func expiryText(notAfter time.Time, certErr string, now time.Time) string {
	switch {
	case certErr != "":
		return "bad cert"
	case notAfter.IsZero():
		return ""
	}
	if !now.Before(notAfter) {
		if ago := int(now.Sub(notAfter).Hours() / 24); ago > 0 {
			return fmt.Sprintf("expired %dd ago", ago)
		}
		return "expired"
	}
	return fmt.Sprintf("%dd", kube.DaysLeft(notAfter, now))
}

// expiryStyle is bad for an expired or unreadable certificate, warn within
// kube.ExpiryWarnDays of its end.
func expiryStyle(st *theme.Styles, notAfter time.Time, certErr string, now time.Time) lipgloss.Style {
	return expiryLevel(notAfter, certErr, now).Style(st)
}

// expiryLevel is an error for an expired or unreadable certificate, a warning within
// kube.ExpiryWarnDays of its end, OK before, and info when there is no certificate.
func expiryLevel(notAfter time.Time, certErr string, now time.Time) ui.Level {
	switch {
	case certErr != "":
		return ui.LevelError
	case notAfter.IsZero():
		return ui.LevelInfo
	case !now.Before(notAfter):
		return ui.LevelError
	case kube.DaysLeft(notAfter, now) < kube.ExpiryWarnDays:
		return ui.LevelWarn
	}
	return ui.LevelOK
}

// expiryOrder sorts secrets without a certificate after every one that has.
func expiryOrder(t time.Time) time.Time {
	if t.IsZero() {
		return time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t
}
