package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/cli/jsonout"
)

func passwordCommand() *command {
	return &command{
		name:    "password",
		args:    "reset",
		summary: "a lost password: have the service email a link to choose a new one",
		sub:     []*command{passwordResetCommand()},
	}
}

func passwordResetCommand() *command {
	var server, user string
	return &command{
		name: "reset", args: "[--server URL] --user ID|EMAIL",
		summary: "email a link to choose a new password",
		help: `The service emails a link to the account's address: it opens a web page
where you choose a new password, works once, for 30 minutes, and ends every
session of the account. The service answers the same whether or not the
account exists, so check your mailbox (and its spam folder).`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&server, "server", "", "account service `URL` (default: the last one used, else the publisher profile's)")
			fs.StringVar(&user, "user", "", "user `ID` or email (default: the last one used)")
		},
		run: func(ctx context.Context, e *env, _ []string) error {
			server, user, err := e.serverAndUser(server, user)
			if err != nil {
				return err
			}
			if server == "" || user == "" {
				return usagef("give --server URL and --user ID or email")
			}
			c, err := account.NewWithTokens(server, account.NewMemoryTokenStore())
			if err != nil {
				return err
			}
			msg, err := c.RequestPasswordReset(ctx, user)
			if err != nil {
				return err
			}
			e.out.result(jsonout.PasswordReset{Requested: true, Message: msg}, func(w io.Writer) {
				fmt.Fprintln(w, termSafe(msg))
			})
			return nil
		},
	}
}

// endSessionsHint words a refused resend for the command line.
func endSessionsHint(err error, id string) error {
	if errors.Is(err, account.ErrEndsSessions) {
		return fmt.Errorf("%w\nTo send it anyway: assistant users resend-start --user %s --end-sessions", err, id)
	}
	return err
}
