package views

import (
	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/ui"
)

// The views' own pages take the mouse (ui.MouseTarget) as the shell's list and text pages do.

// Mouse scrolls the log with the wheel, pausing follow as the arrow keys do.
func (p *LogsPage) Mouse(m ui.Mouse) tea.Cmd {
	if m.Wheel != 0 && p.picker == nil {
		p.scroll(int64(m.Wheel))
	}
	return nil
}

// Mouse scrolls the drain's pods with the wheel.
func (p *DrainPage) Mouse(m ui.Mouse) tea.Cmd { return p.text.Mouse(m) }

// Mouse moves the cursor in the tree; a double click opens the node as enter does.
func (p *TreePage) Mouse(m ui.Mouse) tea.Cmd {
	if !p.fetched.Loaded || !p.table.Mouse(m) {
		return nil
	}
	r, ok := p.table.Selected()
	if !ok || r.node.Ref.GVR.Empty() {
		return nil
	}
	return ui.Push(p.open(r.node))
}

// Mouse moves the cursor among the containers, below the summary line when it is drawn.
func (c *Containers) Mouse(m ui.Mouse) tea.Cmd {
	m.Y -= c.tableTop
	c.table.Mouse(m)
	return nil
}
