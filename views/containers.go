package views

import (
	"fmt"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/kube/forward"
	"github.com/kdeck/kdeck/theme"
	"github.com/kdeck/kdeck/ui"
)

// sparkWidth is how many samples a sparkline column shows (15 of the 60 kept: ~4 minutes).
const sparkWidth = 15

// Containers is the containers view of one pod: its containers with state, probes, usage
// against requests and limits, and usage history. It watches the single pod, so it stays live.
type Containers struct {
	env     *ui.Env
	pod     kube.Key
	feed    *ui.Feed[*kube.PodDetail]
	metrics metricsLive
	snap    kube.Snapshot[*kube.PodDetail]
	table   ui.Table[*kube.Container]
	// tableTop is the line the table starts on at the last render: 1 below the summary.
	tableTop int
}

// NewContainers returns the containers view of pod.
func NewContainers(env *ui.Env, pod kube.Key) *Containers {
	c := &Containers{env: env, pod: pod, metrics: newMetricsLive(env, pod.Namespace)}
	c.table.Columns = c.columns()
	return c
}

// containerUsage is a container's current usage in m; ok is false without metrics for it.
func containerUsage(m *kube.MetricsSnapshot, pod kube.Key, name string) (kube.ContainerUsage, bool) {
	u, ok := m.Pod(pod)
	if !ok {
		return kube.ContainerUsage{}, false
	}
	return u.Container(name)
}

func (c *Containers) columns() []ui.Column[*kube.Container] {
	read := func(k *kube.Container) (kube.ContainerUsage, bool) {
		return containerUsage(c.metrics.Value, c.pod, k.Name)
	}
	use := newUsageColumns(func(k *kube.Container) (int64, int64, kube.ReqLim, bool) {
		u, ok := read(k)
		s := u.Current()
		return s.CPUMilli(), s.MemBytes(), k.ReqLim, ok
	})
	spark := func(name string, values func(kube.History) []int64, top func(kube.ReqLim) int64) ui.Column[*kube.Container] {
		return ui.Column[*kube.Container]{Name: name, Min: sparkWidth, Max: sparkWidth,
			Value: func(k *kube.Container) string {
				u, ok := read(k)
				if !ok {
					return notAvailable
				}
				return ui.Sparkline(values(u.History), sparkWidth, top(k.ReqLim))
			},
			Style: func(st *theme.Styles, _ *kube.Container) lipgloss.Style { return st.Accent }}
	}
	orBoth := func(lim, req int64) int64 { return max(lim, req) }
	return []ui.Column[*kube.Container]{
		{Name: "NAME", Flex: true, Min: 8, Value: func(k *kube.Container) string {
			switch {
			case k.Sidecar:
				return k.Name + " (sidecar)"
			case k.Init:
				return k.Name + " (init)"
			}
			return k.Name
		}},
		{Name: "IMAGE", Max: 40, Drop: 12, Value: func(k *kube.Container) string { return k.Image }},
		{Name: "READY", Drop: 3, Value: func(k *kube.Container) string { return strconv.FormatBool(k.Ready) },
			Style: func(st *theme.Styles, k *kube.Container) lipgloss.Style {
				return warnIf(st, !k.Ready && !(k.Init && !k.Sidecar))
			}},
		{Name: "STATE", Max: 32, Drop: 1, Value: func(k *kube.Container) string { return k.State },
			Style: func(st *theme.Styles, k *kube.Container) lipgloss.Style { return stateStyle(st, k.State) }},
		{Name: "RESTARTS", Align: ui.Right, Drop: 4, Value: func(k *kube.Container) string { return strconv.Itoa(int(k.Restarts)) },
			Style: func(st *theme.Styles, k *kube.Container) lipgloss.Style { return warnIf(st, k.Restarts > 0) }},
		{Name: "PORTS", Max: 24, Drop: 13, Value: func(k *kube.Container) string { return k.Ports }},
		{Name: "PROBES", Max: 44, Drop: 11, Value: func(k *kube.Container) string { return k.Probes }},
		drop(use.CPU, 2),
		drop(use.CPUReq, 6),
		drop(use.CPULim, 8),
		drop(use.Mem, 3),
		drop(use.MemReq, 6),
		drop(use.MemLim, 8),
		drop(spark("CPU HISTORY", kube.History.CPU, func(r kube.ReqLim) int64 { return orBoth(r.CPULim, r.CPUReq) }), 10),
		drop(spark("MEM HISTORY", kube.History.Mem, func(r kube.ReqLim) int64 { return orBoth(r.MemLim, r.MemReq) }), 14),
	}
}

// stateStyle colours a container state: running is good, a waiting or terminated reason
// that means failure is bad.
func stateStyle(st *theme.Styles, state string) lipgloss.Style {
	switch {
	case state == "running":
		return st.Good
	case len(state) > 9 && state[:9] == "waiting: ":
		return st.ForStatus(state[9:])
	case state == "terminated: Completed (exit 0)":
		return st.Muted
	}
	return st.Warn
}

// Init starts the pod's watch and follows its metrics.
func (c *Containers) Init() tea.Cmd {
	c.feed = ui.StartFeed(c.env, kube.NewStore(c.env.Client.PodDetailSource(c.pod.Namespace, c.pod.Name)))
	return tea.Batch(c.feed.Next(), c.metrics.Init())
}

// Update takes the pod's snapshots, the metrics and the navigation keys.
func (c *Containers) Update(msg tea.Msg) (ui.Page, tea.Cmd) {
	if snap, next, ok := c.feed.Accept(msg); ok {
		c.Show(snap)
		return c, next
	}
	if next, ok := c.metrics.Accept(msg); ok {
		return c, next
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if key.Matches(k, containerKeys.Shell) {
			return c, c.shell()
		}
		if key.Matches(k, forwardKey) {
			return c, c.forward()
		}
		if key.Matches(k, debugKey) {
			return c, c.debug()
		}
		c.table.Navigate(k)
	}
	return c, nil
}

// containerKeys are the containers view's own keys.
var containerKeys = struct{ Shell key.Binding }{
	Shell: ui.NewKey("containers", "shell (exec; exit returns here)", "s"),
}

// execAccess is what a shell needs in the pod's namespace.
func (c *Containers) execAccess() []kube.Access {
	return []kube.Access{kube.ExecAccess(c.pod.Namespace)}
}

// shell suspends kdeck and opens a shell in the selected container, if it is running.
func (c *Containers) shell() tea.Cmd {
	ct, ok := c.table.Selected()
	if !ok {
		return nil
	}
	if ct.State != "running" {
		return ui.Notify(ui.LevelWarn, "shell: container "+ct.Name+" is not running ("+ct.State+")")
	}
	env, pod, name := c.env, c.pod, ct.Name
	return env.Guard("shell", c.execAccess(), false, func() tea.Cmd {
		return terminal(env.Client.Shell(pod.Namespace, pod.Name, name), "shell in "+pod.Name+"/"+name)
	})
}

// debug asks for the image of a debug container sharing the selected container's
// processes (a plain init container has none left), through the dispatcher.
func (c *Containers) debug() tea.Cmd {
	ct, ok := c.table.Selected()
	if !ok {
		return nil
	}
	env, pod, name := c.env, c.pod, ct.Name
	return env.Guard("debug", kube.DebugAccess(pod.Namespace), false, func() tea.Cmd {
		if ct.Init && !ct.Sidecar {
			return ui.Notify(ui.LevelWarn, "debug: "+name+" is an init container; pick a running container to share processes with")
		}
		return env.Ask(debugDialog(env, pod.Namespace, pod.Name, name))
	})
}

// forward asks for a port-forward to the selected container's ports, through the dispatcher.
func (c *Containers) forward() tea.Cmd {
	k, ok := c.table.Selected()
	if !ok {
		return nil
	}
	env, pod := c.env, c.pod
	return env.Guard("port-forward", c.forwardAccess(), false, func() tea.Cmd {
		return askForward(env, forward.KindPod, pod.Namespace, pod.Name, k.Name)
	})
}

func (c *Containers) forwardAccess() []kube.Access {
	return forward.Access(forward.KindPod, c.pod.Namespace)
}

// Show displays snap (at most one pod), keeping the selection on the same container.
func (c *Containers) Show(snap kube.Snapshot[*kube.PodDetail]) {
	c.snap = snap
	var rows []*kube.Container
	if d, ok := c.detail(); ok {
		rows = make([]*kube.Container, len(d.Containers))
		for i := range d.Containers {
			rows[i] = &d.Containers[i]
		}
	}
	c.table.SetRows(rows, func(a, b *kube.Container) bool { return a.Name == b.Name && a.Init == b.Init })
}

func (c *Containers) detail() (*kube.PodDetail, bool) {
	for _, d := range c.snap.Rows {
		if d.RowKey() == c.pod {
			return d, true
		}
	}
	return nil, false
}

// View renders a line with the pod's requests and limits above the containers table.
func (c *Containers) View(width, height int) string {
	stale := c.snap.State.Phase == kube.PhaseBroken
	if height < 4 {
		c.tableTop = 0
		return c.table.View(c.env.Styles, width, height, stale)
	}
	c.tableTop = 1
	return ui.Fit(c.summary(), width) + "\n" + c.table.View(c.env.Styles, width, height-1, stale)
}

// summary is "pod requests cpu 100m mem 128Mi · limits cpu 200m mem - · using cpu 90m (90%) mem 100Mi (78%)".
func (c *Containers) summary() string {
	st := c.env.Styles
	d, ok := c.detail()
	if !ok {
		return st.Muted.Render("pod " + c.pod.Namespace + "/" + c.pod.Name)
	}
	r := d.ReqLim
	cpu := func(v int64) string {
		if v == 0 {
			return "-"
		}
		return ui.MilliCPU(v)
	}
	mem := func(v int64) string {
		if v == 0 {
			return "-"
		}
		return kube.FormatBytes(v)
	}
	text := fmt.Sprintf("requests cpu %s mem %s · limits cpu %s mem %s", cpu(r.CPUReq), mem(r.MemReq), cpu(r.CPULim), mem(r.MemLim))
	if u, ok := c.metrics.Value.Pod(c.pod); ok {
		text += fmt.Sprintf(" · using cpu %s (%s of req) mem %s (%s of req)", ui.MilliCPU(u.CPU()),
			ui.Percent(u.CPU(), r.CPUReq), kube.FormatBytes(u.Mem()), ui.Percent(u.Mem(), r.MemReq))
	}
	return st.Muted.Render(text)
}

// Title is "containers(NAMESPACE/POD)[COUNT]", marked STALE while the watch is broken.
func (c *Containers) Title() string {
	return ui.StaleTitle(fmt.Sprintf("containers(%s/%s)[%d]", c.pod.Namespace, c.pod.Name, c.table.Len()), c.snap.State)
}

// Freshness reports the pod's watch, says when the pod is gone, and why metrics are missing.
func (c *Containers) Freshness() ui.Freshness {
	f := ui.FreshnessOf(c.snap.State, c.table.Len(), "containers", c.env.Now())
	if _, ok := c.detail(); !ok && c.snap.State.Phase == kube.PhaseLive {
		f = ui.Freshness{Level: ui.LevelWarn, Text: "pod " + c.pod.Namespace + "/" + c.pod.Name + " no longer exists"}
	}
	return ui.WithNote(f, c.metrics)
}

// Bindings lists the page's keys.
func (c *Containers) Bindings() []key.Binding {
	return append(ui.TableBindings(), c.env.Disabled(containerKeys.Shell, c.execAccess(), false),
		c.env.Disabled(forwardKey, c.forwardAccess(), false), c.env.Disabled(debugKey, kube.DebugAccess(c.pod.Namespace), false))
}

// Close stops the pod's watch and stops following metrics.
func (c *Containers) Close() {
	if c.feed != nil {
		c.feed.Stop()
	}
	c.metrics.Close()
}

// Selection is the pod and the selected container, for plugins.
func (c *Containers) Selection() (ui.Selection, bool) {
	ct, ok := c.table.Selected()
	if !ok {
		return ui.Selection{}, false
	}
	return ui.Selection{View: "containers", Namespace: c.pod.Namespace, Name: c.pod.Name, Container: ct.Name,
		Resource: kube.GVRPods.GroupResource()}, true
}
