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

// intText is a whole number as the language spoken writes it, its
// thousands grouped: "5,004", "5 004".
func intText(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	head := len(s) % 3
	if head == 0 {
		head = 3
	}
	out := s[:head]
	for i := head; i < len(s); i += 3 {
		out = lang.L("{{.High}},{{.Low}}", map[string]any{"High": out, "Low": s[i : i+3]})
	}
	return sign + out
}

// numbers is data with its whole numbers written by intText, for a
// message that counts things.
func numbers(data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		switch n := v.(type) {
		case int:
			v = intText(int64(n))
		case int64:
			v = intText(n)
		}
		out[k] = v
	}
	return out
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
	return plural("{{.Left}} left", n, map[string]any{"Left": text})
}

// dateText is a day as the language spoken writes it, the month in
// words: "March 31, 2026", "31 mars 2026" ("1er avril 2026").
func dateText(t time.Time) string {
	data := map[string]any{"Day": t.Day(), "Month": monthName(t.Month()), "Year": t.Year()}
	if t.Day() == 1 {
		return lang.L("{{.Month}} 1, {{.Year}}", data)
	}
	return lang.L("{{.Month}} {{.Day}}, {{.Year}}", data)
}

// dateTimeText is a moment as the language spoken writes it, in the
// computer's time zone, on a 24-hour clock: "March 31, 2026, 09:05",
// "31 mars 2026 à 09:05".
func dateTimeText(t time.Time) string {
	t = t.Local()
	return lang.L("{{.Date}}, {{.Time}}", map[string]any{"Date": dateText(t), "Time": t.Format("15:04")})
}

// monthName is a month's name in the language spoken.
func monthName(m time.Month) string {
	names := [...]string{lang.L("January"), lang.L("February"), lang.L("March"), lang.L("April"), lang.L("May"), lang.L("June"),
		lang.L("July"), lang.L("August"), lang.L("September"), lang.L("October"), lang.L("November"), lang.L("December")}
	if m < time.January || m > time.December {
		return m.String()
	}
	return names[m-1]
}
