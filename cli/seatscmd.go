package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/cli/jsonout"
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
					e.out.result(jsonout.Seats{Seats: seats}, func(w io.Writer) {
						if len(seats) == 0 {
							fmt.Fprintln(w, "No seats taken.")
							return
						}
						tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
						fmt.Fprintln(tw, "SEAT\tPRODUCT\tHOSTNAME\tMACHINE\tREGISTERED\tBY")
						for _, s := range seats {
							fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", termSafe(s.ID), termSafe(s.Product), termSafe(s.Hostname), termSafe(s.MachineID),
								s.Registered.Local().Format(time.DateTime), termSafe(s.RegisteredBy))
						}
						tw.Flush()
					})
					return nil
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
					e.out.result(jsonout.SeatReleased{Released: id}, func(w io.Writer) {
						fmt.Fprintf(w, "Released seat %s.\n", termSafe(id))
					})
					return nil
				})},
		},
	}
}
