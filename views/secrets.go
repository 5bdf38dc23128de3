package views

import (
	"strconv"

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
	var cols []ui.Column[*kube.Secret]
	if allNamespaces {
		cols = append(cols, ui.Column[*kube.Secret]{Name: "NAMESPACE", Max: 20, Drop: 4,
			Value: func(s *kube.Secret) string { return s.Namespace }})
	}
	return append(cols,
		ui.Column[*kube.Secret]{Name: "NAME", Flex: true, Min: 12,
			Value: func(s *kube.Secret) string { return s.Name }},
		ui.Column[*kube.Secret]{Name: "TYPE", Max: 36, Drop: 1,
			Value: func(s *kube.Secret) string { return s.Type }},
		ui.Column[*kube.Secret]{Name: "DATA", Align: ui.Right, Drop: 3,
			Value: func(s *kube.Secret) string { return strconv.Itoa(s.Keys) }},
		ui.Column[*kube.Secret]{Name: "AGE", Align: ui.Right, Drop: 2,
			Value: func(s *kube.Secret) string { return age(s.Created, env.Now()) }},
	)
}
