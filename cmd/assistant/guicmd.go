package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"fyne.io/fyne/v2/app"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/portal"
	"onramp.dev/onramp/ui"
)

// guiCommand opens the window; it is what `assistant` does without a
// command. With --demo it first starts the embedded demo account service
// on loopback, with a demo contract whose credentials it shows.
func guiCommand() *command {
	var server, language string
	return &command{
		name: "gui", args: "[--server URL] [--lang en|fr]", summary: "open the window (the default without a command)",
		help: `With --demo, an account service runs inside the assistant on a loopback
port, with a demo contract; the window shows its user ID and temporary
password. Otherwise the window signs in to --server, or resumes the saved
session of 'assistant signin'.`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&server, "server", "", "account service `URL` (default: the saved session's)")
			fs.StringVar(&language, "lang", "", "`language` of the window: en or fr (default: the system's)")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			if language != "" && language != "en" && language != "fr" {
				return usagef("--lang %q: want en or fr", language)
			}
			cfg := ui.Config{Platform: catalog.CurrentPlatform(), CacheDir: defaultCache(), TargetRoot: installer.DefaultUserTarget(),
				Language: language, CLI: toolName}
			cfg.OpenCatalog = func(signed []byte) (*catalog.Catalog, error) { return openCatalog(e, signed, nil) }
			resume := ""
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
						return usagef("no account service: pass --server URL, sign in with 'assistant signin', or try the demo with --demo")
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
			a := ui.New(app.NewWithID("dev.onramp.assistant"), cfg)
			a.Window().ShowAndRun()
			return nil
		},
	}
}

// startDemoService runs the demo account service in a temporary folder
// and prints its credentials, which the window shows too.
func startDemoService(ctx context.Context, e *env, cfg *ui.Config) (func(), error) {
	dir, err := os.MkdirTemp("", "onramp-demo-")
	if err != nil {
		return nil, err
	}
	c, err := catalog.Parse(assets.DemoCatalogJSON())
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	d, err := portal.StartDemo(ctx, portal.DemoOptions{Dir: dir, SignedCatalog: assets.DemoSignedCatalog(), Catalog: c,
		Packages: func(name string) (io.ReadSeeker, time.Time, bool) {
			b, ok := assets.DemoPackage(name)
			return bytes.NewReader(b), time.Time{}, ok
		}})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// The demo's service lives as long as the window: its sessions stay
	// in memory, so the demo works on a machine without a keyring.
	client, err := account.NewWithTokens(d.URL, account.NewMemoryTokenStore())
	if err != nil {
		d.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	cfg.Client = client
	cfg.Demo = &ui.Demo{Company: d.Company, UserID: d.ManagerID, Password: d.TempPassword, StartEmail: d.StartEmail}
	cfg.CLI = toolName + " --demo"
	fmt.Fprintf(e.stdout, "Demo account service on %s (until the window closes).\nUser ID: %s\nTemporary password: %s\n", d.URL, d.ManagerID, d.TempPassword)
	return func() {
		if err := d.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			fmt.Fprintln(e.stderr, "demo service:", err)
		}
		os.RemoveAll(dir)
	}, nil
}
