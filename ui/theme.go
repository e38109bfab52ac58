package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// accessibleTheme is Fyne's default theme with the colours that fall short
// of WCAG 2.2 AA replaced (TestThemeContrastAA measures them): darker text
// and secondary text in light, lighter secondary text in dark, control
// borders at 3:1, and a focus that shows on any button. The focus is a
// translucent black (light) or white (dark) laid over whatever has focus,
// chosen so that the text on a focused button still reads at 4.5:1; on
// buttons the ring (button.go) carries the 3:1 a tint cannot.
type accessibleTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
	fixed   bool // hold variant, whatever the system prefers
}

func rgb(v uint32) color.NRGBA {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

var accessibleColors = map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color{
	theme.VariantLight: {
		theme.ColorNameForeground:          rgb(0x1c1c1e),
		theme.ColorNameButton:              rgb(0xf2f2f2),
		theme.ColorNameDisabled:            rgb(0x6b6b6b),
		theme.ColorNamePlaceHolder:         rgb(0x6b6b6b),
		theme.ColorNameInputBorder:         rgb(0x8a8a8a),
		theme.ColorNameError:               rgb(0xc62828),
		theme.ColorNameForegroundOnError:   rgb(0xffffff),
		theme.ColorNameWarning:             rgb(0x9a5300),
		theme.ColorNameForegroundOnWarning: rgb(0xffffff),
		theme.ColorNameSuccess:             rgb(0x1e7d32),
		theme.ColorNameForegroundOnSuccess: rgb(0xffffff),
		theme.ColorNamePrimary:             rgb(0x1f5fcc),
		theme.ColorNameHyperlink:           rgb(0x1f5fcc),
		theme.ColorNameForegroundOnPrimary: rgb(0xffffff),
		theme.ColorNameFocus:               color.NRGBA{A: 0x70},
	},
	theme.VariantDark: {
		theme.ColorNameForeground:          rgb(0xffffff),
		theme.ColorNameButton:              rgb(0x1c1c1e),
		theme.ColorNameDisabled:            rgb(0x9e9e9e),
		theme.ColorNamePlaceHolder:         rgb(0xa8a8a8),
		theme.ColorNameInputBorder:         rgb(0x7a7a7e),
		theme.ColorNameError:               rgb(0xff6b6b),
		theme.ColorNameForegroundOnError:   rgb(0x171718),
		theme.ColorNamePrimary:             rgb(0x5c9dff),
		theme.ColorNameHyperlink:           rgb(0x5c9dff),
		theme.ColorNameForegroundOnPrimary: rgb(0x101012),
		theme.ColorNameFocus:               color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0x5c},
	},
}

func (t accessibleTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.fixed {
		v = t.variant
	}
	if c, ok := accessibleColors[v][n]; ok {
		return c
	}
	return t.Theme.Color(n, v)
}

// applyTheme follows the system ("") or holds light or dark.
func applyTheme(app fyne.App, variant string) {
	switch variant {
	case "light":
		app.Settings().SetTheme(accessibleTheme{Theme: theme.DefaultTheme(), variant: theme.VariantLight, fixed: true})
	case "dark":
		app.Settings().SetTheme(accessibleTheme{Theme: theme.DefaultTheme(), variant: theme.VariantDark, fixed: true})
	default:
		app.Settings().SetTheme(accessibleTheme{Theme: theme.DefaultTheme()})
	}
}
