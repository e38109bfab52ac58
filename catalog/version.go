package catalog

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Version is a dotted version such as "1.10.2", "10.0.19045",
// "535.104.05" or "2.0.0-beta.1". Numbers compare as numbers (1.10 > 1.9),
// missing trailing numbers count as zero (1.2 == 1.2.0), and a pre-release
// sorts before its release (2.0.0-beta.1 < 2.0.0). Build metadata after "+"
// is kept but ignored when comparing.
type Version struct {
	raw  string
	nums []uint64
	pre  []string
}

// ParseVersion reads a version.
func ParseVersion(s string) (Version, error) {
	if s == "" {
		return Version{}, errEmptyVersion
	}
	if len(s) > 64 {
		return Version{}, fmt.Errorf("want a version of at most 64 characters, found %d", len(s))
	}
	core, _, _ := strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(core, "-")
	v := Version{raw: s}
	for _, part := range strings.Split(strings.TrimPrefix(core, "v"), ".") {
		n, err := strconv.ParseUint(part, 10, 64)
		if err != nil || part == "" || part[0] == '+' {
			return Version{}, fmt.Errorf("want a version of dot-separated numbers such as \"1.2.3\", found %q", s)
		}
		v.nums = append(v.nums, n)
	}
	if hasPre {
		if pre == "" {
			return Version{}, fmt.Errorf("want a pre-release after %q in %q", "-", s)
		}
		v.pre = strings.Split(pre, ".")
		for _, id := range v.pre {
			if id == "" || strings.IndexFunc(id, func(r rune) bool {
				return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-')
			}) >= 0 {
				return Version{}, fmt.Errorf("want a pre-release of letters, digits and dots in %q", s)
			}
		}
	}
	return v, nil
}

// MustVersion is ParseVersion for constants in code and tests.
func MustVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// IsZero reports whether the version is unset.
func (v Version) IsZero() bool { return v.raw == "" }

func (v Version) String() string { return v.raw }

// Compare returns -1, 0 or +1 as v is older than, the same as, or newer than w.
func (v Version) Compare(w Version) int {
	for i := 0; i < max(len(v.nums), len(w.nums)); i++ {
		var a, b uint64
		if i < len(v.nums) {
			a = v.nums[i]
		}
		if i < len(w.nums) {
			b = w.nums[i]
		}
		if c := cmp.Compare(a, b); c != 0 {
			return c
		}
	}
	switch {
	case len(v.pre) == 0 && len(w.pre) == 0:
		return 0
	case len(v.pre) == 0:
		return 1
	case len(w.pre) == 0:
		return -1
	}
	for i := 0; i < min(len(v.pre), len(w.pre)); i++ {
		if c := comparePre(v.pre[i], w.pre[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(v.pre), len(w.pre))
}

// comparePre orders pre-release identifiers as SemVer does: numbers
// numerically and before words, words as text.
func comparePre(a, b string) int {
	an, aErr := strconv.ParseUint(a, 10, 64)
	bn, bErr := strconv.ParseUint(b, 10, 64)
	switch {
	case aErr == nil && bErr == nil:
		return cmp.Compare(an, bn)
	case aErr == nil:
		return -1
	case bErr == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// MarshalJSON writes the version as it was read.
func (v Version) MarshalJSON() ([]byte, error) { return json.Marshal(v.raw) }

// UnmarshalJSON reads a version string.
func (v *Version) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*v = Version{}
		return nil
	}
	p, err := ParseVersion(s)
	if err != nil {
		return err
	}
	*v = p
	return nil
}
