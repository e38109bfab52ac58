package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/cli/jsonout"
)

// A person may belong to several contracts. Signed-in commands act on one:
// --contract's, else the one chosen last (the session file remembers it),
// else, for a person in one contract, that one. A person in several who
// has chosen none is asked to choose: acting on the oldest, as the service
// would, could download or count seats on another company's contract.

// Why a contract could not be chosen (contractChoiceError.Reason, in
// --json).
const (
	choiceNeeded    = "contract_choice_needed" // several memberships, none chosen
	choiceNotMember = "not_a_member"           // --contract names a contract not the person's
	choiceForgotten = "contract_forgotten"     // the remembered contract is no longer the person's
)

// contractChoiceError stops a command whose contract could not be chosen,
// listing the person's contracts to choose from. It is a usage error.
type contractChoiceError struct {
	Reason      string
	Contract    string // the contract refused (choiceNotMember, choiceForgotten)
	Memberships []account.Membership
}

func (e *contractChoiceError) Error() string { return e.text(fmt.Sprintf) }

// text is the error's message, formatted by sprintf: fmt.Sprintf for the
// message scripts read, tr for the one people read.
func (e *contractChoiceError) text(sprintf func(string, ...any) string) string {
	var b strings.Builder
	switch e.Reason {
	case choiceNeeded:
		b.WriteString(sprintf("you belong to %d contracts: choose the one to act on with --contract ID (it is remembered for the next commands)", len(e.Memberships)))
	case choiceNotMember:
		b.WriteString(sprintf("contract %s is not one of yours: choose one with --contract ID", e.Contract))
	case choiceForgotten:
		b.WriteString(sprintf("contract %s, the one chosen last on this machine, is no longer one of yours (this machine has forgotten it): choose one with --contract ID", e.Contract))
	}
	if len(e.Memberships) == 0 {
		b.WriteString(sprintf("; you belong to no contract now"))
		return b.String()
	}
	b.WriteString(sprintf(":"))
	for _, m := range e.Memberships {
		fmt.Fprintf(&b, "\n  %s  %s (%s)", m.ContractID, m.Company, roleWords(m.Role))
	}
	return b.String()
}

// addContractChoice adds to an error's --json document the contracts to
// choose from, when the error is a contract that could not be chosen.
func addContractChoice(doc *jsonout.ErrorDetail, err error) {
	var ce *contractChoiceError
	if !errors.As(err, &ce) {
		return
	}
	doc.Reason = ce.Reason
	doc.Contract = ce.Contract
	doc.Memberships = ce.Memberships
}

func roleWords[S ~string](r S) string { return strings.ReplaceAll(termSafe(r), "_", " ") }

// How the contract acted on was chosen (whoami and contracts list).
const (
	chosenByFlag       = "flag"       // --contract
	chosenByRemembered = "remembered" // the session file's
	chosenByDefault    = "default"    // none chosen: the service's, the oldest
)

// contractChoice is the contract a command acts on, and the person's
// memberships.
type contractChoice struct {
	Me          *account.Me
	Memberships []account.Membership
	By          string // chosenByFlag, chosenByRemembered or chosenByDefault
	// Remembered: --contract chose a contract other than the one
	// remembered, and it is remembered now.
	Remembered bool
}

// noteRemembered tells, on standard error, that a --contract is now
// remembered, for a person in several contracts (with one, there is no
// choice to tell).
func (e *env) noteRemembered(ch *contractChoice) {
	if ch.Remembered && !e.json && len(ch.Memberships) > 1 {
		fmt.Fprint(e.stderr, tr("Acting on contract %s (%s), from now on until you choose another.\n", termSafe(ch.Me.Contract.ID), termSafe(ch.Me.Contract.Company)))
	}
}

// chooseContract sets the contract c acts on: --contract's, else the one
// the session file remembers. A --contract the person belongs to is
// remembered; a remembered one the person no longer belongs to is
// forgotten, and the command stops, listing the person's contracts. With
// required (commands that act on a contract), a person in several
// contracts who chose none stops there too. It reads the person (GET /me)
// once, on the contract chosen.
func (e *env) chooseContract(ctx context.Context, c *account.Client, s *sessionFile, required bool) (*contractChoice, error) {
	if e.contract != "" && !contractIDShape(e.contract) {
		return nil, usagef("--contract %q: a contract ID is 1 to %d letters, digits, '-', '_' or '.' (see '%s contracts list')", e.contract, maxContractID, toolName)
	}
	id, by := e.contract, chosenByFlag
	if id == "" && contractIDShape(s.Contract) { // a damaged file's value is no choice
		id, by = s.Contract, chosenByRemembered
	}
	if id == "" {
		by = chosenByDefault
	}
	c.SetContract(id)
	me, err := c.WhoAmI(ctx)
	// A service older than memberships ignores the choice: it acts on the
	// person's one contract, which must then be the one chosen.
	if err == nil && id != "" && me.User.ContractID != id {
		err = &account.NotMemberError{Contract: id}
	}
	if errors.Is(err, account.ErrNotMember) || errors.As(err, new(*account.NotMemberError)) {
		c.SetContract("")
		list, lerr := c.Memberships(ctx)
		if lerr != nil {
			return nil, errors.Join(err, lerr)
		}
		reason := choiceNotMember
		if by == chosenByRemembered {
			reason = choiceForgotten
			if serr := e.rememberContract(s.Server, s.User, ""); serr != nil {
				return nil, serr
			}
		}
		return nil, &exitError{code: exitUsage, err: &contractChoiceError{Reason: reason, Contract: id, Memberships: list}}
	}
	if err != nil {
		return nil, err
	}
	list := account.MembershipsOf(me)
	if id == "" && required && len(list) > 1 {
		return nil, &exitError{code: exitUsage, err: &contractChoiceError{Reason: choiceNeeded, Memberships: list}}
	}
	ch := &contractChoice{Me: me, Memberships: list, By: by}
	if by == chosenByFlag && s.Contract != id {
		// Read again and written only if it still names this session:
		// another process may have signed someone else in meanwhile.
		if err := e.rememberContract(s.Server, s.User, id); err != nil {
			return nil, err
		}
		s.Contract = id
		ch.Remembered = true
	}
	return ch, nil
}

// maxContractID bounds a contract ID given or remembered: it goes into
// every request's header.
const maxContractID = 64

// contractIDShape tells whether id can be a contract ID: what a header
// carries safely, and what a person can type.
func contractIDShape(id string) bool {
	if id == "" || len(id) > maxContractID {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// keptContract is the contract the session file remembers when the
// session it names is server's and user's: a new sign-in of the same
// person keeps their choice, another person's starts without one.
func (e *env) keptContract(server, user string) string {
	if old, err := e.loadSession(); err == nil && sameService(old.Server, server) && old.User == user {
		return old.Contract
	}
	return ""
}

// rememberContract makes contract the one the session file remembers,
// when the file names server's and user's session (the window's choice).
func (e *env) rememberContract(server, user, contract string) error {
	s, err := e.loadSession()
	if err != nil || !sameService(s.Server, server) || s.User != user {
		return nil // no saved session of theirs to remember it with
	}
	if s.Contract == contract {
		return nil
	}
	s.Contract = contract
	return e.saveSession(*s)
}

// membershipJSON is a membership in whoami's and contracts list's --json,
// marked when it is the one acted on.
func markedMemberships(ch *contractChoice) []jsonout.Membership {
	out := make([]jsonout.Membership, 0, len(ch.Memberships))
	for _, m := range ch.Memberships {
		out = append(out, jsonout.Membership{Membership: m, Chosen: m.ContractID == ch.Me.User.ContractID})
	}
	return out
}

// printMemberships lists the person's contracts, the one acted on marked.
func printMemberships(w io.Writer, ch *contractChoice) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, tr("\tCONTRACT\tCOMPANY\tROLE\tSTATUS"))
	for _, m := range ch.Memberships {
		mark := ""
		if m.ContractID == ch.Me.User.ContractID {
			mark = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mark, termSafe(m.ContractID), termSafe(m.Company), roleWords(m.Role), dash(termSafe(m.Status)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch ch.By {
	case chosenByDefault:
		if len(ch.Memberships) > 1 {
			fmt.Fprint(w, tr("* the oldest, as none is chosen: commands that act on a contract ask you to choose one with --contract ID or '%s contracts use ID'.\n", toolName))
		}
	default:
		fmt.Fprint(w, tr("* the one commands act on; choose another with --contract ID or '%s contracts use ID'.\n", toolName))
	}
	return nil
}

func contractsCommand() *command {
	return &command{
		name:    "contracts",
		args:    "list|use",
		summary: "the contracts you belong to, and the one commands act on",
		sub:     []*command{contractsListCommand(), contractsUseCommand()},
	}
}

func contractsListCommand() *command {
	return &command{
		name: "list", summary: "list your contracts, marking the one commands act on", nargs: [2]int{0, 0},
		run: func(ctx context.Context, e *env, _ []string) error {
			c, s, err := e.resumedClient(ctx)
			if err != nil {
				return err
			}
			ch, err := e.chooseContract(ctx, c, s, false)
			if err != nil {
				return err
			}
			var werr error
			e.out.result(jsonout.Contracts{Memberships: markedMemberships(ch), ChosenBy: ch.By}, func(w io.Writer) { werr = printMemberships(w, ch) })
			return werr
		},
	}
}

func contractsUseCommand() *command {
	return &command{
		name: "use", args: "ID", summary: "act on contract ID from now on (remembered on this machine)", nargs: [2]int{1, 1},
		help: `Signed-in commands (download, install, seats, users, callers, support...)
act on this contract until another is chosen, here, with --contract ID, or
in the window. The same as giving --contract ID to any signed-in command.`,
		run: func(ctx context.Context, e *env, args []string) error {
			if e.contract != "" && e.contract != args[0] {
				return usagef("give the contract once: as the argument, or with --contract")
			}
			e.contract = args[0]
			c, s, err := e.resumedClient(ctx)
			if err != nil {
				return err
			}
			ch, err := e.chooseContract(ctx, c, s, false)
			if err != nil {
				return err
			}
			e.out.result(jsonout.ContractChosen{Contract: ch.Me.Contract.ID, Company: ch.Me.Contract.Company}, func(w io.Writer) {
				fmt.Fprint(w, tr("Commands act on contract %s (%s) from now on.\n", termSafe(ch.Me.Contract.ID), termSafe(ch.Me.Contract.Company)))
			})
			return nil
		},
	}
}
