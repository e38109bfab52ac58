// Command portal runs Onramp's reference account service and administers
// it: serve the API, record orders (contracts), read the email outbox.
//
//	portal serve --db FILE|postgres://… --catalog SIGNED.json --public-url URL [--addr 127.0.0.1:8443] [--packages DIR] [--releases DIR] [--profile FILE] [--tls-cert F --tls-key F] [--log-format text|json] [--trusted-proxy CIDR]...
//	portal contract create --db FILE --catalog SIGNED.json --company NAME --manager EMAIL --product ID:SEATS... [--plan advanced] [--language en|fr] [--start YYYY-MM-DD]
//	portal contract start --db FILE --catalog SIGNED.json CONTRACT_ID
//	portal settings set public-url URL|profile FILE --db FILE | portal settings show --db FILE
//	portal outbox list --db FILE [--json]
//
// The public URL (where people reach the service, behind any proxy) and
// the publisher profile (support contacts) are stored in the database:
// every replica and every command that writes emails reads those values.
//
//	portal migrate --from sqlite:FILE --to postgres://USER@HOST/DB [--json]
package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/portal"
	"onramp.dev/onramp/portal/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError string

func (e usageError) Error() string { return string(e) }

const usage = `Usage:
  portal serve --db FILE|postgres://USER@HOST/DB --catalog SIGNED.json --key PUBKEY --public-url URL [--addr 127.0.0.1:8443] [--packages DIR]
        [--releases DIR] [--profile FILE] [--smtp HOST:PORT] [--tls-cert F --tls-key F] [--log-format text|json] [--max-conns-per-address N] [--trusted-proxy CIDR]...
        [--max-session DURATION] [--notice-delay DURATION]
  portal settings set public-url URL|profile FILE --db FILE|postgres://USER@HOST/DB
  portal settings show --db FILE|postgres://USER@HOST/DB
  portal contract create --db FILE --catalog SIGNED.json [--key PUBKEY] --company NAME --manager EMAIL --product ID:SEATS... [--plan standard|advanced] [--callers N] [--term DAYS]
        [--language en|fr] [--start YYYY-MM-DD]
  portal contract start --db FILE --catalog SIGNED.json [--key PUBKEY] CONTRACT_ID
  portal contract show ID --db FILE [--json]
  portal contract update ID --db FILE [--seats [PRODUCT:]N]... [--callers-cap N] [--end YYYY-MM-DD] [--language en|fr] [--manager EMAIL --catalog SIGNED.json --key PUBKEY] [--json]
  portal users show ID|EMAIL --db FILE [--contract ID] [--json]
  portal users resend-start ID|EMAIL --db FILE --catalog SIGNED.json --key PUBKEY [--contract ID] [--json]
  portal users set-email ID NEW-EMAIL --db FILE --catalog SIGNED.json --key PUBKEY [--contract ID] [--json]
  portal users set-role ID manager|coordinator|user --db FILE [--contract ID] [--json]
  portal outbox list --db FILE [--json]
  portal migrate --from sqlite:FILE --to postgres://USER@HOST/DB [--json]
  portal help | --help                     this text; COMMAND --help: a command's flags`

// groups are the commands that take a second word; "portal GROUP --help"
// lists their commands.
var groups = map[string][]string{
	"contract": {"create", "start", "show", "update"},
	"users":    {"show", "resend-start", "set-email", "set-role"},
	"settings": {"set", "show"},
	"outbox":   {"list"},
}

// helpText is what --help asks for: printed on standard output, exit 0.
type helpText string

func (h helpText) Error() string { return string(h) }

func run(ctx context.Context, args []string, out io.Writer) error {
	err := dispatch(ctx, args, out)
	var h helpText
	if errors.As(err, &h) {
		fmt.Fprintln(out, string(h))
		return nil
	}
	return err
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// groupUsage is the lines of usage for the commands of a group.
func groupUsage(group string) string {
	var lines []string
	for _, l := range strings.Split(usage, "\n") {
		if strings.HasPrefix(l, "  portal "+group+" ") {
			lines = append(lines, l)
		}
	}
	return "Usage:\n" + strings.Join(lines, "\n") + "\nportal " + group + " COMMAND --help lists a command's flags."
}

func dispatch(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return usageError(usage)
	}
	if isHelp(args[0]) {
		return helpText(usage)
	}
	if cmds, ok := groups[args[0]]; ok && (len(args) == 1 || isHelp(args[1])) {
		if len(args) == 1 {
			return usageError("portal " + args[0] + ": want one of " + strings.Join(cmds, ", ") + "\n" + groupUsage(args[0]))
		}
		return helpText(groupUsage(args[0]))
	}
	switch strings.Join(args[:min(2, len(args))], " ") {
	case "contract create":
		return contractCreate(ctx, args[2:], out)
	case "contract start":
		return contractStart(ctx, args[2:], out)
	case "contract show":
		return contractShow(ctx, args[2:], out)
	case "contract update":
		return contractUpdate(ctx, args[2:], out)
	case "users show":
		return usersShow(ctx, args[2:], out)
	case "users resend-start":
		return usersResendStart(ctx, args[2:], out)
	case "users set-email":
		return usersSetEmail(ctx, args[2:], out)
	case "users set-role":
		return usersSetRole(ctx, args[2:], out)
	case "outbox list":
		return outboxList(ctx, args[2:], out)
	case "settings set":
		return settingsSet(ctx, args[2:], out)
	case "settings show":
		return settingsShow(ctx, args[2:], out)
	}
	if args[0] == "migrate" {
		return migrate(ctx, args[1:], out)
	}
	if args[0] == "serve" {
		return serve(ctx, args[1:], out)
	}
	return usageError("unknown command: " + strings.Join(args, " ") + "\n" + usage)
}

// common are the flags every command shares.
type common struct {
	db, catalogFile, key string
}

func (c *common) register(fs *flag.FlagSet, withCatalog bool) {
	fs.StringVar(&c.db, "db", "", "SQLite database `FILE` (created if missing), or a postgres:// URL")
	if withCatalog {
		fs.StringVar(&c.catalogFile, "catalog", "", "signed catalog `FILE` to serve")
		fs.StringVar(&c.key, "key", "", "publisher's public key `FILE` to verify the catalog with (default: the key the catalog names must be given)")
	}
}

func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		var b strings.Builder
		fmt.Fprintf(&b, "Usage of portal %s:\n", fs.Name())
		fs.SetOutput(&b)
		fs.PrintDefaults()
		return helpText(strings.TrimRight(b.String(), "\n"))
	} else if err != nil {
		return usageError(err.Error() + "\n" + usage)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: " + strings.Join(fs.Args(), " "))
	}
	return nil
}

// flagTakesValue says whether arg is a flag of fs that takes a value
// ("--db" in "--db FILE"), so that FILE is not taken for an argument.
func flagTakesValue(fs *flag.FlagSet, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if strings.Contains(name, "=") || !strings.HasPrefix(arg, "-") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

// loadCatalog reads and verifies the signed catalog the service serves.
func (c *common) loadCatalog() ([]byte, *catalog.Catalog, error) {
	if c.catalogFile == "" || c.key == "" {
		return nil, nil, usageError("--catalog SIGNED.json and --key PUBKEY are required")
	}
	signed, err := os.ReadFile(c.catalogFile)
	if err != nil {
		return nil, nil, err
	}
	keyData, err := os.ReadFile(c.key)
	if err != nil {
		return nil, nil, err
	}
	pub, err := catalog.ParsePublicKey(keyData)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", c.key, err)
	}
	v, err := catalog.NewKeyring(ed25519.PublicKey(pub)).Open(signed, time.Now())
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", c.catalogFile, err)
	}
	cat, err := catalog.Parse(v.Payload)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", c.catalogFile, err)
	}
	return signed, cat, nil
}

func (c *common) open(ctx context.Context) (*portal.SQLStore, error) {
	if c.db == "" {
		return nil, usageError("--db FILE is required")
	}
	if portal.IsPostgresURL(c.db) {
		// Another user can read a command line (ps): the password comes
		// from PGPASSWORD or a pgpass file, which pgx reads.
		if err := noSecretIn("--db", c.db); err != nil {
			return nil, err
		}
		return portal.OpenPostgres(ctx, c.db)
	}
	return portal.OpenSQLite(ctx, c.db)
}

// noSecretIn refuses a PostgreSQL URL that carries a password anywhere:
// another user can read a command line (ps).
func noSecretIn(flagName, db string) error {
	if secrets := portal.PostgresURLSecrets(db); len(secrets) > 0 {
		return usageError(flagName + ": leave the password out of the URL (" + strings.Join(secrets, ", ") + "); give it in PGPASSWORD or a pgpass file")
	}
	return nil
}

// dbName is how output names the database: a PostgreSQL URL without its
// password, wherever in the URL it is.
func (c *common) dbName() string {
	if portal.IsPostgresURL(c.db) {
		return portal.RedactPostgresURL(c.db)
	}
	return c.db
}

func serve(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c common
	c.register(fs, true)
	addr := fs.String("addr", "127.0.0.1:8443", "listen `address`")
	packages := fs.String("packages", "", "`folder` holding the package files the catalog lists")
	publicURL := fs.String("public-url", "", "where people reach the service (`URL`, https; http only on loopback): every email's links start with it; kept in the database for every replica and command")
	releases := fs.String("releases", "", "release `folder` (OS-ARCH/ folders and SHA256SUMS, as the release build writes them) whose Onramp programs the start page offers")
	profileFile := fs.String("profile", "", "publisher profile `FILE` (profile.json): the publisher's name and support contacts; kept in the database for every replica and command")
	certFile := fs.String("tls-cert", "", "TLS certificate `FILE` (required unless the address is loopback)")
	keyFile := fs.String("tls-key", "", "TLS key `FILE`")
	smtpAddr := fs.String("smtp", "", "deliver the outbox through the SMTP server at `HOST:PORT` (STARTTLS unless loopback)")
	mailFrom := fs.String("mail-from", "onramp@localhost", "sender `address` of the emails")
	connsPerAddr := fs.Int("max-conns-per-address", 64, "connections one IP address may hold open at once, and requests it may have in flight (HTTP/2 carries many on one connection); behind a --trusted-proxy, requests count by the client's address and the proxy may hold 16 times as many")
	maxUsers := fs.Int("max-contract-users", portal.DefaultMaxContractUsers, "users one contract may hold")
	logFormat := fs.String("log-format", "text", "security events and failures on standard error as `text` or json")
	noticeDelay := fs.Duration("notice-delay", 2*time.Minute,
		"how long an email telling a user of a change waits (a `DURATION`): further changes to that user meanwhile go out with it, as one email")
	maxSession := fs.Duration("max-session", portal.DefaultMaxSession,
		"how long a sign-in lasts at most, however often its session is refreshed (a `DURATION` such as 720h); then the password is asked again")
	var proxies []netip.Prefix
	fs.Func("trusted-proxy", "a reverse proxy's address range (`CIDR`, repeatable) whose X-Forwarded-For / Forwarded headers name the client", func(v string) error {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			if a, aerr := netip.ParseAddr(v); aerr == nil {
				p, err = a.Prefix(a.BitLen())
			}
		}
		proxies = append(proxies, p.Masked())
		return err
	})
	if err := parse(fs, args); err != nil {
		return err
	}
	if *maxSession < time.Hour {
		return usageError("--max-session: at least 1h")
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageError("--addr: " + err.Error())
	}
	logger, err := newLogger(*logFormat, logOutput)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
	if !loopback && (*certFile == "" || *keyFile == "") {
		return usageError("--addr " + *addr + " is not loopback: give --tls-cert and --tls-key")
	}
	if *publicURL != "" {
		if _, err := portal.CheckPublicURL(*publicURL); err != nil {
			return usageError("--public-url: " + err.Error())
		}
	}
	opts := []portal.Option{portal.WithLogger(logger), portal.WithMaxSession(*maxSession), portal.WithMaxContractUsers(*maxUsers), portal.WithNoticeDelay(*noticeDelay)}
	var profile portal.Profile
	if *profileFile != "" {
		if profile, err = portal.LoadProfile(*profileFile); err != nil {
			return fmt.Errorf("--profile: %w", err)
		}
	}
	if *releases != "" {
		r, err := portal.LoadReleases(*releases)
		if err != nil {
			return fmt.Errorf("--releases: %w", err)
		}
		opts = append(opts, portal.WithReleases(r))
	}
	signed, cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	store, err := c.open(ctx)
	if err != nil {
		return err
	}
	for _, f := range store.Tightened {
		logger.Warn("the database file was readable by other users: made private (mode 0600)", "event", "file_mode", "file", f)
	}
	defer store.Close()
	if *publicURL != "" {
		if _, err := store.SetPublicURL(ctx, *publicURL, "portal-serve"); err != nil {
			return err
		}
	}
	if *profileFile != "" {
		if err := store.SetPublisherProfile(ctx, profile, "portal-serve"); err != nil {
			return err
		}
	} else if profile, err = store.PublisherProfile(ctx); err != nil {
		return err
	}
	if !profile.Support.Configured() {
		logger.Warn("no support contact is configured: emails and the help page say so; give them with --profile FILE or `portal settings set profile FILE` (support: web, email, phone, hours)",
			"event", "config")
	}
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	svc, err := newService(ctx, store, signed, cat, opts...)
	if err != nil {
		return err
	}
	// A released Onramp signs in at the profile's service_url while the
	// emails send people to the public URL: they should be one service.
	if want, _ := portal.CheckPublicURL(profile.ServiceURL); want != "" && want != svc.PublicURL {
		logger.Warn("the publisher profile's service_url differs from the public URL", "event", "config",
			"service_url", want, "public_url", svc.PublicURL)
	}
	if *packages == "" {
		logger.Warn("no --packages folder: every package download answers 404", "event", "config")
	}
	svc.TrustedProxies = proxies
	srv := web.NewServer(web.NewHandler(svc, portal.FolderPackages(*packages)), web.ServerOptions{MaxConnsPerAddress: *connsPerAddr, TrustedProxies: proxies, Logger: logger})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "portal: serving %s://%s (database %s); people reach it at %s\n", scheme, ln.Addr(), c.dbName(), svc.PublicURL)
	go svc.RunHousekeeping(ctx, 10*time.Minute)
	if *smtpAddr != "" {
		m := &portal.Mailer{Addr: *smtpAddr, From: *mailFrom}
		go func() {
			for {
				if n, err := m.Deliver(ctx, store); err != nil {
					logger.Error("mail delivery failed; retrying", "event", "mail", "error", err)
				} else if n > 0 {
					fmt.Fprintf(out, "portal: mail: delivered %d email(s)\n", n)
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(15 * time.Second):
				}
			}
		}()
	}
	errc := make(chan error, 1)
	go func() {
		if *certFile != "" {
			errc <- srv.ServeTLS(ln, *certFile, *keyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(shutdown)
		// Lost-password requests already answered still get their email.
		svc.WaitPasswordResets()
		return err
	case err := <-errc:
		return err
	}
}

// logOutput is where serve logs; tests read it.
var logOutput io.Writer = os.Stderr

// newLogger writes the service's log lines as text (key=value) or JSON.
func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, usageError("--log-format " + format + ": want text or json")
}

type productSeats []portal.Seats

func (p *productSeats) String() string { return fmt.Sprint(*p) }
func (p *productSeats) Set(s string) error {
	id, n, ok := strings.Cut(s, ":")
	seats, err := strconv.Atoi(n)
	if !ok || err != nil {
		return fmt.Errorf("want ID:SEATS, found %q", s)
	}
	*p = append(*p, portal.Seats{Product: id, Seats: seats})
	return nil
}

func contractCreate(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("contract create", flag.ContinueOnError)
	var c common
	c.register(fs, true)
	var products productSeats
	company := fs.String("company", "", "company `name`")
	manager := fs.String("manager", "", "contract manager's `email`")
	managerName := fs.String("manager-name", "", "contract manager's `name`")
	plan := fs.String("plan", "standard", "support `plan`: standard or advanced")
	callers := fs.Int("callers", 0, "designated callers allowed (advanced plans; default 2)")
	term := fs.Int("term", 365, "contract term in `days`")
	language := fs.String("language", "en", "`language` of the contract's emails and pages: en or fr (a user may have their own)")
	start := fs.String("start", "", "the `day` (YYYY-MM-DD, UTC) the subscription starts and the start emails go out; default today: at once")
	asJSON := fs.Bool("json", false, "print the contract as JSON")
	fs.Var(&products, "product", "`ID:SEATS` (repeatable)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var startDay time.Time
	if *start != "" {
		d, err := time.Parse(time.DateOnly, *start)
		if err != nil {
			return usageError(fmt.Sprintf("--start %q: want a day as YYYY-MM-DD", *start))
		}
		startDay = d
	}
	signed, cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	store, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := newService(ctx, store, signed, cat)
	if err != nil {
		return err
	}
	contract, m, err := svc.CreateContract(ctx, portal.ContractRequest{Company: *company, ManagerEmail: *manager, ManagerName: *managerName,
		Products: products, Plan: portal.SupportPlan(*plan), CallerCap: *callers, Term: time.Duration(*term) * 24 * time.Hour,
		Language: *language, Start: startDay}, "portal-cli")
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(map[string]any{"contract": contract, "manager_id": m.ID})
	}
	if contract.Started != nil {
		fmt.Fprintf(out, "contract %s for %s; manager %s (%s); started: order confirmation and start email queued\n", contract.ID, contract.Company, m.ID, m.Email)
	} else {
		fmt.Fprintf(out, "contract %s for %s; manager %s (%s); ordered: order confirmation queued; the start emails go out on %s (portal serve starts it then), or now with `portal contract start %s`\n",
			contract.ID, contract.Company, m.ID, m.Email, contract.Starts.Format(time.DateOnly), contract.ID)
	}
	return nil
}

func contractStart(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("contract start", flag.ContinueOnError)
	var c common
	c.register(fs, true)
	// The ID may come first or last: flags stop at the first argument.
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	} else if len(args) > 0 && !strings.HasPrefix(args[len(args)-1], "-") && (len(args) < 2 || !flagTakesValue(fs, args[len(args)-2])) {
		id, args = args[len(args)-1], args[:len(args)-1]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if id == "" {
		return usageError("contract start: give the contract's ID\n" + usage)
	}
	signed, cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	store, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := newService(ctx, store, signed, cat)
	if err != nil {
		return err
	}
	contract, err := svc.StartContract(ctx, id, "portal-cli")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "contract %s for %s started: start emails queued\n", contract.ID, contract.Company)
	return nil
}

// newService is the service every command that writes emails uses: its
// links start with the public URL stored in the database, and it names
// the support contacts of the publisher profile stored there: the values
// `serve --public-url --profile` or `settings set` keep there.
func newService(ctx context.Context, store *portal.SQLStore, signed []byte, cat *catalog.Catalog, opts ...portal.Option) (*portal.Service, error) {
	public, err := store.PublicURL(ctx)
	if errors.Is(err, portal.ErrNoPublicURL) {
		return nil, usageError(err.Error())
	}
	if err != nil {
		return nil, err
	}
	profile, err := store.PublisherProfile(ctx)
	if err != nil {
		return nil, err
	}
	return portal.NewService(store, signed, cat, public, append([]portal.Option{portal.WithProfile(profile)}, opts...)...), nil
}

func settingsSet(ctx context.Context, args []string, out io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		return helpText("Usage: portal settings set public-url URL|profile FILE --db FILE|postgres://USER@HOST/DB\n" +
			"  public-url: where people reach the service (https; http only on loopback); every email's links start with it.\n" +
			"  profile: the publisher profile (profile.json): the publisher's name and the support contacts every email names.\n" +
			"  Running replicas read them when they start.")
	}
	if len(args) < 2 || (args[0] != portal.SettingPublicURL && args[0] != portal.SettingProfile) {
		return usageError("want: portal settings set public-url URL|profile FILE --db FILE\n" + usage)
	}
	name, value := args[0], args[1]
	fs := flag.NewFlagSet("settings set", flag.ContinueOnError)
	var c common
	c.register(fs, false)
	if err := parse(fs, args[2:]); err != nil {
		return err
	}
	var profile portal.Profile
	if name == portal.SettingProfile {
		p, err := portal.LoadProfile(value)
		if err != nil {
			return fmt.Errorf("profile: %w", err)
		}
		profile = p
	} else if _, err := portal.CheckPublicURL(value); err != nil {
		return usageError(name + ": " + err.Error())
	}
	store, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	stored := value
	if name == portal.SettingProfile {
		err = store.SetPublisherProfile(ctx, profile, "portal-cli")
		stored = "publisher " + strconv.Quote(profile.Publisher) + " from " + value
	} else {
		stored, err = store.SetPublicURL(ctx, value, "portal-cli")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s = %s (running replicas use it once restarted)\n", name, stored)
	return nil
}

func settingsShow(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("settings show", flag.ContinueOnError)
	var c common
	c.register(fs, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	store, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	v, err := store.PublicURL(ctx)
	if errors.Is(err, portal.ErrNoPublicURL) {
		v = "(not set)"
	} else if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s = %s\n", portal.SettingPublicURL, v)
	v, err = store.Setting(ctx, portal.SettingProfile)
	if errors.Is(err, portal.ErrNotFound) {
		v = "(not set)"
	} else if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s = %s\n", portal.SettingProfile, v)
	return nil
}

func outboxList(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("outbox list", flag.ContinueOnError)
	var c common
	c.register(fs, false)
	asJSON := fs.Bool("json", false, "print the emails as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	store, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	emails, err := store.Outbox(ctx, false)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(emails)
	}
	for _, e := range emails {
		state := "queued"
		if e.SentAt != nil {
			state = "sent " + e.SentAt.Format(time.RFC3339)
		}
		fmt.Fprintf(out, "#%d to %s [%s] %s (%s)\n%s\n", e.ID, e.To, e.Kind, e.Subject, state, e.Body)
	}
	return nil
}

// migrate copies a stopped service's SQLite database into an empty
// PostgreSQL database, and verifies every table by its rows and checksum.
func migrate(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	from := fs.String("from", "", "the database to copy: `sqlite:FILE` (stop the service first)")
	to := fs.String("to", "", "the empty database to copy into: `postgres://USER@HOST/DB` (the password in PGPASSWORD or a pgpass file)")
	asJSON := fs.Bool("json", false, "print the tables' rows and checksums as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	file, ok := strings.CutPrefix(*from, "sqlite:")
	if !ok || file == "" || !portal.IsPostgresURL(*to) {
		return usageError("want --from sqlite:FILE --to postgres://…\n" + usage)
	}
	if err := noSecretIn("--to", *to); err != nil {
		return err
	}
	// OpenSQLite would create a missing file: a mistyped name must not
	// copy an empty database.
	if _, err := os.Stat(file); err != nil {
		return err
	}
	src, err := portal.OpenSQLite(ctx, file)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := (&common{db: *to}).open(ctx)
	if err != nil {
		return err
	}
	defer dst.Close()
	sums, err := portal.CopyStore(ctx, src, dst)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(sums)
	}
	for _, s := range sums {
		fmt.Fprintf(out, "%-18s %8d rows  sha256 %s\n", s.Table, s.Rows, s.Checksum)
	}
	fmt.Fprintf(out, "copied and verified %d tables into %s\n", len(sums), (&common{db: *to}).dbName())
	return nil
}
