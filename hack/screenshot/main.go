// Command screenshot turns a terminal capture with ANSI colours (tmux capture-pane -e) into
// an SVG image, so README screenshots are rendered from a real session, never drawn by hand.
//
//	tmux capture-pane -e -p -t PANE | go run ./hack/screenshot > screenshots/pods.svg
package main

import (
	"bufio"
	"fmt"
	"html"
	"image/color"
	"io"
	"os"
	"strconv"
	"strings"
)

const (
	cellW, cellH = 8.4, 17.0 // px per cell at a 14px monospace font
	pad          = 12.0
)

var (
	defaultFg = color.RGBA{0xd0, 0xd0, 0xd0, 0xff}
	defaultBg = color.RGBA{0x12, 0x12, 0x12, 0xff}
)

// style is the SGR state that applies to a run of text.
type style struct {
	fg, bg      color.RGBA
	bold, faint bool
	hasBg       bool
}

// span is a run of text in one style at a cell position.
type span struct {
	x, y int
	text string
	st   style
}

func main() {
	if err := render(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "screenshot:", err)
		os.Exit(1)
	}
}

func render(in io.Reader, out io.Writer) error {
	var spans []span
	width, height := 0, 0
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	st := style{fg: defaultFg, bg: defaultBg}
	for y := 0; sc.Scan(); y++ {
		x := 0
		line := sc.Text()
		var run strings.Builder
		flush := func() {
			if run.Len() > 0 {
				spans = append(spans, span{x - len([]rune(run.String())), y, run.String(), st})
				run.Reset()
			}
		}
		for i := 0; i < len(line); {
			if line[i] == 0x1b && i+1 < len(line) && line[i+1] == '[' {
				end := strings.IndexByte(line[i:], 'm')
				if end < 0 {
					break
				}
				flush()
				st = apply(st, line[i+2:i+end])
				i += end + 1
				continue
			}
			r := []rune(line[i:])[0]
			run.WriteRune(r)
			x++
			i += len(string(r))
		}
		flush()
		width = max(width, x)
		height = y + 1
	}
	if err := sc.Err(); err != nil {
		return err
	}
	w, h := float64(width)*cellW+2*pad, float64(height)*cellH+2*pad
	fmt.Fprintf(out, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14">`+"\n", w, h)
	fmt.Fprintf(out, `<rect width="100%%" height="100%%" rx="6" fill="%s"/>`+"\n", hex(defaultBg))
	for _, s := range spans {
		x, y := pad+float64(s.x)*cellW, pad+float64(s.y)*cellH
		n := float64(len([]rune(s.text)))
		if s.st.hasBg {
			fmt.Fprintf(out, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", x, y, n*cellW, cellH, hex(s.st.bg))
		}
		if strings.TrimSpace(s.text) == "" {
			continue
		}
		attrs := ""
		if s.st.bold {
			attrs += ` font-weight="bold"`
		}
		if s.st.faint {
			attrs += ` opacity="0.6"`
		}
		fmt.Fprintf(out, `<text x="%.1f" y="%.1f" fill="%s" xml:space="preserve" textLength="%.1f"%s>%s</text>`+"\n",
			x, y+cellH-4, hex(s.st.fg), n*cellW, attrs, html.EscapeString(s.text))
	}
	_, err := fmt.Fprintln(out, "</svg>")
	return err
}

// apply updates st with the SGR parameters params ("1;38;5;75").
func apply(st style, params string) style {
	ps := strings.Split(params, ";")
	if params == "" {
		ps = []string{"0"}
	}
	for i := 0; i < len(ps); i++ {
		n, _ := strconv.Atoi(ps[i])
		switch {
		case n == 0:
			st = style{fg: defaultFg, bg: defaultBg}
		case n == 1:
			st.bold = true
		case n == 2:
			st.faint = true
		case n == 22:
			st.bold, st.faint = false, false
		case n == 39:
			st.fg = defaultFg
		case n == 49:
			st.bg, st.hasBg = defaultBg, false
		case n >= 30 && n <= 37:
			st.fg = xterm(n - 30)
		case n >= 90 && n <= 97:
			st.fg = xterm(n - 90 + 8)
		case n >= 40 && n <= 47:
			st.bg, st.hasBg = xterm(n-40), true
		case (n == 38 || n == 48) && i+2 < len(ps) && ps[i+1] == "5":
			c, _ := strconv.Atoi(ps[i+2])
			if n == 38 {
				st.fg = xterm(c)
			} else {
				st.bg, st.hasBg = xterm(c), true
			}
			i += 2
		case (n == 38 || n == 48) && i+4 < len(ps) && ps[i+1] == "2":
			r, _ := strconv.Atoi(ps[i+2])
			g, _ := strconv.Atoi(ps[i+3])
			b, _ := strconv.Atoi(ps[i+4])
			c := color.RGBA{uint8(r), uint8(g), uint8(b), 0xff}
			if n == 38 {
				st.fg = c
			} else {
				st.bg, st.hasBg = c, true
			}
			i += 4
		}
	}
	return st
}

// xterm returns colour n of the xterm 256-colour palette.
func xterm(n int) color.RGBA {
	base := []color.RGBA{{0, 0, 0, 255}, {205, 0, 0, 255}, {0, 205, 0, 255}, {205, 205, 0, 255}, {0, 0, 238, 255},
		{205, 0, 205, 255}, {0, 205, 205, 255}, {229, 229, 229, 255}, {127, 127, 127, 255}, {255, 0, 0, 255},
		{0, 255, 0, 255}, {255, 255, 0, 255}, {92, 92, 255, 255}, {255, 0, 255, 255}, {0, 255, 255, 255}, {255, 255, 255, 255}}
	switch {
	case n < 16:
		return base[n]
	case n < 232:
		n -= 16
		level := func(v int) uint8 {
			if v == 0 {
				return 0
			}
			return uint8(55 + v*40)
		}
		return color.RGBA{level(n / 36), level(n / 6 % 6), level(n % 6), 255}
	case n < 256:
		v := uint8(8 + (n-232)*10)
		return color.RGBA{v, v, v, 255}
	}
	return defaultFg
}

func hex(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
