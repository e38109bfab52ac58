package ui

import (
	"math"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"
)

// sizeText is a number of bytes as the language spoken writes it:
// "12.5 GiB", "12,5 Gio".
func sizeText(b float64) string {
	switch {
	case b >= 1<<40:
		return lang.L("{{.N}} TiB", map[string]any{"N": decimalText(b / (1 << 40))})
	case b >= 1<<30:
		return lang.L("{{.N}} GiB", map[string]any{"N": decimalText(b / (1 << 30))})
	case b >= 1<<20:
		return lang.L("{{.N}} MiB", map[string]any{"N": decimalText(b / (1 << 20))})
	case b >= 1<<10:
		return lang.L("{{.N}} KiB", map[string]any{"N": decimalText(b / (1 << 10))})
	}
	return lang.L("{{.N}} bytes", map[string]any{"N": int64(b)})
}

// decimalText is a number with at most one decimal, with the language's
// decimal mark.
func decimalText(v float64) string {
	v = math.Round(v*10) / 10
	s := strconv.FormatFloat(v, 'f', -1, 64)
	whole, frac, ok := strings.Cut(s, ".")
	if !ok {
		return whole
	}
	return lang.L("{{.Int}}.{{.Frac}}", map[string]any{"Int": whole, "Frac": frac})
}

// durationText is a wait in minutes or seconds, in words.
func durationText(d time.Duration) string {
	if d >= time.Minute {
		return lang.L("{{.N}} min", map[string]any{"N": int(math.Ceil(d.Minutes()))})
	}
	return lang.L("{{.N}} s", map[string]any{"N": int(math.Ceil(d.Seconds()))})
}

// leftText is the time a transfer has left, in whole seconds or minutes.
func leftText(d time.Duration) string {
	text := durationText(d)
	n := int(math.Ceil(d.Seconds()))
	if d >= time.Minute {
		n = int(math.Ceil(d.Minutes()))
	}
	return lang.N("{{.Left}} left", n, map[string]any{"Left": text})
}
