package views

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// IngressesSpec declares the ingresses view: class, hosts, address, ports, a summary of
// the rules and each TLS entry's secret with its certificate's expiry; enter lists the
// pods of the backend service (a choice when there are several).
var IngressesSpec = ui.ListSpec[*kube.Ingress]{
	Noun:    "ingresses",
	Warm:    "ingresses",
	Columns: ingressColumns,
	Cache: func(env *ui.Env, ns, selector string) kube.Cache[*kube.Ingress] {
		return env.Client.IngressCache(ns, selector)
	},
	Actions: append([]ui.Action[*kube.Ingress]{{Key: ingressKeys.Backend, Run: backendPods}},
		objectActions[*kube.Ingress](kube.GVRIngresses)...),
}

// ingressKeys: enter drills down through a backend service rather than to a fixed page.
var ingressKeys = struct{ Backend key.Binding }{
	Backend: ui.NewKey("ingresses", "pods of the backend service (a choice when several)", "enter"),
}

// NewIngresses returns the ingresses view for namespace ns ("" for all namespaces).
func NewIngresses(env *ui.Env, ns string) *ui.ListPage[*kube.Ingress] {
	return ui.NewListPage(env, IngressesSpec, ns)
}

// backendPods opens the pods of in's backend service, asking which one first when it
// routes to several.
func backendPods(env *ui.Env, in *kube.Ingress) tea.Cmd {
	switch len(in.Backends) {
	case 0:
		return ui.Push(ui.NewMessage(env, "pods("+in.Namespace+") of ingress "+in.Name,
			"Ingress "+in.Namespace+"/"+in.Name+" routes to no service.", "", "esc: back"))
	case 1:
		return servicePodsOf(env, in.Namespace, in.Backends[0])
	}
	return env.Ask(&ui.Dialog{Title: "Pods of which backend of " + in.Namespace + "/" + in.Name + "?",
		Choices: in.Backends,
		OK:      func(svc string) tea.Cmd { return servicePodsOf(env, in.Namespace, svc) }})
}

// servicePodsOf reads service ns/name off the UI goroutine for its selector, then opens
// its pods as the services view's enter does.
func servicePodsOf(env *ui.Env, ns, name string) tea.Cmd {
	client := env.Client
	what := "pods of service " + ns + "/" + name
	return env.Background(what, func() func() tea.Cmd {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		s, err := client.GetService(ctx, ns, name)
		return func() tea.Cmd {
			if err != nil {
				return ui.Notify(ui.LevelError, what+": "+err.Error())
			}
			return ui.Push(servicePods(env, s))
		}
	})
}

func ingressColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.Ingress] {
	type col = ui.Column[*kube.Ingress]
	return withNamespace(allNamespaces,
		col{Name: "CLASS", Max: 16, Drop: 6, Value: func(i *kube.Ingress) string { return i.Class }},
		col{Name: "HOSTS", Max: 28, Drop: 3, Value: func(i *kube.Ingress) string { return i.Hosts }},
		col{Name: "ADDRESS", Max: 24, Drop: 7, Value: func(i *kube.Ingress) string { return i.Address }},
		col{Name: "PORTS", Drop: 8, Value: func(i *kube.Ingress) string { return i.Ports }},
		col{Name: "RULES", Max: 48, Drop: 5, Value: func(i *kube.Ingress) string { return i.Rules }},
		col{Name: "TLS", Max: 40, Drop: 1,
			Value: func(i *kube.Ingress) string { return tlsText(i.TLS, env.Now()) },
			Style: func(st *theme.Styles, i *kube.Ingress) lipgloss.Style { return tlsStyle(st, i.TLS, env.Now()) }},
		ageColumn(env, func(i *kube.Ingress) time.Time { return i.Created }),
	)
}

// tlsText names each TLS entry's secret with its certificate's days left ("shop-tls 10d"),
// "missing" when no TLS secret of that name exists, "default cert" for an entry that
// names none.
func tlsText(tls []kube.IngressTLS, now time.Time) string {
	parts := make([]string, len(tls))
	for i, t := range tls {
		switch {
		case t.Secret == "":
			parts[i] = "default cert"
		case t.State == kube.CertMissing:
			parts[i] = t.Secret + " missing"
		case t.State == kube.CertFound:
			parts[i] = strings.TrimSpace(t.Secret + " " + expiryText(t.Expires, t.CertErr, now))
		default:
			parts[i] = t.Secret
		}
	}
	return strings.Join(parts, ", ")
}

// tlsStyle is the worst of the entries' styles: bad for a missing secret or an expired
// or unreadable certificate, warn within kube.ExpiryWarnDays of the end, good otherwise.
func tlsStyle(st *theme.Styles, tls []kube.IngressTLS, now time.Time) lipgloss.Style {
	rank := func(l ui.Level) int { // info (nothing known) below OK
		if l == ui.LevelInfo {
			return -1
		}
		return int(l)
	}
	worst := ui.LevelInfo
	for _, t := range tls {
		l := ui.LevelInfo // not known yet, or the controller's default certificate
		switch {
		case t.State == kube.CertMissing:
			l = ui.LevelError
		case t.State == kube.CertFound:
			l = expiryLevel(t.Expires, t.CertErr, now)
		}
		if rank(l) > rank(worst) {
			worst = l
		}
	}
	return worst.Style(st)
}
