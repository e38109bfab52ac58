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
	"onramp.dev/onramp/api"
	"onramp.dev/onramp/cli/jsonout"
)

func usersCommand() *command {
	return &command{
		name:    "users",
		args:    "list|add|import|assign|remove|resend-start|set-role|set-email",
		summary: "manage the contract's users (contract managers and coordinators)",
		sub: []*command{usersListCommand(), usersAddCommand(), usersImportCommand(), usersAssignCommand(), usersRemoveCommand(), usersResendStartCommand(),
			usersSetRoleCommand(), usersSetEmailCommand()},
	}
}

// withClient runs fn with the signed-in session.
func withClient(fn func(ctx context.Context, e *env, c *account.Client, args []string) error) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		c, err := e.signedInClient(ctx)
		if err != nil {
			return err
		}
		return fn(ctx, e, c, args)
	}
}

func usersListCommand() *command {
	return &command{
		name: "list", summary: "list the contract's users", nargs: [2]int{0, 0},
		run: withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
			users, err := c.Users(ctx)
			if err != nil {
				return err
			}
			e.out.result(jsonout.Users(users), func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tPRODUCTS\tBENEFITS\tCALLER")
				for _, u := range users {
					caller := ""
					if u.Caller {
						caller = "yes"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", termSafe(u.ID), termSafe(u.Email), termSafe(u.Name), termSafe(u.Role),
						strings.Join(termSafeList(u.Products), ","), strings.Join(termSafeList(u.Benefits), ","), caller)
				}
				tw.Flush()
			})
			return nil
		}),
	}
}

func printChanges(e *env, changes []account.Change, dry bool) {
	e.out.result(jsonout.Changes{DryRun: dry, Changes: changes}, func(w io.Writer) { printChangesText(w, changes, dry) })
}

func printChangesText(w io.Writer, changes []account.Change, dry bool) {
	verb := map[bool]string{true: "would ", false: ""}[dry]
	counts := map[string]int{}
	for _, ch := range changes {
		counts[ch.Action]++
		switch ch.Action {
		case "create":
			fmt.Fprintf(w, "%sadd %s as %s: products %s; benefits %s\n", verb, termSafe(ch.Email), termSafe(ch.Role),
				strings.Join(termSafeList(ch.Products), ","), strings.Join(termSafeList(ch.Benefits), ","))
		case "update":
			fmt.Fprintf(w, "%sgive %s (%s): %s\n", verb, termSafe(ch.Email), termSafe(ch.UserID), strings.Join(termSafeList(ch.Added), ","))
		}
		if ch.NameDiffers != "" {
			// An addition never renames a member: said, so that a new
			// name is not believed saved.
			fmt.Fprint(w, tr("  %s keeps the name %q: adding someone never renames them\n", termSafe(ch.Email), termSafe(ch.NameDiffers)))
		}
	}
	fmt.Fprintf(w, "%d to add, %d to change, %d unchanged%s\n", counts["create"], counts["update"], counts["unchanged"],
		map[bool]string{true: " (dry run: nothing changed)", false: ""}[dry])
}

func usersAddCommand() *command {
	var nu account.NewUser
	var products, benefits multiFlag
	return &command{
		name: "add", args: "--email EMAIL [--name N] [--role ROLE] [--product ID]... [--benefit B]... [--language en|fr]",
		summary: "add one user; they get a start email", nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&nu.Email, "email", "", "the user's `email`; required")
			fs.StringVar(&nu.Name, "name", "", "the user's `name`")
			fs.Func("role", "`role`: user (default), software_coordinator or contract_manager", func(r string) error { nu.Role = api.Role(r); return nil })
			fs.Var(&products, "product", "give access to product `ID` (repeatable)")
			fs.Var(&benefits, "benefit", "give `benefit` download, install, web_support or phone_support (repeatable)")
			fs.StringVar(&nu.Language, "language", "", "`language` of the user's emails: en or fr (default: the contract's)")
		},
		run: withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
			if nu.Email == "" {
				return usagef("--email is required")
			}
			nu.Role = cmpOr(nu.Role, api.RoleUser)
			nu.Products, nu.Benefits = products, benefits
			ch, err := c.AddUser(ctx, nu)
			if err != nil {
				return err
			}
			printChanges(e, []account.Change{*ch}, false)
			return nil
		}),
	}
}

func usersImportCommand() *command {
	var dry bool
	return &command{
		name: "import", args: "FILE.csv [--dry-run]",
		summary: "add users from a CSV file and give them products and benefits",
		help: `The first line names the columns: email,name,role,products,benefits
and optionally language (products and benefits separated by ';'; language
en or fr, empty for the contract's). Every line is checked first and
every bad line reported with its number; one bad line and nothing is
imported. Existing users (by email) keep their ID and get what the file
gives them; nothing is taken away, so importing a file twice changes
nothing. New users get a start email, changed users a notice.`,
		nargs: [2]int{1, 1},
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&dry, "dry-run", false, "print the changes, make none")
		},
		run: withClient(func(ctx context.Context, e *env, c *account.Client, args []string) error {
			data, err := readLimited(args[0], 16<<20)
			if err != nil {
				return err
			}
			changes, err := c.ImportUsers(ctx, data, dry)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			printChanges(e, changes, dry)
			return nil
		}),
	}
}

func usersAssignCommand() *command {
	var a account.Assignment
	var users, addP, rmP, addB, rmB multiFlag
	return &command{
		name: "assign", args: "--user ID... [--add-product ID]... [--remove-product ID]... [--add-benefit B]... [--remove-benefit B]...",
		summary: "give or take products and benefits, for several users at once", nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.Var(&users, "user", "user `ID` (repeatable)")
			fs.Var(&addP, "add-product", "product `ID` to give (repeatable)")
			fs.Var(&rmP, "remove-product", "product `ID` to take away (repeatable)")
			fs.Var(&addB, "add-benefit", "`benefit` to give (repeatable)")
			fs.Var(&rmB, "remove-benefit", "`benefit` to take away (repeatable)")
		},
		run: withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
			if len(users) == 0 {
				return usagef("name at least one --user ID")
			}
			a.Users, a.AddProducts, a.RemoveProducts, a.AddBenefits, a.RemoveBenefits = users, addP, rmP, addB, rmB
			changes, err := c.Assign(ctx, a)
			if err != nil {
				return err
			}
			printChanges(e, changes, false)
			return nil
		}),
	}
}

func usersRemoveCommand() *command {
	var id string
	return &command{
		name: "remove", args: "--user ID", summary: "take a user off the contract", nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) { fs.StringVar(&id, "user", "", "user `ID`; required") },
		run: withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
			if id == "" {
				return usagef("--user ID is required")
			}
			if err := c.RemoveUser(ctx, id); err != nil {
				return err
			}
			e.out.result(jsonout.UserRemoved{Removed: id}, func(w io.Writer) {
				fmt.Fprintf(w, "Removed %s.\n", termSafe(id))
			})
			return nil
		}),
	}
}

func callersCommand() *command {
	var id string
	userFlag := func(fs *flag.FlagSet) { fs.StringVar(&id, "user", "", "user `ID`; required") }
	set := func(designate bool) func(context.Context, *env, []string) error {
		return withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
			if id == "" {
				return usagef("--user ID is required")
			}
			if err := c.SetCaller(ctx, id, designate); err != nil {
				return err
			}
			e.out.result(jsonout.CallerSet{User: id, DesignatedCaller: designate}, func(w io.Writer) {
				if designate {
					fmt.Fprintf(w, "%s may now call phone support.\n", termSafe(id))
				} else {
					fmt.Fprintf(w, "%s is no longer a designated caller.\n", termSafe(id))
				}
			})
			return nil
		})
	}
	return &command{
		name: "callers", args: "list|add|remove",
		summary: "designated callers of phone support (advanced-support contracts)",
		sub: []*command{
			{name: "list", summary: "list the designated callers", nargs: [2]int{0, 0},
				run: withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
					ids, limit, err := c.Callers(ctx)
					if err != nil {
						return err
					}
					e.out.result(jsonout.Callers{Callers: ids, Cap: limit}, func(w io.Writer) {
						fmt.Fprintf(w, "%d of %d designated callers: %s\n", len(ids), limit, strings.Join(termSafeList(ids), ", "))
					})
					return nil
				})},
			{name: "add", args: "--user ID", summary: "designate a caller", nargs: [2]int{0, 0}, flags: userFlag, run: set(true)},
			{name: "remove", args: "--user ID", summary: "take a designation back", nargs: [2]int{0, 0}, flags: userFlag, run: set(false)},
		},
	}
}

func profileCommand() *command {
	var name, phone, email string
	var setName, setPhone, setEmail bool
	return &command{
		name: "profile", args: "[--name N] [--phone P] [--email NEW]", summary: "show or update your profile", nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet) {
			fs.Func("name", "set your `name`", func(s string) error { name, setName = s, true; return nil })
			fs.Func("phone", "set your `phone` number", func(s string) error { phone, setPhone = s, true; return nil })
			fs.Func("email", "change your email `address`: a confirmation link goes to it, and the address changes once the link is opened", func(s string) error { email, setEmail = s, true; return nil })
		},
		run: withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
			if setEmail {
				// One document per command: the change of address answers
				// with its own, so it goes alone.
				if setName || setPhone {
					return usagef("--email goes alone: change the name or phone in another command")
				}
				sent, err := c.ChangeEmail(ctx, email)
				if err != nil {
					return err
				}
				e.out.result(&jsonout.EmailChangeRequested{Requested: true, Email: sent.Email, Expires: sent.Expires}, func(w io.Writer) {
					fmt.Fprint(w, tr("A confirmation link was sent to %s; it works until %s. Your address changes only once it is opened.\n",
						termSafe(sent.Email), sent.Expires.Local().Format(time.DateTime)))
				})
				return nil
			}
			var me *account.Me
			var err error
			if setName || setPhone {
				var n, p *string
				if setName {
					n = &name
				}
				if setPhone {
					p = &phone
				}
				me, err = c.UpdateProfile(ctx, n, p)
			} else {
				me, err = c.WhoAmI(ctx)
			}
			if err != nil {
				return err
			}
			e.out.result((*jsonout.Profile)(&me.User), func(w io.Writer) {
				fmt.Fprintf(w, "%s\nName:  %s\nEmail: %s\nRole:  %s\n", termSafe(me.User.ID), termSafe(me.User.Name), termSafe(me.User.Email), termSafe(strings.ReplaceAll(string(me.User.Role), "_", " ")))
			})
			return nil
		}),
	}
}

func supportCommand() *command {
	return &command{
		name: "support", summary: "your support level, how to reach support, and the FAQ", nargs: [2]int{0, 0},
		run: withClient(func(ctx context.Context, e *env, c *account.Client, _ []string) error {
			s, err := c.Support(ctx)
			if err != nil {
				return err
			}
			faq, err := c.FAQ(ctx)
			if err != nil {
				return err
			}
			e.out.result(jsonout.Support{Support: s, FAQ: faq}, func(w io.Writer) {
				// Only the ways this person may use: the service leaves out the others.
				fmt.Fprintf(w, "Support: %s\n", termSafe(s.Plan))
				if s.Web != "" {
					fmt.Fprintf(w, "Web:   %s\n", termSafe(s.Web))
				}
				if s.Email != "" {
					fmt.Fprintf(w, "Email: %s\n", termSafe(s.Email))
				}
				if s.Phone != "" {
					fmt.Fprintf(w, "Phone: %s\n", termSafe(s.Phone))
				}
				fmt.Fprintf(w, "Hours: %s\n", termSafe(s.Hours))
				if s.Note != "" {
					fmt.Fprintf(w, "Note:  %s\n", termSafe(s.Note))
				}
				fmt.Fprintln(w, "\nFAQ")
				for _, f := range faq {
					fmt.Fprintf(w, "- %s\n  %s\n", termSafe(f.Question), termSafe(f.Answer))
				}
			})
			return nil
		}),
	}
}
