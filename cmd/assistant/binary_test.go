package main

import (
	"encoding/json"
	"os/exec"
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
