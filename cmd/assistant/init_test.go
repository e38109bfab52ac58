package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"onramp.dev/onramp/internal/testbin"
)

// initBudget is the most a package of this module may allocate while it
// initialises: room for sentinel errors and lazy holders (sync.OnceValue),
// never for a table, a regular expression or a template, which every run
// of the program would build before main, an install of ten files
// included (a 20-entry map is about 2 KB, a compiled regexp 5 KB and up).
const initBudget = 512

// lateInit are packages left out: the installer builds lookup tables at
// initialisation (about 3 KB) and is restructured elsewhere.
var lateInit = []string{"onramp.dev/onramp/installer"}

// The command-line program's own packages do no work at initialisation:
// their tables, regular expressions and templates are made on first use.
// Go's inittrace reports each package's allocations at init, the same on
// every run.
func TestCommandLineInitIsLazy(t *testing.T) {
	bin := testbin.Once(t, ".", "-tags", "nogui")
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("version: %v\n%s", err, stderr.String())
	}
	seen := 0
	for line := range strings.Lines(stderr.String()) {
		// init PKG @T ms, C ms clock, N bytes, M allocs
		f := strings.Fields(line)
		if len(f) < 11 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		pkg := f[1]
		if pkg != "onramp.dev/onramp" && !strings.HasPrefix(pkg, "onramp.dev/onramp/") {
			continue
		}
		seen++
		if late(pkg) {
			continue
		}
		bytes, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("inittrace line %q: %v", line, err)
		}
		if bytes > initBudget {
			t.Errorf("%s allocates %d bytes (%s allocs) at initialisation, more than %d: make its package-level tables, regexps or templates on first use (sync.OnceValue)", pkg, bytes, f[9], initBudget)
		}
	}
	if seen < 3 {
		t.Fatalf("inittrace reported %d of this module's packages: GODEBUG=inittrace=1 no longer prints them, and this test sees nothing\n%s", seen, stderr.String())
	}
}

func late(pkg string) bool {
	for _, p := range lateInit {
		if pkg == p || strings.HasPrefix(pkg, p+"/") {
			return true
		}
	}
	return false
}
