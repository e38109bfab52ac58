package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"onramp.dev/onramp/internal/testbin"
)

func TestMain(m *testing.M) { testbin.Main(m) }

// assistantBinary is the program with the screenshot tour and the demo, built once.
func assistantBinary(t *testing.T) string {
	t.Helper()
	return testbin.Once(t, ".", "-tags", "tour,demo")
}

// The release build stamps the version with -ldflags "-X main.version=...":
// the command line, in its own package, shows it.
func TestVersionStamp(t *testing.T) {
	bin := testbin.Build(t, ".", "-ldflags", "-X main.version=9.8.7")
	out, err := exec.Command(bin, "version", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Version string }
	if err := json.Unmarshal(out, &v); err != nil || v.Version != "9.8.7" {
		t.Fatalf("version %q (%v); want 9.8.7 from %s", v.Version, err, out)
	}
}

// A program built in a git checkout names its commit, the one checked out
// (marked -modified when the tree has changes); built without the VCS
// stamp, it says the commit is unknown instead of printing nothing. Go
// stamps only where .git is a folder: in a worktree (.git a file) the
// commit is unknown too.
func TestVersionCommit(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout, or no git: %v", err)
	}
	want := strings.TrimSpace(string(head))
	if st, err := os.Stat("../../.git"); err != nil || !st.IsDir() {
		want = "unknown"
	}
	commit := func(bin string) string {
		out, err := exec.Command(bin, "version", "--json").Output()
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ Commit string }
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return v.Commit
	}
	// -buildvcs=true: this machine's GOFLAGS may turn the stamp off.
	if got := commit(testbin.Build(t, ".", "-tags", "nogui", "-buildvcs=true")); !strings.HasPrefix(got, want) {
		t.Errorf("commit %q, want %s", got, want)
	}
	if got := commit(testbin.Build(t, ".", "-tags", "nogui", "-buildvcs=false")); !strings.HasPrefix(got, "unknown") {
		t.Errorf("without the VCS stamp the commit is %q, want unknown", got)
	}
}
