package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/api"
	"onramp.dev/onramp/cli/jsonout"
)

// parseRole reads a role as people type it: manager, coordinator or user,
// or the service's names.
func parseRole(s string) (api.Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "manager", "contract_manager", "contract-manager":
		return api.RoleManager, nil
	case "coordinator", "software_coordinator", "software-coordinator":
		return api.RoleCoordinator, nil
	case "user":
		return api.RoleUser, nil
	}
	return "", usagefTr("role %q: want manager, coordinator or user", termSafe(s))
}

func usersSetRoleCommand() *command {
	return &command{
		name: "set-role", args: "ID ROLE",
		summary: "change a user's role: manager, coordinator or user",
		help: `The user keeps their ID, products, benefits and designation. A software
coordinator neither changes a contract manager nor names one, and a
contract keeps at least one contract manager: name another first.`,
		nargs: [2]int{2, 2},
		run: withClient(func(ctx context.Context, e *env, c *account.Client, args []string) error {
			role, err := parseRole(args[1])
			if err != nil {
				return err
			}
			res, err := c.SetRole(ctx, args[0], role)
			if err != nil {
				return err
			}
			e.out.result((*jsonout.UserUpdated)(res), func(w io.Writer) {
				fmt.Fprint(w, tr("%s (%s) is now %s.\n", termSafe(cmpOr(res.User.Name, res.User.Email)), termSafe(res.User.ID),
					strings.ReplaceAll(string(res.User.Role), "_", " ")))
			})
			return nil
		}),
	}
}

func usersSetEmailCommand() *command {
	return &command{
		name: "set-email", args: "ID EMAIL",
		summary: "correct the email address of a user who has not signed in yet",
		help: `A new start email (a new temporary password) goes to the corrected address
and the links sent to the old one stop working. On a contract that has not
started, the start email goes to the corrected address when it starts.
Once the user has signed in, the address is theirs to change.`,
		nargs: [2]int{2, 2},
		run: withClient(func(ctx context.Context, e *env, c *account.Client, args []string) error {
			res, err := c.SetEmail(ctx, args[0], args[1])
			if err != nil {
				return err
			}
			e.out.result((*jsonout.UserUpdated)(res), func(w io.Writer) {
				sent := res.StartEmail
				switch {
				case sent == nil:
					fmt.Fprint(w, tr("%s's address is now %s.\n", termSafe(res.User.ID), termSafe(res.User.Email)))
				case sent.StartsOn != nil:
					fmt.Fprint(w, tr("%s's address is now %s; the start email goes to it when the contract starts, on %s.\n",
						termSafe(res.User.ID), termSafe(sent.Email), sent.StartsOn.Format(time.DateOnly)))
				default:
					fmt.Fprint(w, tr("%s's address is now %s; a new start email is on its way to it (its temporary password works once, until %s). The old address's links no longer work.\n",
						termSafe(res.User.ID), termSafe(sent.Email), sent.Expires.Local().Format(time.DateTime)))
				}
			})
			return nil
		}),
	}
}
