//go:build cloudsources

package downloader

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With the tag, go-getter's URL forms reach its getters, and what they
// write is still verified before it is promoted.
func TestGoGetterForms(t *testing.T) {
	content, sum := testContent(size)
	src := filepath.Join(t.TempDir(), "pkg.zip")
	if err := os.WriteFile(src, content, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, sum string
		ok        bool
	}{
		{"forced-file", sum, true},
		{"forced-file-wrong-hash", strings.Repeat("0", 64), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "out.zip")
			_, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: "file::" + src, SHA256: tc.sum, Dest: dest})
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				assertOnlyDest(t, dest, content)
				return
			}
			var ce *ChecksumError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a ChecksumError", err)
			}
			assertNothing(t, dest)
		})
	}
}
