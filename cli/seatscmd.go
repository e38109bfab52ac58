package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"onramp.dev/onramp/account"
)

func seatsCommand() *command {
	var id string
	return &command{
		name: "seats", args: "list|release",
		summary: "seats taken on the contract (contract managers and coordinators)",
		sub: []*command{
			{name: "list", summary: "list the machines counted against each product's seats", nargs: [2]int{0, 0},
				run: withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
					seats, err := c.Seats(ctx)
					if err != nil {
						return err
					}
					if e.json {
						writeJSON(e.stdout, map[string]any{"seats": seats})
						return nil
					}
					if len(seats) == 0 {
						fmt.Fprintln(e.stdout, "No seats taken.")
						return nil
					}
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "SEAT\tPRODUCT\tHOSTNAME\tMACHINE\tREGISTERED\tBY")
					for _, s := range seats {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", termSafe(s.ID), termSafe(s.Product), termSafe(s.Hostname), termSafe(s.MachineID),
							s.Registered.Local().Format(time.DateTime), termSafe(s.RegisteredBy))
					}
					return tw.Flush()
				})},
			{name: "release", args: "--seat ID", summary: "give a seat back, so another machine can take it", nargs: [2]int{0, 0},
				flags: func(fs *flag.FlagSet) { fs.StringVar(&id, "seat", "", "seat `ID` (from 'seats list'); required") },
				run: withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
					if id == "" {
						return usagef("--seat ID is required")
					}
					if err := c.ReleaseSeat(ctx, id); err != nil {
						return err
					}
					if e.json {
						writeJSON(e.stdout, map[string]any{"released": id})
					} else {
						fmt.Fprintf(e.stdout, "Released seat %s.\n", termSafe(id))
					}
					return nil
				})},
		},
	}
}
