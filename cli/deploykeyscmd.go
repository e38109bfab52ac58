package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/cli/jsonout"
)

func deployKeysCommand() *command {
	var id string
	return &command{
		name: "keys", args: "list|revoke",
		summary: "seat keys of deployments (contract managers and coordinators)",
		sub: []*command{
			{name: "list", summary: "list the seat keys deployments carry (never the keys themselves)", nargs: [2]int{0, 0},
				run: withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
					keys, err := c.SeatKeys(ctx)
					if err != nil {
						return err
					}
					e.out.result(jsonout.SeatKeys{Keys: keys}, func(w io.Writer) { printSeatKeys(w, keys) })
					return nil
				})},
			{name: "revoke", args: "--key ID", summary: "end a seat key: seats can no longer register with it", nargs: [2]int{0, 0},
				flags: func(fs *flag.FlagSet) { fs.StringVar(&id, "key", "", "key `ID` (from 'deploy keys list'); required") },
				run: withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
					if id == "" {
						return usagef("--key ID is required")
					}
					if err := c.RevokeSeatKey(ctx, id); err != nil {
						return err
					}
					e.out.result(jsonout.SeatKeyRevoked{Revoked: id}, func(w io.Writer) {
						fmt.Fprintf(w, "Revoked seat key %s: seats already registered stay until released ('%s seats release').\n", termSafe(id), toolName)
					})
					return nil
				})},
		},
	}
}

// printSeatKeys is 'deploy keys list' for people: a table.
func printSeatKeys(w io.Writer, keys []account.SeatKey) {
	if len(keys) == 0 {
		fmt.Fprintln(w, "No seat keys.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tPRODUCTS\tCREATED\tBY\tEXPIRES\tSEATS\tSTATE")
	for _, k := range keys {
		state := "active"
		switch {
		case k.Revoked:
			state = "revoked"
		case !time.Now().Before(k.Expires):
			state = "expired"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", termSafe(k.ID), strings.Join(termSafeList(k.Products), ","),
			k.Created.Local().Format(time.DateOnly), termSafe(k.CreatedBy), k.Expires.Local().Format(time.DateOnly), k.Seats, state)
	}
	tw.Flush()
}
