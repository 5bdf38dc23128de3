package views

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

// openSave opens the file name prompt of a save, with a new name in the current directory.
func (p *LogsPage) openSave() {
	if p.buf.Len() == 0 {
		p.flash = "no lines to save yet"
		return
	}
	p.saving = ui.NewPrompt(p.env.Styles, "save to: ", nil)
	p.saving.SetValue(p.saveName())
}

// saveName is the default file of a save: POD-CONTAINER-YYYYMMDD-HHMMSS.log, or for a
// selector page the title's kind and name (deploy-web-…).
func (p *LogsPage) saveName() string {
	name := p.pod
	if p.opts.Container != "" {
		name += "-" + p.opts.Container
	}
	if p.selector != "" {
		_, rest, _ := strings.Cut(p.label, "/") // "NS/KIND/NAME" → KIND/NAME
		name = strings.ReplaceAll(rest, "/", "-")
	}
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, strings.TrimLeft(name, "."))
	if name == "" {
		name = "logs"
	}
	return name + "-" + p.env.Now().Format("20060102-150405") + ".log"
}

// saveKey reads the file name; enter saves every line held, as shown, in a command.
func (p *LogsPage) saveKey(k tea.KeyPressMsg) tea.Cmd {
	return promptKey(&p.saving, k, func(path string) tea.Cmd {
		if path == "" {
			p.flash = "not saved: no file name"
			return nil
		}
		lines := make([]kube.LogLine, 0, p.buf.Len())
		for i := p.buf.Dropped(); i < p.buf.Total(); i++ {
			l, _ := p.buf.At(i)
			lines = append(lines, l)
		}
		var js func(string) (jsonLine, bool)
		if p.json {
			js = formatJSON
		}
		stamps := p.stamps
		return func() tea.Msg { // formatting and the file, off the UI goroutine
			rows := make([]string, len(lines))
			for i, l := range lines {
				rows[i] = rowOf(l, stamps, js).plain()
			}
			saved, err := saveLines(path, rows)
			if err != nil {
				return ui.NotifyMsg{Level: ui.LevelError, Text: "not saved: " + err.Error()}
			}
			return ui.NotifyMsg{Level: ui.LevelOK, Text: fmt.Sprintf("saved %s lines to %s", ui.Count(len(rows)), saved)}
		}
	})
}

// saveLines writes lines to a new file at path (a leading ~/ is the home directory),
// readable by its owner alone, and returns its absolute path. It never replaces a file:
// if path exists, or the write fails, nothing is left behind.
func saveLines(path string, lines []string) (string, error) {
	if path == "~" || strings.HasPrefix(path, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home directory for ~: %w", err)
		}
		path = filepath.Join(home, path[1:])
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return "", fmt.Errorf("%s already exists (kdeck never overwrites a file)", path)
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("no directory %s", filepath.Dir(path))
	case errors.Is(err, fs.ErrPermission):
		return "", fmt.Errorf("no permission to create %s", path)
	case err != nil:
		return "", err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return path, nil
}
