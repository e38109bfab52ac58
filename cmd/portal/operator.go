package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/portal"
)

// The commands of the publisher's support staff, run on the service's
// host with its database: they may do what a contract's own admins may
// not (resend to a contract manager, correct an address, change a
// contract). Each is recorded in the audit table under the operator's
// name and logged as a security event on standard error.

// parseWith parses a command's flags and its positional arguments, named
// by names, which come before or after the flags.
func parseWith(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	var pos []string
	for len(args) > 0 && len(pos) < len(names) && !strings.HasPrefix(args[0], "-") {
		pos, args = append(pos, args[0]), args[1:]
	}
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		var b strings.Builder
		fmt.Fprintf(&b, "Usage: portal %s %s [flags]\n", fs.Name(), strings.Join(names, " "))
		fs.SetOutput(&b)
		fs.PrintDefaults()
		return nil, helpText(strings.TrimRight(b.String(), "\n"))
	} else if err != nil {
		return nil, usageError(err.Error() + "\n" + groupUsage(strings.Fields(fs.Name())[0]))
	}
	pos = append(pos, fs.Args()...)
	if len(pos) != len(names) {
		return nil, usageError(fmt.Sprintf("portal %s: want %s, found %d argument(s)\n%s", fs.Name(), strings.Join(names, " "), len(pos),
			groupUsage(strings.Fields(fs.Name())[0])))
	}
	return pos, nil
}

// operatorName is who the audit table and the log name as having acted:
// the operating system's user running the command.
func operatorName() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" || len(name) > 64 || strings.ContainsAny(name, " \t\r\n") {
		name = "unknown"
	}
	return "operator:" + name
}

// operatorService opens the database and the service the operator's
// commands act through, with the security log on standard error. Commands
// that send emails need the catalog (withCatalog), as contract create does.
func operatorService(ctx context.Context, c *common, logFormat string, withCatalog bool) (*portal.Service, *portal.SQLStore, error) {
	logger, err := newLogger(logFormat, logOutput)
	if err != nil {
		return nil, nil, err
	}
	var signed []byte
	var cat *catalog.Catalog
	if withCatalog {
		signed, cat, err = c.loadCatalog()
		if err != nil {
			return nil, nil, err
		}
	}
	store, err := c.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	var svc *portal.Service
	if withCatalog {
		svc, err = newService(ctx, store, signed, cat, portal.WithLogger(logger))
	} else {
		svc = portal.NewService(store, nil, nil, "", portal.WithLogger(logger))
	}
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return svc, store, nil
}

// operatorFlags are the flags of every operator command.
type operatorFlags struct {
	common
	json      bool
	logFormat string
	contract  string // users commands: the membership they act on
}

// registerContract adds --contract to a command about one person.
func (o *operatorFlags) registerContract(fs *flag.FlagSet) {
	fs.StringVar(&o.contract, "contract", "", "the contract `ID` the command acts on, for a person who belongs to several")
}

// severalContracts makes a person's several contracts a usage error: the
// operator names one with --contract.
func severalContracts(err error) error {
	var sc *portal.SeveralContractsError
	if errors.As(err, &sc) {
		return usageError(sc.Error())
	}
	return err
}

func (o *operatorFlags) register(fs *flag.FlagSet, withCatalog bool) {
	o.common.register(fs, withCatalog)
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
	fs.StringVar(&o.logFormat, "log-format", "text", "the security log line on standard error as `text` or json")
}

// operatorRun runs an operator command that takes only the common flags
// and positional arguments: parse, open the service (withCatalog for
// those that send email), then do.
func operatorRun(ctx context.Context, name string, args []string, withCatalog bool, positional []string, do func(svc *portal.Service, pos []string, asJSON bool) error) error {
	return userOperatorRun(ctx, name, args, withCatalog, false, positional, func(svc *portal.Service, pos []string, _ string, asJSON bool) error {
		return do(svc, pos, asJSON)
	})
}

// userOperatorRun is operatorRun for a command about one person, with
// --contract (withContract) passed to do.
func userOperatorRun(ctx context.Context, name string, args []string, withCatalog, withContract bool, positional []string,
	do func(svc *portal.Service, pos []string, contract string, asJSON bool) error) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var o operatorFlags
	o.register(fs, withCatalog)
	if withContract {
		o.registerContract(fs)
	}
	pos, err := parseWith(fs, args, positional...)
	if err != nil {
		return err
	}
	svc, store, err := operatorService(ctx, &o.common, o.logFormat, withCatalog)
	if err != nil {
		return err
	}
	defer store.Close()
	return severalContracts(do(svc, pos, o.contract, o.json))
}

// userView is a user as an operator sees them, with the state of their
// password (never the password).
type userView struct {
	*portal.User
	Password string `json:"password_state"`
	Contract string `json:"company"`
}

func printUser(out io.Writer, asJSON bool, v userView) error {
	if asJSON {
		return json.NewEncoder(out).Encode(v)
	}
	u := v.User
	benefits := make([]string, len(u.Benefits))
	for i, b := range u.Benefits {
		benefits[i] = string(b)
	}
	fmt.Fprintf(out, "user %s\n  email: %s\n  name: %s\n  contract: %s (%s)\n  role: %s\n  products: %s\n  benefits: %s\n  designated caller: %t\n  password: %s\n  created: %s\n",
		u.ID, u.Email, u.Name, u.ContractID, v.Contract, u.Role, strings.Join(u.Products, ", "), strings.Join(benefits, ", "), u.Caller,
		v.Password, u.Created.Format(time.DateTime+" MST"))
	return nil
}

func usersShow(ctx context.Context, args []string, out io.Writer) error {
	return userOperatorRun(ctx, "users show", args, false, true, []string{"ID|EMAIL"}, func(svc *portal.Service, pos []string, contract string, asJSON bool) error {
		u, c, err := svc.OperatorShowUser(ctx, pos[0], contract, operatorName())
		if err != nil {
			return err
		}
		return printUser(out, asJSON, userView{User: u, Password: u.PasswordState(time.Now()), Contract: c.Company})
	})
}

func usersResendStart(ctx context.Context, args []string, out io.Writer) error {
	return userOperatorRun(ctx, "users resend-start", args, true, true, []string{"ID|EMAIL"}, func(svc *portal.Service, pos []string, contract string, asJSON bool) error {
		sent, err := svc.OperatorSendStartEmail(ctx, pos[0], contract, operatorName())
		if err != nil {
			return err
		}
		return printSent(out, asJSON, sent)
	})
}

func printSent(out io.Writer, asJSON bool, sent *portal.StartEmailSent) error {
	if asJSON {
		return json.NewEncoder(out).Encode(sent)
	}
	if sent.StartsOn != nil {
		fmt.Fprintf(out, "%s (%s): nothing sent yet: the contract starts on %s, and the start email goes to this address then\n",
			sent.Email, sent.UserID, sent.StartsOn.Format(time.DateOnly))
		return nil
	}
	fmt.Fprintf(out, "new start email to %s (%s) queued: a new temporary password, good once until %s; the user's previous password and sessions no longer work\n",
		sent.Email, sent.UserID, sent.Expires.Format(time.DateTime+" MST"))
	return nil
}

func usersSetEmail(ctx context.Context, args []string, out io.Writer) error {
	return userOperatorRun(ctx, "users set-email", args, true, true, []string{"ID", "NEW-EMAIL"}, func(svc *portal.Service, pos []string, contract string, asJSON bool) error {
		sent, err := svc.OperatorSetEmail(ctx, portal.EmailCorrection{User: pos[0], Email: pos[1], ContractID: contract}, operatorName())
		if err != nil {
			return err
		}
		return printSent(out, asJSON, sent)
	})
}

func usersSetRole(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("users set-role", flag.ContinueOnError)
	var o operatorFlags
	o.register(fs, false)
	o.registerContract(fs)
	pos, err := parseWith(fs, args, "ID", "manager|coordinator|user")
	if err != nil {
		return err
	}
	role, err := portal.ParseRole(pos[1])
	if err != nil {
		return usageError(err.Error())
	}
	svc, store, err := operatorService(ctx, &o.common, o.logFormat, false)
	if err != nil {
		return err
	}
	defer store.Close()
	u, err := svc.OperatorSetRole(ctx, pos[0], role, o.contract, operatorName())
	if err != nil {
		return severalContracts(err)
	}
	if o.json {
		return json.NewEncoder(out).Encode(u)
	}
	fmt.Fprintf(out, "user %s (%s) is now %s\n", u.ID, u.Email, u.Role)
	return nil
}

func printContract(out io.Writer, asJSON bool, d *portal.ContractDetail) error {
	if asJSON {
		return json.NewEncoder(out).Encode(d)
	}
	c := d.Contract
	fmt.Fprintf(out, "contract %s: %s\n  support: %s, designated callers %d of %d\n  from %s to %s\n  users: %d\n",
		c.ID, c.Company, c.Plan, d.Callers, c.CallerCap, c.Starts.Format(time.DateOnly), c.Ends.Format(time.DateOnly), d.Users)
	for _, p := range c.Products {
		fmt.Fprintf(out, "  product %s: %d seat(s)\n", p.Product, p.Seats)
	}
	for _, m := range d.Managers {
		fmt.Fprintf(out, "  manager %s: %s\n", m.ID, m.Email)
	}
	return nil
}

func contractShow(ctx context.Context, args []string, out io.Writer) error {
	return operatorRun(ctx, "contract show", args, false, []string{"ID"}, func(svc *portal.Service, pos []string, asJSON bool) error {
		d, err := svc.OperatorShowContract(ctx, pos[0], operatorName())
		if err != nil {
			return err
		}
		return printContract(out, asJSON, d)
	})
}

// seatsFlag is --seats N or --seats PRODUCT:N, repeatable.
type seatsFlag map[string]int

func (s seatsFlag) String() string { return fmt.Sprint(map[string]int(s)) }
func (s seatsFlag) Set(v string) error {
	product, n, ok := strings.Cut(v, ":")
	if !ok {
		product, n = "", v
	}
	seats, err := strconv.Atoi(n)
	if err != nil {
		return fmt.Errorf("want N or PRODUCT:N, found %q", v)
	}
	s[product] = seats
	return nil
}

func contractUpdate(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("contract update", flag.ContinueOnError)
	var o operatorFlags
	o.register(fs, true)
	seats := seatsFlag{}
	fs.Var(seats, "seats", "seats of the contract's product: `N`, or PRODUCT:N for one of several (repeatable)")
	callers := fs.Int("callers-cap", 0, "designated callers allowed (`N`, advanced plans)")
	end := fs.String("end", "", "the contract's end `date` (YYYY-MM-DD, UTC)")
	manager := fs.String("manager", "", "correct the `email` of the contract's only manager: a new start email goes to it (needs --catalog and --key)")
	language := fs.String("language", "", "the `language` of the contract's emails and pages: en or fr")
	pos, err := parseWith(fs, args, "ID")
	if err != nil {
		return err
	}
	var up portal.ContractUpdate
	if len(seats) > 0 {
		up.Seats = seats
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "callers-cap" {
			up.CallerCap = callers
		}
	})
	if *end != "" {
		t, err := time.Parse(time.DateOnly, *end)
		if err != nil {
			return usageError("--end " + *end + ": want a date YYYY-MM-DD")
		}
		up.Ends = t
	}
	up.ManagerEmail = *manager
	up.Language = *language
	if up.Seats == nil && up.CallerCap == nil && up.Ends.IsZero() && up.ManagerEmail == "" && up.Language == "" {
		return usageError("portal contract update: nothing to change: give --seats, --callers-cap, --end, --manager or --language\n" + groupUsage("contract"))
	}
	svc, store, err := operatorService(ctx, &o.common, o.logFormat, up.ManagerEmail != "")
	if err != nil {
		return err
	}
	defer store.Close()
	d, err := svc.UpdateContract(ctx, pos[0], up, operatorName())
	if err != nil {
		return err
	}
	return printContract(out, o.json, d)
}
