package assets

import (
	"os"
	"strings"
	"testing"

	"onramp.dev/onramp/catalog"
)

// demo/demo-key.pub is the demo key's public half as a file, for
// `catalog check --key` and `portal --key`; it must match the signing key.
func TestDemoPublicKeyFile(t *testing.T) {
	want := catalog.FormatPublicKey(DemoPublicKey())
	if *update {
		if err := os.WriteFile("demo/demo-key.pub", []byte(want+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile("demo/demo-key.pub")
	if err != nil || strings.TrimSpace(string(b)) != want {
		t.Fatalf("demo/demo-key.pub is %q, want %q: run `go test ./assets -run Demo -update`", b, want)
	}
}
