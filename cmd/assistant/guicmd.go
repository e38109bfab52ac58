package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/setup"
	"onramp.dev/onramp/ui"
)

// guiCommand opens the window; it is what `assistant` does without a
// command. With --demo it first starts the embedded demo account service
// on loopback, with a demo contract whose credentials it shows.
func guiCommand() *command {
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
			cfg := ui.Config{RateLimit: rate, Platform: catalog.CurrentPlatform(), CacheDir: setup.DefaultCacheDir(), TargetRoot: installer.DefaultUserTarget(),
				Language: language, CLI: toolName}
			cfg.OpenCatalog = func(signed []byte) (*catalog.Catalog, error) { return openCatalog(e, signed, nil) }
			resume := ""
			if !e.demo && server == "" {
				if _, err := e.loadSession(); err != nil {
					// Nothing configured: the demo, so that a first run shows
					// the whole path. Its key is trusted for its own catalog.
					fmt.Fprintln(e.stdout, "No account service configured (--server URL, or 'assistant signin'): starting the demo.")
					e.demo = true
				}
			}
			switch {
			case e.demo:
				stop, err := startDemoService(ctx, e, &cfg)
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
				cfg.Client = c
				if resume != "" && c.Resume(ctx, resume) == nil {
					cfg.SignedIn = true
				}
			}
			fa := app.NewWithID("dev.onramp.assistant")
			a := ui.New(fa, cfg)
			go func() { // Ctrl-C or SIGTERM closes the window, and the demo service with it
				<-ctx.Done()
				fyne.Do(fa.Quit)
			}()
			if tour != "" {
				var tourErr error
				fa.Lifecycle().SetOnStarted(func() {
					go func() {
						tourErr = ui.RunTour(a, tour)
						fyne.Do(fa.Quit)
					}()
				})
				a.Window().ShowAndRun()
				return tourErr
			}
			a.Window().ShowAndRun()
			return nil
		},
	}
}

// startDemoService runs the demo account service (the one the CLI's
// --demo uses too) and prints its credentials, which the window shows too.
func startDemoService(ctx context.Context, e *env, cfg *ui.Config) (func(), error) {
	d, err := startDemo(ctx)
	if err != nil {
		return nil, err
	}
	// The demo's service lives as long as the window: its sessions stay
	// in memory, so the demo works on a machine without a keyring.
	cfg.Client = d.Client
	cfg.Demo = &ui.Demo{Company: d.Company, UserID: d.ManagerID, Password: d.TempPassword, StartEmail: d.StartEmail}
	cfg.CLI = toolName + " --demo"
	fmt.Fprintf(e.stdout, "Demo account service on %s (until the window closes).\nUser ID: %s\nTemporary password: %s\n", d.URL, d.ManagerID, d.TempPassword)
	return func() {
		if err := d.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			fmt.Fprintln(e.stderr, "demo service:", err)
		}
	}, nil
}
