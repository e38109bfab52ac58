//go:build !cloudsources

package downloader

import "context"

// fetchOther refuses what this build does not fetch: s3, gcs and
// go-getter's other URL forms are in builds with the tag cloudsources.
func (t *transfer) fetchOther(context.Context) error {
	return &UnsupportedSourceError{URL: Redact(t.req.URL)}
}
