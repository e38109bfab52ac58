// Package cli is the assistant's command line: the command table, flags,
// help, the text and JSON printers and the exit codes, over the workflows
// of package setup. It never imports Fyne, so the command line builds for
// every OS without cgo; the binary that has a window passes it to Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/profile"
)

// Exit codes are part of the CLI contract: scripts and deployment tools act
// on them, so they never change meaning.
const (
	exitOK           = 0
	exitFailed       = 1
	exitUsage        = 2
	exitRequirements = 3
	exitIntegrity    = 4
	exitAuth         = 5
	exitEntitlement  = 6
	// exitNewerInstalled: a newer version is installed and was not
	// replaced (a deployment does not downgrade unless asked).
	exitNewerInstalled = 7
	// exitBusy: another installation is in progress (Windows Installer's
	// 1618, or another install of the same product): nothing changed; run
	// the command again later.
	exitBusy        = 8
	exitInterrupted = 130
)

// env is what a command runs with: its streams and the global options.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	demo           bool    // --demo: the embedded demo catalog and key are trusted
	configPath     string  // --config
	json           bool    // --json: one JSON document on stdout
	out            printer // words or JSON, chosen once the flags are parsed
	contract       string  // --contract: the contract signed-in commands act on

	// The publisher profile, read once (see profile).
	profileRead bool
	prof        *profile.Profile
	profErr     error
}

// command is one CLI command, or a group of them.
type command struct {
	name    string
	args    string // synopsis of the arguments, for usage
	summary string
	help    string // longer text for --help
	sub     []*command
	// flags registers the command's own flags; run gets what is left.
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, e *env, args []string) error
	nargs [2]int // minimum and maximum positional arguments
	// stream: with --json the command prints NDJSON events (progress,
	// then its result or error) rather than one document.
	stream bool
}

// usageError is a mistake in how the command was called: exit 2.
// people is the message in the language people asked for, when it has
// been translated; msg stays English for --json documents.
type usageError struct{ msg, people string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// usagefTr is usagef with the message also in the person's language.
func usagefTr(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), people: tr(format, args...)}
}

// exitError carries an exit code chosen by the command itself (for example
// 3 when a check finds an unmet requirement), with the report already
// printed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func commands(gui GUI) []*command {
	return []*command{
		signinCommand(),
		signoutCommand(),
		passwordCommand(),
		whoamiCommand(),
		contractsCommand(),
		productsCommand(),
		usersCommand(),
		callersCommand(),
		seatsCommand(),
		profileCommand(),
		supportCommand(),
		catalogCommand(),
		checkCommand(),
		fetchCommand(),
		downloadCommand(),
		installCommand(),
		updateCommand(),
		uninstallCommand(),
		verifyCommand(),
		repairCommand(),
		rollbackCommand(),
		deployCommand(),
		versionCommand(),
		registerURLSchemeCommand(gui),
		installProfileCommand(),
		guiCommand(gui),
	}
}

const toolName = "assistant"

// Main is the whole CLI: it parses args (without the program name), runs
// one command and returns the exit code. gui opens the window, for the gui
// command and for no command at all; nil in a build without one.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, gui GUI) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &command{name: toolName, sub: commands(gui), summary: "Onramp setup assistant"}
	if len(args) > 1 && strings.HasPrefix(strings.ToLower(args[0]), "onramp:") {
		// The OS hands a link to the program alone; anything after it was
		// smuggled in through the link (a quote closing Windows' "%1"),
		// so no flag of it is obeyed.
		fmt.Fprintf(stderr, "%s: an onramp:// link is given alone, without other arguments or flags (%d given after it)\n", toolName, len(args)-1)
		return exitUsage
	}

	cmd, rest, code := resolve(e, root, args)
	if cmd == nil {
		return code
	}
	e.out = newPrinter(e, cmd.stream)
	if e.demo && demoStarter == nil {
		return report(e, cmd, usagef("%v", errNoDemo))
	}
	err := cmd.run(ctx, e, rest)
	return report(e, cmd, err)
}

// resolve walks the command tree and parses the flags of the command found.
func resolve(e *env, root *command, args []string) (*command, []string, int) {
	cmd, path := root, []string{toolName}
	for {
		fs := newFlagSet(e, cmd)
		if cmd.run != nil {
			if cmd.flags != nil {
				cmd.flags(fs)
			}
			usage := "print one JSON document on standard output"
			if cmd.stream {
				usage = "print JSON on standard output: one event per line (NDJSON), the result or the error last"
			}
			fs.BoolVar(&e.json, "json", false, usage)
		}
		var positional []string
		var err error
		if cmd.run != nil {
			positional, err = parseInterspersed(fs, args)
		} else if err = fs.Parse(args); err == nil { // a group: flags end at the command name
			positional = fs.Args()
		}
		if errors.Is(err, flag.ErrHelp) {
			printUsage(e.stdout, cmd, path, fs)
			return nil, nil, exitOK
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", strings.Join(path, " "), err)
			printUsage(e.stderr, cmd, path, fs)
			return nil, nil, exitUsage
		}
		if cmd.run != nil {
			if len(positional) < cmd.nargs[0] || (cmd.nargs[1] >= 0 && len(positional) > cmd.nargs[1]) {
				fmt.Fprintf(e.stderr, "%s: wrong number of arguments\n", strings.Join(path, " "))
				printUsage(e.stderr, cmd, path, fs)
				return nil, nil, exitUsage
			}
			return cmd, positional, exitOK
		}
		if len(positional) == 0 && cmd == root {
			positional = []string{"gui"} // no command: the window
		}
		if cmd == root && strings.HasPrefix(strings.ToLower(positional[0]), "onramp:") {
			// The OS hands an onramp:// link to the program alone: the window.
			positional = append([]string{"gui"}, positional...)
		}
		if len(positional) == 0 {
			printUsage(e.stderr, cmd, path, fs)
			return nil, nil, exitUsage
		}
		next := findCommand(cmd.sub, positional[0])
		if next == nil {
			fmt.Fprintf(e.stderr, "%s: unknown command %q\n", strings.Join(path, " "), positional[0])
			printUsage(e.stderr, cmd, path, fs)
			return nil, nil, exitUsage
		}
		cmd, path, args = next, append(path, next.name), positional[1:]
	}
}

func findCommand(cmds []*command, name string) *command {
	for _, c := range cmds {
		if c.name == name {
			return c
		}
	}
	return nil
}

func newFlagSet(e *env, cmd *command) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are printed by resolve, with usage
	fs.BoolVar(&e.demo, "demo", e.demo, "use the embedded demo catalog and trust the demo signing key")
	fs.StringVar(&e.configPath, "config", e.configPath, "configuration `file` (default: the user's config folder, or $ONRAMP_CONFIG)")
	fs.StringVar(&e.contract, "contract", e.contract, "the contract `ID` signed-in commands act on, for a person in several (remembered; default: the one chosen last)")
	return fs
}

// parseInterspersed lets flags come after positional arguments
// ("catalog check FILE --json"), as people type them. A "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// flag stops at the first non-flag, or after "--": tell which.
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func printUsage(w io.Writer, cmd *command, path []string, fs *flag.FlagSet) {
	name := strings.Join(path, " ")
	if cmd.run != nil {
		fmt.Fprintf(w, "Usage: %s [flags] %s\n", name, cmd.args)
		if cmd.summary != "" {
			fmt.Fprintf(w, "\n%s\n", cmd.summary)
		}
		if cmd.help != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(cmd.help))
		}
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		return
	}
	if cmd.summary != "" {
		fmt.Fprintf(w, "%s\n\n", cmd.summary)
	}
	fmt.Fprintf(w, "Usage: %s [--demo] [--config FILE] [--contract ID] COMMAND [flags]\n\nCommands:\n", name)
	for _, c := range cmd.sub {
		fmt.Fprintf(w, "  %-32s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprintf(w, "\nEvery command takes --json and --help. Exit codes: 0 done, 1 failed, 2 usage,\n"+
		"3 requirements not met, 4 integrity failure, 5 authentication, 6 not entitled, 7 a newer version\n"+
		"is installed, 8 another installation is in progress (retry), 130 interrupted.\n")
}

// exitCode maps an error to the contract's exit codes.
func exitCode(err error) int {
	var ee *exitError
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	}
	if code, ok := downloadErrorCode(err); ok {
		return code
	}
	if code, ok := installErrorCode(err); ok {
		return code
	}
	if code, ok := accountErrorCode(err); ok {
		return code
	}
	if code, ok := setupErrorCode(err); ok {
		return code
	}
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &ue):
		return exitUsage
	case catalog.IsIntegrity(err):
		return exitIntegrity
	}
	return exitFailed
}

// report prints a command's error, in words and with --json as a JSON
// document, and returns the exit code.
func report(e *env, cmd *command, err error) int {
	code := exitCode(err)
	if err == nil {
		return code
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.err == errReported {
		return code // the command already printed its report
	}
	hint := cmpOr(downloadHint(err), setupHint(err))
	msg := errorText(err)
	doc := jsonout.ErrorDetail{Code: code, Message: msg, Hint: hint}
	addContractChoice(&doc, err)
	e.out.failure(doc)
	// Error messages carry the service's words (a problem's detail, a bad
	// import line): escaped, as everything from outside is.
	// People read the message and hint in their language; the JSON
	// document above keeps English for scripts.
	var ce *contractChoiceError
	var ue *usageError
	switch {
	case errors.As(err, &ce) && msg == ce.Error():
		msg = ce.text(tr)
	case errors.As(err, &ue) && ue.people != "" && msg == ue.Error():
		msg = ue.people
	}
	fmt.Fprintf(e.stderr, "%s %s: %s\n", toolName, cmd.name, termSafeText(msg))
	if hint != "" {
		fmt.Fprintln(e.stderr, tr(hint))
	}
	if code == exitUsage {
		fmt.Fprintf(e.stderr, "Run '%s %s --help' for usage.\n", toolName, cmd.name)
	}
	return code
}

// errorText is err's message for people: Go's "context canceled", which
// an interrupted operation's error ends with, said in words.
func errorText(err error) string {
	msg := err.Error()
	if errors.Is(err, context.Canceled) {
		if strings.HasSuffix(msg, context.Canceled.Error()) {
			msg = strings.TrimSuffix(strings.TrimSuffix(msg, context.Canceled.Error()), ": ")
			if msg == "" {
				return "cancelled (interrupted); nothing more was done"
			}
			return msg + ": cancelled (interrupted)"
		}
	}
	return strings.ReplaceAll(msg, context.Canceled.Error(), "cancelled")
}

// errReported marks an exitError whose report is already on stdout.
var errReported = errors.New("reported")
