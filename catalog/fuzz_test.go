package catalog

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParse feeds the parser arbitrary documents. It must never panic, and
// whatever it accepts must survive a round trip: Marshal then Parse gives
// the same catalog.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.json")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := Parse(doc)
		if err != nil {
			if c != nil {
				t.Fatal("Parse returned both a catalog and an error")
			}
			return
		}
		out, err := Marshal(c)
		if err != nil {
			t.Fatalf("Marshal of an accepted catalog: %v", err)
		}
		c2, err := Parse(out)
		if err != nil {
			t.Fatalf("Marshal wrote what Parse refuses: %v\n%s", err, out)
		}
		out2, err := Marshal(c2)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("round trip is not stable:\n%s\n---\n%s", out, out2)
		}
	})
}

// FuzzOpen feeds the envelope reader arbitrary documents: no panic, and
// nothing unsigned gets through.
func FuzzOpen(f *testing.F) {
	f.Add([]byte(`{"format":"onramp-signed-catalog/v1","issued":"2026-01-01T00:00:00Z","expires":"2027-01-01T00:00:00Z","payload":"e30=","signatures":[]}`))
	f.Add([]byte(`{}`))
	keys := NewKeyring()
	f.Fuzz(func(t *testing.T, doc []byte) {
		if _, err := keys.Open(doc, time.Unix(1_800_000_000, 0)); err == nil {
			t.Fatal("an empty keyring accepted a document")
		}
	})
}
