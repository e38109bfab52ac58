package installer

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// The receipt is written record by record: what is read back is what was
// written, whatever the names hold.
func TestReceiptRoundTrip(t *testing.T) {
	base := Receipt{ID: "0123456789abcdef", Product: "atlas", Version: "2.0", Target: "/opt/atlas \"files\":null",
		Package: "/tmp/p.zip", PackageSHA256: "ab", Format: "zip", Installed: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Dirs: []FileRecord{{Path: "bin", Mode: 0o20000000755}}, Scope: ScopeUser}
	tests := []struct {
		name  string
		files []FileRecord
	}{
		{"no-files", nil},
		{"one", []FileRecord{{Path: "bin/atlas", Size: 3, Mode: 0o755, SHA256: "cd"}}},
		{"names-not-utf8-and-links", []FileRecord{
			{Path: "caf\xe9.txt", Size: 1, Mode: 0o644, SHA256: "ef"},
			{Path: "link", Mode: 0o777, Link: "caf\xe9.txt"},
			{Path: `quote"files":null`, Mode: 0o600, SHA256: "01"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := base
			want.Files = tc.files
			p := filepath.Join(t.TempDir(), "atlas.json")
			if err := writeJSONAtomic(p, &want); err != nil {
				t.Fatal(err)
			}
			got, err := readReceipt(p, "atlas")
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Files) == 0 && len(got.Files) == 0 {
				got.Files = want.Files
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("read back\n%+v\nwant\n%+v", *got, want)
			}
		})
	}
}
