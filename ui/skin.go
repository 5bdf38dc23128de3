package ui

import "github.com/kdeck/kdeck/theme"

// restyle sets the styles of the current context: those Env.Skin gives for it when they are
// chosen (a skin, NO_COLOR), else dark or light after the terminal's background. Without
// Env.Skin the styles stay as they are.
func (a *App) restyle() {
	if a.env.Skin == nil {
		return
	}
	st := a.env.Skin(a.env.Client.Info.Context)
	if st == nil || !st.Chosen {
		st = theme.New(a.backdrop())
	}
	a.env.Styles = st
}

// backdrop is the palette for the terminal's background: light when it said so, else dark.
func (a *App) backdrop() theme.Palette {
	if a.light {
		return theme.Light()
	}
	return theme.Dark()
}
