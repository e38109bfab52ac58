package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/urlscheme"
)

// registerURLSchemeCommand makes the window the OS's handler of onramp://
// links, for this user.
func registerURLSchemeCommand(gui GUI) *command {
	var program string
	return &command{
		name:    "register-url-scheme",
		args:    "[--program PATH]",
		summary: "make Onramp open onramp:// links (the start page's \"Open in Onramp\")",
		help: `Registers the window's program for this user as the handler of
onramp://signin links: on Linux a .desktop file in
$XDG_DATA_HOME/applications and xdg-mime; on Windows
HKCU\Software\Classes\onramp. On macOS, Onramp.app declares the scheme
itself. The program defaults to this one when it has the window, else to
Onramp (Onramp.exe) beside it.`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&program, "program", "", "the window's `PATH` (default: this program, or Onramp beside it)")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			if program == "" {
				self, err := os.Executable()
				if err != nil {
					return err
				}
				program = self
				if gui == nil { // the command-line program: the window is beside it
					name := "Onramp"
					if runtime.GOOS == "windows" {
						name += ".exe"
					}
					program = filepath.Join(filepath.Dir(self), name)
				}
			}
			abs, err := filepath.Abs(program)
			if err != nil {
				return err
			}
			if _, err := os.Stat(abs); err != nil {
				return usagef("--program %s: %v", abs, err)
			}
			r, err := urlscheme.Register(ctx, abs)
			if errors.Is(err, urlscheme.ErrDeclaredByBundle) {
				e.out.result(jsonout.URLScheme{Registered: false, Reason: err.Error()}, func(w io.Writer) { fmt.Fprintln(w, err) })
				return nil
			}
			if err != nil {
				return err
			}
			e.out.result(jsonout.URLScheme{Registered: true, Program: r.Program, Wrote: r.Wrote}, func(w io.Writer) {
				fmt.Fprintf(w, "onramp:// links now open %s (%s).\n", termSafe(r.Program), termSafe(fmt.Sprint(r.Wrote)))
			})
			return nil
		},
	}
}
