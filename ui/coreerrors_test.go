package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"fyne.io/fyne/v2/lang"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/installer/deploy"
	"onramp.dev/onramp/installer/native"
	"onramp.dev/onramp/setup"
	"onramp.dev/onramp/syscheck"
)

// Every typed error of the downloader, the installer and the core reads,
// in the window, as a sentence of the user's language that names what
// the error's fields name, never as the command line's English (which
// speaks of --target and sudo).
func TestEveryCoreErrorHasWords(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string // a field the words must show; "" for none
	}{
		{"certificate refused", &downloader.TLSError{URL: "https://127.0.0.1/p.zip", Err: errors.New("x509: certificate signed by unknown authority")}, ""},
		{"proxy sign-in", &downloader.ProxyAuthError{Proxy: "http://127.0.0.1:3128"}, ""},
		{"altered on the way", &downloader.EncodingError{URL: "https://127.0.0.1/p.zip", Encoding: "gzip"}, ""},
		{"write failed", &downloader.WriteError{Path: "/home/ana/.cache/p.zip.part", Err: errors.New("input/output error")}, "/home/ana/.cache/p.zip.part"},
		{"not found", &downloader.HTTPError{URL: "https://127.0.0.1/p.zip", Status: 404}, ""},
		{"server failed", &downloader.HTTPError{URL: "https://127.0.0.1/p.zip", Status: 503}, "503"},
		{"refused", &downloader.HTTPError{URL: "https://127.0.0.1/p.zip", Status: 429}, "429"},
		{"plain http", downloader.ErrInsecure, ""},
		{"busy", downloader.ErrBusy, ""},
		{"redirect loop", downloader.ErrTooManyRedirects, ""},
		{"unsupported source", &downloader.UnsupportedSourceError{URL: "s3::https://127.0.0.1/b/p.zip"}, ""},
		{"folder in the way of the download", downloader.ErrDestIsFolder, ""},
		{"target not empty", &installer.TargetNotEmptyError{Target: "/home/ana/Apps/quill", Product: "quill", Files: 12}, "/home/ana/Apps/quill"},
		{"server stopped sending", &downloader.StallError{URL: "https://127.0.0.1/p.zip", After: 30e9, Done: 100}, ""},
		{"uninstall from a read-only disk", &installer.UninstallError{Product: "quill", Folder: "/media/usb/quill", Err: syscall.EROFS}, "/media/usb/quill"},
		{"uninstall without rights", &installer.UninstallError{Product: "quill", Folder: "/opt/quill/bin", Err: fs.ErrPermission}, "/opt/quill/bin"},
		{"read-only disk", &installer.ReadOnlyError{Path: "/media/cd", Target: "/media/cd/quill"}, "/media/cd"},
		{"file in the way", &installer.FileInTheWayError{Path: "/home/ana/Apps", Target: "/home/ana/Apps/quill"}, "/home/ana/Apps"},
		{"user files in the way", &installer.ConflictError{Target: "/home/ana/Apps/quill", Paths: []string{"bin/notes.txt"}}, "bin/notes.txt"},
		{"deployment folder is a file", &deploy.TargetError{Target: "/opt/quill", Path: "/opt", Err: deploy.ErrNotAFolder}, "/opt"},
		{"owned by the system installer", &installer.NativeInstallError{Product: "quill", Format: "msi"}, "quill"},
		{"system installer failed", &native.Error{Format: "msi", Code: 1603, Meaning: "fatal error during installation"}, "1603"},
		{"deployment changed", deploy.ErrDeploymentChanged, ""},
		{"deployment with two problems", &deploy.Error{Problems: []deploy.Problem{
			{Product: "quill", Err: &installer.SpaceError{Target: "/opt/quill", Need: 1 << 30, Free: 1 << 20}},
			{Product: "atlas", Err: &installer.FileInTheWayError{Path: "/opt/atlas", Target: "/opt/atlas"}}}}, "/opt/atlas"},
		{"not installed", installer.ErrNotInstalled, ""},
		{"nothing to roll back to", installer.ErrNoPrevious, ""},
		{"another system's package", native.ErrWrongOS, ""},
		{"cancelled", native.ErrCancelled, ""},
		{"requirements", &setup.RequirementsError{Product: "quill", Version: "2.0.0", Report: &syscheck.Report{}}, ""},
		{"no package for this system", setup.ErrNoPackage, ""},
		{"install benefit missing", &setup.RightError{Product: "quill", Right: "install"}, ""},
		{"download benefit missing", &setup.RightError{Product: "quill", Right: "download"}, ""},
		{"product not assigned", &setup.RightError{Product: "quill"}, ""},
		{"no package for the systems ticked", &deploy.NoPackageError{Product: "Quill Notes", Version: "3.1.0", Platforms: []catalog.Platform{catalog.WindowsAMD64}}, "Quill Notes 3.1.0"},
		{"not in the catalog", setup.ErrNotInCatalog, ""},
		{"no program to start", setup.ErrNoLaunch, ""},
		{"not signed in", setup.ErrNotSignedIn, ""},
	}
	english := map[string]string{}
	for _, language := range []string{"en", "fr"} {
		setLanguage(language)
		for _, tc := range cases {
			err := fmt.Errorf("quill 2.0.0: %w", tc.err)
			got := errorText(err)
			switch {
			case strings.HasPrefix(got, lang.L("Something went wrong.")) || strings.Contains(got, err.Error()):
				t.Errorf("%s, %s: not worded, the core's English shown: %q", language, tc.name, got)
			case strings.Contains(got, "--target") || strings.Contains(got, "sudo"):
				t.Errorf("%s, %s: speaks of the command line: %q", language, tc.name, got)
			case !strings.Contains(got, tc.want):
				t.Errorf("%s, %s: %q lacks %q", language, tc.name, got, tc.want)
			case language == "fr" && got == english[tc.name]:
				t.Errorf("fr, %s: in English: %q", tc.name, got)
			}
			english[tc.name] = got
		}
	}
	setLanguage("en")
}

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
