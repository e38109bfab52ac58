package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/setup"
)

// Window is what the window needs from the command line: the gui
// command's options, checked, and the account service to talk to.
type Window struct {
	Client      *account.Client
	OpenCatalog func(signed []byte) (*catalog.Catalog, error)
	RateLimit   int64       // bytes per second for downloads; 0 for none
	Language    string      // "en", "fr", or "" for the system's
	Tour        string      // with --demo: the folder for the screenshot tour, then quit
	SignedIn    bool        // Client holds a resumed session
	Demo        *setup.Demo // nil unless the embedded demo service runs
	CLI         string      // how the assistant is invoked in the commands the window shows
}

// GUI opens the window and returns when it closes. The binary that links
// Fyne passes it to Main; this package never imports Fyne, so that the
// command line cross-compiles without cgo.
type GUI func(ctx context.Context, w Window) error

// errNoWindow is the gui command in a build without a window.
var errNoWindow = errors.New("this is the command-line program, without a window: start Onramp (installed beside it) for the window, or run a command (see --help)")

// guiCommand opens the window; it is what `assistant` does without a
// command. With --demo it first starts the embedded demo account service
// on loopback, with a demo contract whose credentials it shows.
func guiCommand(gui GUI) *command {
	var server, language, tour, limitRate string
	return &command{
		name: "gui", args: "[--server URL] [--lang en|fr]", summary: "open the window (the default without a command)",
		help: `With --demo, an account service runs inside the assistant on a loopback
port, with a demo contract; the window shows its user ID and temporary
password. Otherwise the window signs in to --server, or resumes the saved
session of 'assistant signin'; with neither, it runs the demo.`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&server, "server", "", "account service `URL` (default: the saved session's)")
			fs.StringVar(&language, "lang", "", "`language` of the window: en or fr (default: the system's)")
			fs.StringVar(&limitRate, "limit-rate", "", "cap the download rate (`RATE`: 500K, 2M)")
			fs.StringVar(&tour, "tour", "", "with --demo: walk every screen, save a screenshot of each and the UI's timings in `DIR`, then quit (for the README and the benchmarks)")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			if language != "" && language != "en" && language != "fr" {
				return usagef("--lang %q: want en or fr", language)
			}
			if tour != "" && !e.demo {
				return usagef("--tour needs --demo")
			}
			rate, err := parseRate(limitRate)
			if err != nil {
				return usagef("--limit-rate: %v", err)
			}
			if gui == nil {
				return errNoWindow
			}
			w := Window{RateLimit: rate, Language: language, Tour: tour, CLI: toolName}
			w.OpenCatalog = func(signed []byte) (*catalog.Catalog, error) { return openCatalog(e, signed, nil) }
			resume := ""
			if !e.demo && server == "" {
				if _, err := e.loadSession(); err != nil && HasDemo() {
					// Nothing configured: the demo, so that a first run shows
					// the whole path. Its key is trusted for its own catalog.
					fmt.Fprintln(e.stdout, "No account service configured (--server URL, or 'assistant signin'): starting the demo.")
					e.demo = true
				}
			}
			switch {
			case e.demo:
				stop, err := startDemoService(ctx, e, &w)
				if err != nil {
					return err
				}
				defer stop()
			default:
				if server == "" {
					s, err := e.loadSession()
					if err != nil {
						return err
					}
					server, resume = s.Server, s.User
				}
				c, err := account.New(server)
				if err != nil {
					return err
				}
				w.Client = c
				if resume != "" && c.Resume(ctx, resume) == nil {
					w.SignedIn = true
				}
			}
			return gui(ctx, w)
		},
	}
}

// startDemoService runs the demo account service (the one the CLI's
// --demo uses too) and prints its credentials, which the window shows too.
func startDemoService(ctx context.Context, e *env, w *Window) (func(), error) {
	d, err := startDemo(ctx)
	if err != nil {
		return nil, err
	}
	// The demo's service lives as long as the window: its sessions stay
	// in memory, so the demo works on a machine without a keyring.
	w.Client = d.Client
	w.Demo = d
	w.CLI = toolName + " --demo"
	fmt.Fprintf(e.stdout, "Demo account service on %s (until the window closes).\nUser ID: %s\nTemporary password: %s\n", d.URL, d.ManagerID, d.TempPassword)
	return func() {
		if err := d.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			fmt.Fprintln(e.stderr, "demo service:", err)
		}
	}, nil
}
