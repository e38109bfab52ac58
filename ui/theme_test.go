package ui

import (
	"fmt"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// luminance is WCAG 2.2's relative luminance of an opaque colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// over draws c (perhaps translucent) on an opaque under, as Fyne blends.
func over(under, c color.Color) color.Color {
	ur, ug, ub, _ := under.RGBA()
	cr, cg, cb, ca := c.RGBA() // premultiplied
	k := float64(0xffff-ca) / 0xffff
	mix := func(u, v uint32) uint8 { return uint8((float64(v) + float64(u)*k) / 0x101) }
	return color.NRGBA{mix(ur, cr), mix(ug, cg), mix(ub, cb), 0xff}
}

// WCAG 2.2 AA in both variants of the theme the window applies: text
// (labels, secondary text, placeholders, errors, links, text on buttons,
// focused buttons included) at 4.5:1 or more; the boundaries of controls
// (an unticked box, an entry's border) and the focus indicator at 3:1.
func TestThemeContrastAA(t *testing.T) {
	app := test.NewTempApp(t)
	for _, variant := range []string{"light", "dark"} {
		t.Run(variant, func(t *testing.T) {
			applyTheme(app, variant)
			th := app.Settings().Theme()
			c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, app.Settings().ThemeVariant()) }
			bg := c(theme.ColorNameBackground)
			focused := over(c(theme.ColorNameButton), c(theme.ColorNameFocus))
			focusedPrimary := over(c(theme.ColorNamePrimary), c(theme.ColorNameFocus))
			for _, tc := range []struct {
				name   string
				fg, bg color.Color
				min    float64
			}{
				{"text", c(theme.ColorNameForeground), bg, 4.5},
				{"text in an entry", c(theme.ColorNameForeground), c(theme.ColorNameInputBackground), 4.5},
				{"secondary text", c(theme.ColorNameDisabled), bg, 4.5},
				{"placeholder", c(theme.ColorNamePlaceHolder), c(theme.ColorNameInputBackground), 4.5},
				{"error text", c(theme.ColorNameError), bg, 4.5},
				{"warning text", c(theme.ColorNameWarning), bg, 4.5},
				{"success text", c(theme.ColorNameSuccess), bg, 4.5},
				{"link", c(theme.ColorNameHyperlink), bg, 4.5},
				{"button text", c(theme.ColorNameForeground), c(theme.ColorNameButton), 4.5},
				{"focused button text", c(theme.ColorNameForeground), focused, 4.5},
				{"main button text", c(theme.ColorNameForegroundOnPrimary), c(theme.ColorNamePrimary), 4.5},
				{"focused main button text", c(theme.ColorNameForegroundOnPrimary), focusedPrimary, 4.5},
				{"danger button text", c(theme.ColorNameForegroundOnError), c(theme.ColorNameError), 4.5},
				{"unticked box and entry border", c(theme.ColorNameInputBorder), bg, 3},
				{"ticked box", c(theme.ColorNamePrimary), bg, 3},
				{"focus on the background", over(bg, c(theme.ColorNameFocus)), bg, 3},
				{"focus on a button", focused, c(theme.ColorNameButton), 3},
			} {
				if got := contrast(tc.fg, tc.bg); got < tc.min {
					t.Errorf("%s: %.2f:1, want %.1f:1 (%s on %s)", tc.name, got, tc.min, hex(tc.fg), hex(tc.bg))
				}
			}
			// The focus indicator of every kind of button (WCAG 2.2
			// 1.4.11 and 2.4.13): its ring differs at 3:1 from the same
			// pixels unfocused and from the focused fill around it. A
			// tint alone differed by 2.01:1 (light) and 1.46:1 (dark)
			// on the blue button.
			for _, kind := range []struct {
				name       string
				importance widget.Importance
				fill       color.Color // unfocused
			}{
				{"button", widget.MediumImportance, c(theme.ColorNameButton)},
				{"main button", widget.HighImportance, c(theme.ColorNamePrimary)},
				{"danger button", widget.DangerImportance, c(theme.ColorNameError)},
				{"flat button", widget.LowImportance, bg},
			} {
				ring := c(focusRingColor(kind.importance))
				focusedFill := over(kind.fill, c(theme.ColorNameFocus))
				if kind.importance == widget.LowImportance {
					focusedFill = over(c(theme.ColorNameButton), c(theme.ColorNameFocus))
				}
				for _, around := range []struct {
					name string
					c    color.Color
				}{{"unfocused", kind.fill}, {"focused", focusedFill}} {
					if got := contrast(ring, around.c); got < 3 {
						t.Errorf("focus ring of a %s against its %s fill: %.2f:1, want 3:1 (%s on %s)", kind.name, around.name, got, hex(ring), hex(around.c))
					}
				}
			}
		})
	}
}

func hex(c color.Color) string {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return fmt.Sprintf("#%02x%02x%02x", n.R, n.G, n.B)
}
