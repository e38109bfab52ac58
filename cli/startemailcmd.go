package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/cli/jsonout"
)

func usersResendStartCommand() *command {
	var id string
	var endSessions bool
	return &command{
		name: "resend-start", args: "--user ID [--end-sessions]",
		summary: "send a user a new start email (a new temporary password)",
		help: `The service emails the user a new temporary password, good once for 7 days;
the previous one (or the user's own password) stops working and the user's
sessions end. You never see the password. Use it when a start email was
lost or has expired. To a user who has already chosen their own password
it is sent only with --end-sessions: it replaces that password and ends
every session of the user (a forgotten password is better served by
"assistant password reset", which the user runs).`,
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "user", "", "user `ID`; required")
			fs.BoolVar(&endSessions, "end-sessions", false, "send it even if the user has chosen their own password: it replaces that password and ends their sessions")
		},
		run: withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
			if id == "" {
				return usagef("--user ID is required")
			}
			sent, err := c.SendStartEmail(ctx, id, endSessions)
			if err != nil {
				return endSessionsHint(err, id)
			}
			e.out.result((*jsonout.StartEmailSent)(sent), func(w io.Writer) {
				fmt.Fprintf(w, "A new start email to %s (%s) is on its way; its temporary password works once, until %s.\n",
					sent.Email, sent.UserID, sent.Expires.Local().Format(time.DateTime))
			})
			return nil
		}),
	}
}
