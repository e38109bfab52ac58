package cli

import (
	"runtime/debug"
	"strings"
	"testing"
)

// The commit comes from the build's VCS stamp, marked when the tree had
// changes, and says "unknown" rather than nothing when there is none.
func TestCommitOf(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no-build-info", nil, commitUnknown},
		{"no-vcs-stamp", &debug.BuildInfo{}, commitUnknown},
		{"clean", &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}}, rev},
		{"modified", &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}}, rev + "-modified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := commitOf(tt.bi); got != tt.want {
				t.Errorf("commitOf = %q, want %q", got, tt.want)
			}
		})
	}
	if !strings.HasPrefix(commitUnknown, "unknown") {
		t.Errorf("the fallback %q does not start with unknown", commitUnknown)
	}
}

// version prints the commit in words and in --json.
func TestVersionPrintsCommit(t *testing.T) {
	r := runCLI(t, "", "version")
	if r.code != exitOK || !strings.Contains(r.stdout, "commit "+commitString()) {
		t.Fatalf("version: exit %d, %q; want the commit %q", r.code, r.stdout, commitString())
	}
	r = runCLI(t, "", "version", "--json")
	if r.code != exitOK || !strings.Contains(r.stdout, `"commit": "`+commitString()+`"`) {
		t.Fatalf("version --json: exit %d, %q", r.code, r.stdout)
	}
}
