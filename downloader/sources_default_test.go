//go:build !cloudsources

package downloader

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// The default build fetches http, https and local files only: an object
// store's URL is refused at once with a typed error, before any request.
func TestObjectStoresNeedTheTag(t *testing.T) {
	for _, tc := range []struct{ name, url string }{
		{"s3", "s3://bucket/pkg.zip"},
		{"gcs", "gcs://bucket/pkg.zip"},
		{"forced-getter", "s3::https://127.0.0.1:9/bucket/pkg.zip"},
		{"bare-host-form", "bucket.s3.amazonaws.com/pkg.zip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "pkg.zip")
			_, err := newClient(t, Options{}).Fetch(context.Background(), Request{URL: tc.url, SHA256: strings.Repeat("a", 64), Dest: dest})
			var ue *UnsupportedSourceError
			if !errors.As(err, &ue) || !errors.Is(err, ErrUnsupportedSource) {
				t.Fatalf("err = %v, want an UnsupportedSourceError", err)
			}
			assertNothing(t, dest)
		})
	}
}
