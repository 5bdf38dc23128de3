package views

import (
	"strconv"
	"time"

	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// SecretsSpec declares the secrets view: names, types and key counts, never values.
var SecretsSpec = ui.ListSpec[*kube.Secret]{
	Noun:    "secrets",
	Columns: secretColumns,
	Source: func(env *ui.Env, ns string) kube.Source[*kube.Secret] {
		return kube.SecretSource(env.Client.Clientset, ns)
	},
	Actions: objectActions[*kube.Secret](kube.GVRSecrets),
}

// NewSecrets returns the secrets view for namespace ns ("" for all namespaces).
func NewSecrets(env *ui.Env, ns string) *ui.ListPage[*kube.Secret] {
	return ui.NewListPage(env, SecretsSpec, ns)
}

func secretColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.Secret] {
	return withNamespace(allNamespaces,
		ui.Column[*kube.Secret]{Name: "TYPE", Max: 36, Drop: 1,
			Value: func(s *kube.Secret) string { return s.Type }},
		ui.Column[*kube.Secret]{Name: "DATA", Align: ui.Right, Drop: 3,
			Value: func(s *kube.Secret) string { return strconv.Itoa(s.Keys) }},
		ageColumn(env, func(s *kube.Secret) time.Time { return s.Created }),
	)
}
