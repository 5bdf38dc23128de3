package views

import (
	"time"

	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/forward"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// ServicesSpec declares the services view: services joined with their EndpointSlices'
// ready/total counts; enter lists the pods the service selects.
var ServicesSpec = ui.ListSpec[*kube.Service]{
	Noun:    "services",
	Warm:    "services",
	Columns: serviceColumns,
	Cache: func(env *ui.Env, ns, selector string) kube.Cache[*kube.Service] {
		return env.Client.ServiceCache(ns, selector)
	},
	Actions: append(objectActions[*kube.Service](kube.GVRServices), forwardAction[*kube.Service](forward.KindService)),
	Enter:   servicePods,
}

// servicePods lists the pods s selects, or says why there are none to list.
func servicePods(env *ui.Env, s *kube.Service) ui.Page {
	if s.Selector == "" {
		return ui.NewMessage(env, "pods("+s.Namespace+") of service "+s.Name,
			"Service "+s.Namespace+"/"+s.Name+" has no selector: it selects no pods.",
			"Its endpoints ("+endpoints(s)+") are managed by hand or by another controller,",
			"or it is an ExternalName service ("+s.External+").",
			"", "esc: back")
	}
	return NewPodsFor(env, s.Namespace, s.Selector)
}

// NewServices returns the services view for namespace ns ("" for all namespaces).
func NewServices(env *ui.Env, ns string) *ui.ListPage[*kube.Service] {
	return ui.NewListPage(env, ServicesSpec, ns)
}

func endpoints(s *kube.Service) string { return ratio(s.Ready, s.Total) }

func serviceColumns(env *ui.Env, allNamespaces bool) []ui.Column[*kube.Service] {
	type col = ui.Column[*kube.Service]
	return withNamespace(allNamespaces,
		col{Name: "TYPE", Drop: 5, Value: func(s *kube.Service) string { return s.Type }},
		col{Name: "CLUSTER-IP", Drop: 6, Value: func(s *kube.Service) string { return s.ClusterIP }},
		col{Name: "EXTERNAL", Max: 30, Drop: 7, Value: func(s *kube.Service) string { return s.External }},
		col{Name: "PORTS", Max: 30, Drop: 3, Value: func(s *kube.Service) string { return s.Ports }},
		col{Name: "ENDPOINTS", Align: ui.Right, Drop: 1, Value: endpoints,
			Style: func(st *theme.Styles, s *kube.Service) lipgloss.Style {
				switch {
				case s.Selector != "" && s.Ready == 0:
					return st.Bad // a selector that reaches no ready pod: traffic goes nowhere
				case s.Ready < s.Total:
					return st.Warn
				}
				return st.Text
			}},
		col{Name: "SELECTOR", Max: 40, Drop: 8, Value: func(s *kube.Service) string {
			if s.Selector == "" {
				return "<none>"
			}
			return s.Selector
		}},
		ageColumn(env, func(s *kube.Service) time.Time { return s.Created }),
	)
}
