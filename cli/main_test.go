package cli

import (
	"testing"

	"onramp.dev/onramp/demo"
	"onramp.dev/onramp/internal/testbin"
)

// The tests run the demo as the development build does (-tags demo).
func TestMain(m *testing.M) {
	SetDemo(demo.Start)
	testbin.Main(m)
}

// assistantBinary is the real program with the demo, built once, for the
// tests that run it as a process.
func assistantBinary(t *testing.T) string {
	t.Helper()
	return testbin.Once(t, "../cmd/assistant", "-tags", "demo")
}
