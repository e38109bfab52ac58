package cli

import (
	"testing"

	"onramp.dev/onramp/internal/testbin"
)

func TestMain(m *testing.M) { testbin.Main(m) }

// assistantBinary is the real program, built once, for the tests that run
// it as a process.
func assistantBinary(t *testing.T) string {
	t.Helper()
	return testbin.Once(t, "../cmd/assistant")
}
