package profile

import (
	"errors"
	"strings"
	"testing"
)

// The rule every OS applies: the file and its folder are owned by an
// administrator and nobody else may write them.
func TestJudgeHolders(t *testing.T) {
	file := holder{Path: "/etc/onramp/profile.json", Owner: "uid 0", OwnerAdmin: true}
	dir := holder{Path: "/etc/onramp", Owner: "uid 0", OwnerAdmin: true}
	if err := judge([]holder{file, dir}, "fix it"); err != nil {
		t.Fatalf("root-owned, not writable by others: %v", err)
	}
	for _, tt := range []struct {
		name string
		hs   func() []holder
		says string
	}{
		{"file owned by a user", func() []holder { f := file; f.Owner, f.OwnerAdmin = `NORTHWIND\bob`, false; return []holder{f, dir} },
			`/etc/onramp/profile.json is owned by NORTHWIND\bob`},
		{"folder owned by a user", func() []holder { d := dir; d.Owner, d.OwnerAdmin = "uid 1000", false; return []holder{file, d} },
			"/etc/onramp is owned by uid 1000"},
		{"file writable by others", func() []holder { f := file; f.OthersWrite = `BUILTIN\Users`; return []holder{f, dir} },
			`/etc/onramp/profile.json can be written by BUILTIN\Users`},
		{"folder writable by its group", func() []holder { d := dir; d.OthersWrite = "its group"; return []holder{file, d} },
			"/etc/onramp can be written by its group"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := judge(tt.hs(), "fix it")
			if !errors.Is(err, ErrUnprotected) {
				t.Fatalf("error %v, want ErrUnprotected", err)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.says) || !strings.Contains(msg, "fix it") {
				t.Errorf("error %q does not say %q and how to fix it", msg, tt.says)
			}
		})
	}
}
