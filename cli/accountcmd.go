package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/api"
	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/internal/atomicfile"
)

// sessionFile remembers which user is signed in to which service; the
// tokens themselves are in the OS keyring (refresh) or nowhere (access).
type sessionFile struct {
	Server string `json:"server"`
	User   string `json:"user"`
	// Contract is the contract last chosen (--contract, 'contracts use',
	// the window's picker), for a person in several; "" for none.
	Contract string `json:"contract,omitempty"`
}

func (e *env) sessionPath() string {
	return filepath.Join(filepath.Dir(e.configFile()), "session.json")
}

// sessionLockDir holds the locks that make this user's processes refresh
// a saved session one at a time (account.NewShared). It is the user's
// own folder whatever --config or $ONRAMP_CONFIG say: the keyring entry a
// lock guards is named by the server and user alone, so two runs with
// different configuration files share it and must share its lock.
func (e *env) sessionLockDir() string {
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "Onramp", "locks")
	}
	return filepath.Join(filepath.Dir(e.configFile()), "locks")
}

// errNoSession: no one signed in on this machine.
var errNoSession = errors.New("not signed in")

func (e *env) loadSession() (*sessionFile, error) {
	b, err := os.ReadFile(e.sessionPath())
	if err != nil {
		return nil, fmt.Errorf("%w: %w (run '%s signin')", account.ErrAuth, errNoSession, toolName)
	}
	var s sessionFile
	if err := json.Unmarshal(b, &s); err != nil || s.Server == "" || s.User == "" {
		return nil, fmt.Errorf("%w: %s is damaged: sign in again", account.ErrAuth, e.sessionPath())
	}
	return &s, nil
}

func (e *env) saveSession(s sessionFile) error {
	if err := os.MkdirAll(filepath.Dir(e.sessionPath()), 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	return atomicfile.WriteFile(e.sessionPath(), b, 0o600)
}

// signedInClient resumes the saved session from the keyring, acting on
// the contract chosen (see chooseContract).
func (e *env) signedInClient(ctx context.Context) (*account.Client, error) {
	c, s, err := e.resumedClient(ctx)
	if err != nil {
		return nil, err
	}
	ch, err := e.chooseContract(ctx, c, s, true)
	if err != nil {
		return nil, err
	}
	e.noteRemembered(ch)
	return c, nil
}

// resumedClient resumes the saved session from the keyring, on no
// contract in particular.
func (e *env) resumedClient(ctx context.Context) (*account.Client, *sessionFile, error) {
	s, err := e.loadSession()
	if err != nil {
		return nil, nil, err
	}
	c, err := account.NewShared(s.Server, e.sessionLockDir())
	if err != nil {
		return nil, nil, err
	}
	if err := c.Resume(ctx, s.User); err != nil {
		if errors.Is(err, account.ErrNoSavedSession) || errors.Is(err, account.ErrAuth) {
			return nil, nil, fmt.Errorf("%w: the session of %s on %s has ended: sign in again", account.ErrAuth, s.User, s.Server)
		}
		return nil, nil, err
	}
	return c, s, nil
}

// passwordReader reads passwords from the terminal without echo, or one
// per line from standard input for scripts. Never from the command line.
type passwordReader struct {
	e  *env
	in *bufio.Reader
}

func (p *passwordReader) read(prompt string) (string, error) {
	if f, ok := p.e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(p.e.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(p.e.stderr)
		return string(b), err
	}
	if p.in == nil {
		p.in = bufio.NewReader(p.e.stdin)
	}
	line, err := p.in.ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", fmt.Errorf("reading a password from standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func signinCommand() *command {
	var server, user string
	return &command{
		name:    "signin",
		args:    "[--server URL] [--user ID]",
		summary: "sign in to the account service",
		help: `Asks for the password on the terminal (or reads it from the first line of
standard input). At the first sign-in with a temporary password, asks for a
new password (twice on a terminal; the next line of standard input in a
script), up to three times if the service refuses it. The session is kept
in the OS keyring, never in a file.`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&server, "server", "", "account service `URL` (default: the last one used, else the publisher profile's)")
			fs.StringVar(&user, "user", "", "user `ID` or email (default: the last one used)")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			server, user, err := e.serverAndUser(server, user)
			if err != nil {
				return err
			}
			if server == "" || user == "" {
				return usagef("give --server URL and --user ID (from your start email)")
			}
			c, err := account.NewShared(server, e.sessionLockDir())
			if err != nil {
				return err
			}
			pr := &passwordReader{e: e}
			password, err := pr.read("Password for " + user + ": ")
			if err != nil {
				return err
			}
			err = c.SignIn(ctx, user, password)
			if errors.Is(err, account.ErrPasswordChangeRequired) {
				e.out.notice("This is your first sign-in: choose your own password (at least 12 characters).")
				// The sign-in used the temporary password up: a refused new
				// password is asked again here, in the same session.
				for try := 1; ; try++ {
					next, rerr := pr.read("New password: ")
					if rerr != nil {
						return rerr
					}
					if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
						again, rerr := pr.read("New password again: ")
						if rerr != nil {
							return rerr
						}
						if again != next {
							return errors.New("the two new passwords differ: nothing changed")
						}
					}
					err = c.ChangePassword(ctx, password, next)
					if !errors.Is(err, account.ErrWeakPassword) || try == 3 {
						break
					}
					fmt.Fprintf(e.stderr, "%v: choose another.\n", err)
				}
			}
			if err != nil {
				return err
			}
			s := sessionFile{Server: c.Server(), User: c.User(), Contract: e.keptContract(c.Server(), c.User())}
			if err := e.saveSession(s); err != nil {
				return err
			}
			if e.contract != "" {
				// Signed in either way; the contract is checked, and
				// remembered, as any command's --contract is.
				if _, err := e.chooseContract(ctx, c, &s, false); err != nil {
					return err
				}
			}
			e.out.result(jsonout.SignedIn{SignedIn: true, User: c.User(), Server: c.Server()}, func(w io.Writer) {
				fmt.Fprintf(w, "Signed in as %s on %s.\n", termSafe(c.User()), termSafe(c.Server()))
			})
			return nil
		},
	}
}

func cmpOr[S ~string](a, b S) S {
	if a != "" {
		return a
	}
	return b
}

func whoamiCommand() *command {
	return &command{
		name:    "whoami",
		summary: "show the signed-in user, contract, products and benefits, and your contracts",
		nargs:   [2]int{0, 0},
		run: func(ctx context.Context, e *env, args []string) error {
			c, s, err := e.resumedClient(ctx)
			if err != nil {
				return err
			}
			ch, err := e.chooseContract(ctx, c, s, false)
			if err != nil {
				return err
			}
			e.noteRemembered(ch)
			me := ch.Me
			var werr error
			e.out.result(jsonout.WhoAmI{Me: me, Memberships: markedMemberships(ch), ChosenBy: ch.By}, func(w io.Writer) {
				u := me.User
				fmt.Fprintf(w, "%s (%s), %s, %s\n", termSafe(cmpOr(u.Name, u.Email)), termSafe(u.ID), termSafe(u.Email), termSafe(strings.ReplaceAll(string(u.Role), "_", " ")))
				fmt.Fprintf(w, "Contract %s, %s: %s support, until %s\n", termSafe(me.Contract.ID), termSafe(me.Contract.Company), termSafe(me.Contract.Plan), me.Contract.Ends.Format("2006-01-02"))
				// The services they can use, not every benefit on file: a
				// standard-plan manager is not shown phone support.
				services := api.RightsOf(me.User, me.Contract).Services()
				fmt.Fprintf(w, "Products: %s\nServices: %s\n", strings.Join(termSafeList(u.Products), ", "), cmpOr(strings.ReplaceAll(strings.Join(termSafeList(services), ", "), "_", " "), "none"))
				if len(ch.Memberships) > 1 {
					fmt.Fprint(w, tr("\nYour contracts:\n"))
					werr = printMemberships(w, ch)
				}
			})
			return werr
		},
	}
}

func signoutCommand() *command {
	var everywhere bool
	return &command{
		name:    "signout",
		args:    "[--everywhere]",
		summary: "end the session and forget it on this machine",
		help: `Forgets the session on this machine (the keyring's tokens and the
session file), whether or not the account service answers, then asks the
service to end it. When the service cannot be told, this machine is signed
out all the same and the command exits 1 saying so: the session then ends
on the service when it expires, or at a sign-out everywhere.

With --everywhere, every session of the account ends, on every machine (a
lost laptop, a session someone else opened); if the service cannot be
reached, nothing is forgotten: try again.`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&everywhere, "everywhere", false, "end every session of the account, on every machine")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			s, err := e.loadSession()
			if err != nil {
				return err
			}
			if everywhere {
				return signOutEverywhere(ctx, e, s.User)
			}
			c, err := account.NewShared(s.Server, e.sessionLockDir())
			if err != nil {
				return err
			}
			err = c.SignOutSaved(ctx, s.User)
			if errors.Is(err, account.ErrNotForgotten) {
				// The keyring still holds the session: keep the file that
				// names it, so that signing out again can finish the job.
				return err
			}
			if rerr := os.Remove(e.sessionPath()); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
				return errors.Join(err, rerr)
			}
			if err != nil {
				return err
			}
			e.out.result(jsonout.SignedOut{SignedOut: true, User: s.User}, func(w io.Writer) {
				fmt.Fprintf(w, "Signed out %s.\n", termSafe(s.User))
			})
			return nil
		},
	}
}

// signOutEverywhere ends every session of user on the service, then
// forgets this one; a service that cannot be told leaves everything as it
// was, and the error says so.
func signOutEverywhere(ctx context.Context, e *env, user string) error {
	c, _, err := e.resumedClient(ctx)
	if err == nil {
		err = c.SignOutEverywhere(ctx)
	}
	if err != nil {
		return fmt.Errorf("the sessions of %s could not be ended: %w", termSafe(user), err)
	}
	if err := os.Remove(e.sessionPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	e.out.result(jsonout.SignedOut{SignedOut: true, Everywhere: true, User: user}, func(w io.Writer) {
		fmt.Fprintf(w, "Signed out %s everywhere: every session of the account has ended.\n", termSafe(user))
	})
	return nil
}

// accountErrorCode maps account errors to the contract's exit codes.
func accountErrorCode(err error) (int, bool) {
	switch {
	case errors.Is(err, account.ErrNotMember):
		return exitUsage, true // the contract chosen is not the person's: choose another
	case errors.Is(err, account.ErrForbidden), errors.Is(err, account.ErrContractEnded):
		return exitEntitlement, true
	case errors.Is(err, account.ErrAuth), errors.Is(err, account.ErrPasswordChangeRequired), errors.Is(err, account.ErrNoSavedSession):
		return exitAuth, true
	}
	return 0, false
}

// serverAndUser fills what --server and --user leave empty: from the
// last session, else (the server) from the publisher profile.
func (e *env) serverAndUser(server, user string) (string, string, error) {
	if last, err := e.loadSession(); err == nil {
		server = cmpOr(server, last.Server)
		user = cmpOr(user, last.User)
	}
	if server == "" {
		p, err := e.profile()
		if err != nil {
			return "", "", err
		}
		if p != nil {
			server = p.ServiceURL
		}
	}
	return server, user, nil
}
