package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ByteSize is a number of bytes. In JSON it is written with a unit,
// "512 MiB" or "8 GiB"; decimal units ("2 GB") are accepted as well, so that
// a figure copied from a vendor's sheet means what it says.
type ByteSize int64

// byteUnit is a unit's multiplier (lowercase name). A switch, not a map:
// a package-level map is built at start by every run of the program.
func byteUnit(unit string) (float64, bool) {
	switch unit {
	case "b":
		return 1, true
	case "kb":
		return 1e3, true
	case "mb":
		return 1e6, true
	case "gb":
		return 1e9, true
	case "tb":
		return 1e12, true
	case "kib":
		return 1 << 10, true
	case "mib":
		return 1 << 20, true
	case "gib":
		return 1 << 30, true
	case "tib":
		return 1 << 40, true
	}
	return 0, false
}

const maxByteSize = 1 << 50 // 1 PiB: anything larger is a typo

// ParseByteSize reads "8 GiB", "512MiB", "2.5 GB" or "1024 B".
func ParseByteSize(s string) (ByteSize, error) {
	num, unit := splitUnit(s)
	mult, ok := byteUnit(strings.ToLower(unit))
	if !ok {
		return 0, fmt.Errorf("want a size with a unit such as \"512 MiB\" or \"8 GiB\" (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), found %q", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("want a size such as \"8 GiB\", found %q", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("want a size of zero or more, found %q", s)
	}
	b := v * mult
	if b > maxByteSize {
		return 0, fmt.Errorf("size %q is larger than 1 PiB", s)
	}
	return ByteSize(math.Round(b)), nil
}

// String writes the size in the largest binary unit that keeps it readable.
func (b ByteSize) String() string {
	switch {
	case b >= 1<<40:
		return trimFloat(float64(b)/(1<<40)) + " TiB"
	case b >= 1<<30:
		return trimFloat(float64(b)/(1<<30)) + " GiB"
	case b >= 1<<20:
		return trimFloat(float64(b)/(1<<20)) + " MiB"
	case b >= 1<<10:
		return trimFloat(float64(b)/(1<<10)) + " KiB"
	}
	return strconv.FormatInt(int64(b), 10) + " B"
}

// MarshalJSON writes the exact number of bytes with a unit, so that a
// round trip loses nothing.
func (b ByteSize) MarshalJSON() ([]byte, error) {
	s := b.String()
	if v, err := ParseByteSize(s); err != nil || v != b {
		s = strconv.FormatInt(int64(b), 10) + " B"
	}
	return json.Marshal(s)
}

// Frequency is a clock rate in MHz, written "2.5 GHz" or "2500 MHz".
type Frequency int64

// ParseFrequency reads "2.5 GHz" or "2500 MHz".
func ParseFrequency(s string) (Frequency, error) {
	num, unit := splitUnit(s)
	var mult float64
	switch strings.ToLower(unit) {
	case "mhz":
		mult = 1
	case "ghz":
		mult = 1000
	default:
		return 0, fmt.Errorf("want a clock rate with a unit such as \"2.5 GHz\" or \"2500 MHz\", found %q", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v*mult > 1e6 {
		return 0, fmt.Errorf("want a clock rate from 0 to 1000 GHz such as \"2.5 GHz\", found %q", s)
	}
	return Frequency(math.Round(v * mult)), nil
}

func (f Frequency) String() string {
	if f >= 1000 {
		return trimFloat(float64(f)/1000) + " GHz"
	}
	return strconv.FormatInt(int64(f), 10) + " MHz"
}

// MarshalJSON writes the frequency in MHz.
func (f Frequency) MarshalJSON() ([]byte, error) {
	return json.Marshal(strconv.FormatInt(int64(f), 10) + " MHz")
}

// Resolution is a display size in pixels, written "1920x1080".
type Resolution struct {
	Width, Height int
}

// ParseResolution reads "1920x1080".
func ParseResolution(s string) (Resolution, error) {
	w, h, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	if ok {
		wi, err1 := strconv.Atoi(strings.TrimSpace(w))
		hi, err2 := strconv.Atoi(strings.TrimSpace(h))
		if err1 == nil && err2 == nil && wi > 0 && hi > 0 && wi <= 100000 && hi <= 100000 {
			return Resolution{wi, hi}, nil
		}
	}
	return Resolution{}, fmt.Errorf("want a resolution such as \"1920x1080\", found %q", s)
}

// IsZero reports whether no resolution is set.
func (r Resolution) IsZero() bool { return r.Width == 0 && r.Height == 0 }

func (r Resolution) String() string { return fmt.Sprintf("%dx%d", r.Width, r.Height) }

// MarshalJSON writes "1920x1080".
func (r Resolution) MarshalJSON() ([]byte, error) {
	if r.IsZero() {
		return []byte(`""`), nil
	}
	return json.Marshal(r.String())
}

func splitUnit(s string) (num, unit string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool {
		return (r < '0' || r > '9') && r != '.' && r != '-' && r != '+'
	})
	if i < 0 {
		return s, ""
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i:])
}

func trimFloat(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

var errEmptyVersion = errors.New("want a version such as \"1.2.3\", found an empty string")
