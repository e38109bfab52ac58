package ui

import (
	"errors"
	"fmt"
	"testing"

	"onramp.dev/onramp/downloader"
)

// A download the server refuses with 401 (session ended) or 403 (no
// download benefit) reads as errorText words those sentinels, not as
// "the server refused the download (code 401). Try again later".
func TestDownloadAuthErrorsWorded(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		sentinel error
	}{
		{"session-ended", fmt.Errorf("download quill: %w", &downloader.HTTPError{URL: "https://127.0.0.1/p.zip", Status: 401}), downloader.ErrAuth},
		{"no-benefit", fmt.Errorf("download quill: %w", &downloader.HTTPError{URL: "https://127.0.0.1/p.zip", Status: 403}), downloader.ErrForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, tc.sentinel) {
				t.Fatalf("fixture: %v does not match the sentinel", tc.err)
			}
			got, want := errorText(tc.err), errorText(tc.sentinel)
			if got != want {
				t.Errorf("errorText(%v) = %q, want %q", tc.err, got, want)
			}
		})
	}
}
