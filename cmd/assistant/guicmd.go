//go:build !nogui

package main

import (
	"context"

	"fyne.io/fyne/v2"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/cli"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/setup"
	"onramp.dev/onramp/ui"
)

// uiDemo is what the window shows of the demo service.
func uiDemo(d *setup.Demo) *ui.Demo {
	return &ui.Demo{Company: d.Company, UserID: d.ManagerID, Password: d.TempPassword, StartEmail: d.StartEmail}
}

// openWindow is the gui command's window: the command line (package cli)
// has checked the options and connected the account service; this is the
// only part of the assistant that links Fyne.
func openWindow(ctx context.Context, w cli.Window) error {
	// Without a usable OpenGL driver the window would never show, or die
	// with a stack trace: say so, and name the command-line program.
	if err := ui.CheckGraphics(); err != nil {
		ui.ShowGraphicsFailure(w.Language, err)
		return err
	}
	defer ui.RecoverGraphics(w.Language)
	fa := ui.NewApp("dev.onramp.assistant", cli.Version)
	a := ui.New(fa, windowConfig(w))
	go func() { // Ctrl-C or SIGTERM closes the window, and the demo service with it
		<-ctx.Done()
		fyne.Do(fa.Quit)
	}()
	if w.Tour != "" {
		var tourErr error
		fa.Lifecycle().SetOnStarted(func() {
			go func() {
				tourErr = ui.RunTour(a, w.Tour)
				fyne.Do(fa.Quit)
			}()
		})
		a.Window().ShowAndRun()
		return tourErr
	}
	a.Window().ShowAndRun()
	return nil
}

// windowConfig is what the window gets from the command line: apart from
// openWindow, tests use it to drive the same window on Fyne's test driver.
func windowConfig(w cli.Window) ui.Config {
	cfg := ui.Config{Client: w.Client, OpenCatalog: w.OpenCatalog, RateLimit: w.RateLimit,
		Platform: catalog.CurrentPlatform(), CacheDir: setup.DefaultCacheDir(), TargetRoot: installer.DefaultUserTarget(),
		Language: w.Language, SignedIn: w.SignedIn, CLI: w.CLI,
		Publisher: w.Publisher, Support: w.Support, SignInUser: w.SignInUser, LinkServer: w.LinkServer, RefusedLink: w.RefusedLink, Connect: w.Connect, SaveSession: w.SaveSession, ForgetSession: w.ForgetSession,
		SavedContract: w.SavedContract, SaveContract: w.SaveContract}
	if d := w.Demo; d != nil {
		cfg.Demo = uiDemo(d)
	}
	if w.TryDemo != nil {
		cfg.TryDemo = func(ctx context.Context) (*ui.DemoService, error) {
			d, open, err := w.TryDemo(ctx)
			if err != nil {
				return nil, err
			}
			return &ui.DemoService{Client: d.Client, OpenCatalog: open, Demo: uiDemo(d), CLI: w.CLI + " --demo"}, nil
		}
	}
	return cfg
}
