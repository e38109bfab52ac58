package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/profile"
	"onramp.dev/onramp/setup"
)

// Window is what the window needs from the command line: the gui
// command's options, checked, and the account service to talk to.
type Window struct {
	Client      *account.Client // nil: no service known yet, the window asks (Connect)
	OpenCatalog func(signed []byte) (*catalog.Catalog, error)
	RateLimit   int64       // bytes per second for downloads; 0 for none
	Language    string      // "en", "fr", or "" for the system's
	Tour        string      // with --demo: the folder for the screenshot tour, then quit
	SignedIn    bool        // Client holds a resumed session
	Demo        *setup.Demo // nil unless the embedded demo service runs
	CLI         string      // how the assistant is invoked in the commands the window shows
	Publisher   string      // the publisher profile's name; "" without one
	SignInUser  string      // the user ID to fill in (an onramp:// link)
	// LinkServer is an onramp:// link's service that neither the
	// publisher profile nor the saved session names (and there is no
	// profile): the window shows it on its first screen with a warning,
	// and contacts it only when the person presses Continue.
	LinkServer string
	// RefusedLink is an onramp:// link's service other than the
	// publisher profile's: the window says it is not used.
	RefusedLink string
	// Support is the publisher profile's support contacts, shown before
	// sign-in (the service's own come after); nil without a profile.
	Support *profile.Support

	// Connect makes a client of the service at an address typed in the
	// window, keeping its session in the keyring as 'signin' does.
	Connect func(server string) (*account.Client, error)
	// SaveSession and ForgetSession are the session file 'signin' and
	// 'signout' write: the window and the command line share one
	// session. Nil in the demo.
	SaveSession   func(server, user string) error
	ForgetSession func() error
	// SavedContract and SaveContract are the contract the session file
	// remembers for the person on the service (--contract, 'contracts
	// use'), read and chosen in the window. Nil in the demo.
	SavedContract func(server, user string) string
	SaveContract  func(server, user, contract string) error
	// TryDemo starts the demo service from the window, with the
	// catalog check that trusts the demo key; nil in a build without the
	// demo. The service stops when the window closes.
	TryDemo func(ctx context.Context) (*setup.Demo, func(signed []byte) (*catalog.Catalog, error), error)
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
		name: "gui", args: "[--server URL] [--lang en|fr] [onramp://signin?...]", summary: "open the window (the default without a command)",
		help: `The window signs in to --server, else resumes the saved session (the
one 'assistant signin' and the window share), else opens on the sign-in of
the publisher profile's service; with none of them, it asks for the
service's address. An onramp://signin?server=URL&user=ID link (as the
start page's "Open in Onramp" button gives it) opens the sign-in of that
service with the user ID filled in when it is the publisher profile's or
the saved session's service. A link to another service is refused where
there is a publisher profile; without one, the window shows its address
with a warning, and uses it only once the person presses Continue. A
link is given alone, without flags. With --demo (builds with -tags demo
only), an account service runs inside the assistant on a loopback port,
with a demo contract; the window shows its user ID and temporary password.`,
		nargs: [2]int{0, 1},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&server, "server", "", "account service `URL` (default: the saved session's, else the publisher profile's)")
			fs.StringVar(&language, "lang", "", "`language` of the window: en or fr (default: the system's)")
			fs.StringVar(&limitRate, "limit-rate", "", "cap the download rate (`RATE`: 500K, 2M)")
			fs.StringVar(&tour, "tour", "", "with --demo: walk every screen, save a screenshot of each and the UI's timings in `DIR`, then quit (for the README and the benchmarks)")
		},
		run: func(ctx context.Context, e *env, args []string) error {
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
			var link *SignInLink
			if len(args) == 1 {
				if link, err = ParseSignInLink(args[0]); err != nil {
					return &usageError{msg: err.Error()}
				}
				if server != "" || e.demo {
					return usagef("an onramp:// link names its service: give it without --server or --demo")
				}
			}
			if gui == nil {
				return errNoWindow
			}
			w := Window{RateLimit: rate, Language: language, Tour: tour, CLI: toolName}
			w.OpenCatalog = func(signed []byte) (*catalog.Catalog, error) { return openCatalog(e, signed, nil) }
			if e.demo {
				stop, err := startDemoService(ctx, e, &w)
				if err != nil {
					return err
				}
				defer stop()
				return gui(ctx, w)
			}
			// A demo started from the window stops when the window closes;
			// it starts on the window's goroutines, hence the lock.
			var stopMu sync.Mutex
			var stops []func()
			defer func() {
				stopMu.Lock()
				defer stopMu.Unlock()
				for _, stop := range stops {
					stop()
				}
			}()
			e.windowSession(&w)
			if HasDemo() {
				w.TryDemo = func(ctx context.Context) (*setup.Demo, func([]byte) (*catalog.Catalog, error), error) {
					d, err := startDemo(ctx)
					if err != nil {
						return nil, nil, err
					}
					stopMu.Lock()
					stops = append(stops, func() { d.Close() })
					stopMu.Unlock()
					demoEnv := *e
					demoEnv.demo = true
					return d, func(signed []byte) (*catalog.Catalog, error) { return openCatalog(&demoEnv, signed, nil) }, nil
				}
			}
			p, err := e.profile()
			if err != nil {
				return err
			}
			resume := ""
			saved, savedErr := e.loadSession()
			if link != nil {
				// A link can come from anyone: only a service this Onramp
				// already uses opens its password form directly.
				switch {
				case (p != nil && sameService(link.Server, p.ServiceURL)) || (savedErr == nil && sameService(link.Server, saved.Server)):
					server, w.SignInUser = link.Server, link.User
				case p != nil:
					w.RefusedLink = link.Server
					fmt.Fprintf(e.stderr, "%s: this link asks to sign in to %s, but this Onramp is set up for %s: the link's service is not used\n",
						toolName, hostOf(link.Server), hostOf(p.ServiceURL))
					link = nil
				default:
					w.LinkServer, w.SignInUser = link.Server, link.User
					return gui(ctx, w) // the person confirms the service first
				}
			}
			switch {
			case link != nil:
			case server != "":
			default:
				if savedErr == nil {
					server, resume = saved.Server, saved.User
				} else if p != nil {
					server = p.ServiceURL
				}
			}
			if p != nil && strings.TrimRight(server, "/") == strings.TrimRight(p.ServiceURL, "/") {
				w.Publisher, w.Support = p.Publisher, &p.Support
			}
			if server == "" {
				return gui(ctx, w) // the window asks for the address
			}
			c, err := w.Connect(server)
			if err != nil {
				return err
			}
			w.Client = c
			if resume != "" && c.Resume(ctx, resume) == nil {
				w.SignedIn = true
			}
			return gui(ctx, w)
		},
	}
}

// sameService tells whether two account service addresses name the same
// service: scheme and host compared without case, path without its
// trailing slash.
func sameService(a, b string) bool {
	ua, err1 := url.Parse(strings.TrimRight(a, "/"))
	ub, err2 := url.Parse(strings.TrimRight(b, "/"))
	return err1 == nil && err2 == nil && ua.Host != "" &&
		strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) && ua.Path == ub.Path
}

// hostOf is an address's host, to name a service in a sentence.
func hostOf(addr string) string {
	if u, err := url.Parse(addr); err == nil && u.Host != "" {
		return u.Host
	}
	return addr
}

// forgetPreviousTimeout bounds telling a previous session's service it
// has ended, when the window signs in to another one.
const forgetPreviousTimeout = 15 * time.Second

// windowSession gives the window the command line's session: the same
// keyring entries and the same session file.
func (e *env) windowSession(w *Window) {
	w.Connect = func(server string) (*account.Client, error) { return account.NewShared(server, e.sessionLockDir()) }
	w.SaveSession = func(server, user string) error {
		if old, err := e.loadSession(); err == nil && (!sameService(old.Server, server) || old.User != user) {
			// The file is the only thing naming the old session's keyring
			// entry: sign it out first (best effort; a failure is the old
			// session's, not this sign-in's), so no live refresh token is
			// left behind unnamed.
			if c, err := account.NewShared(old.Server, e.sessionLockDir()); err == nil {
				ctx, cancel := context.WithTimeout(context.Background(), forgetPreviousTimeout)
				c.SignOutSaved(ctx, old.User)
				cancel()
			}
		}
		return e.saveSession(sessionFile{Server: server, User: user, Contract: e.keptContract(server, user)})
	}
	w.SavedContract = e.keptContract
	w.SaveContract = e.rememberContract
	w.ForgetSession = func() error {
		if err := os.Remove(e.sessionPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
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
