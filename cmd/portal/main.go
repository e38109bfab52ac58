// Command portal runs Onramp's reference account service and administers
// it: serve the API, record orders (contracts), read the email outbox.
//
//	portal serve --db FILE|postgres://… --catalog SIGNED.json [--addr 127.0.0.1:8443] [--packages DIR] [--tls-cert F --tls-key F] [--log-format text|json] [--trusted-proxy CIDR]...
//	portal contract create --db FILE --catalog SIGNED.json --company NAME --manager EMAIL --product ID:SEATS... [--plan advanced]
//	portal outbox list --db FILE [--json]
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
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/portal"
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
  portal serve --db FILE|postgres://USER@HOST/DB --catalog SIGNED.json --key PUBKEY [--addr 127.0.0.1:8443] [--packages DIR] [--smtp HOST:PORT] [--tls-cert F --tls-key F]
        [--log-format text|json] [--max-conns-per-address N] [--trusted-proxy CIDR]...
  portal contract create --db FILE --catalog SIGNED.json [--key PUBKEY] --company NAME --manager EMAIL --product ID:SEATS... [--plan standard|advanced] [--callers N] [--term DAYS]
  portal outbox list --db FILE [--json]
  portal migrate --from sqlite:FILE --to postgres://USER@HOST/DB [--json]`

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return usageError(usage)
	}
	switch strings.Join(args[:min(2, len(args))], " ") {
	case "contract create":
		return contractCreate(ctx, args[2:], out)
	case "outbox list":
		return outboxList(ctx, args[2:], out)
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
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error() + "\n" + usage)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: " + strings.Join(fs.Args(), " "))
	}
	return nil
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
		if u, err := url.Parse(c.db); err == nil && u.User != nil {
			if _, set := u.User.Password(); set {
				return nil, usageError("--db: leave the password out of the URL; give it in PGPASSWORD or a pgpass file")
			}
		}
		return portal.OpenPostgres(ctx, c.db)
	}
	return portal.OpenSQLite(ctx, c.db)
}

// dbName is how output names the database: a PostgreSQL URL without its
// password.
func (c *common) dbName() string {
	if u, err := url.Parse(c.db); err == nil && portal.IsPostgresURL(c.db) {
		return u.Redacted()
	}
	return c.db
}

func serve(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c common
	c.register(fs, true)
	addr := fs.String("addr", "127.0.0.1:8443", "listen `address`")
	packages := fs.String("packages", "", "`folder` holding the package files the catalog lists")
	certFile := fs.String("tls-cert", "", "TLS certificate `FILE` (required unless the address is loopback)")
	keyFile := fs.String("tls-key", "", "TLS key `FILE`")
	smtpAddr := fs.String("smtp", "", "deliver the outbox through the SMTP server at `HOST:PORT` (STARTTLS unless loopback)")
	mailFrom := fs.String("mail-from", "onramp@localhost", "sender `address` of the emails")
	connsPerAddr := fs.Int("max-conns-per-address", 64, "connections one IP address may hold open at once, and requests it may have in flight (HTTP/2 carries many on one connection); raise it behind a proxy")
	maxUsers := fs.Int("max-contract-users", portal.DefaultMaxContractUsers, "users one contract may hold")
	logFormat := fs.String("log-format", "text", "security events and failures on standard error as `text` or json")
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
	signed, cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	store, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	svc := portal.NewService(store, signed, cat, scheme+"://"+*addr, portal.WithLogger(logger), portal.WithMaxContractUsers(*maxUsers))
	svc.TrustedProxies = proxies
	srv := portal.NewServer(svc.Handler(portal.FolderPackages(*packages)), portal.ServerOptions{MaxConnsPerAddress: *connsPerAddr, Logger: logger})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "portal: serving %s://%s (database %s)\n", scheme, ln.Addr(), c.dbName())
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
		return srv.Shutdown(shutdown)
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
	asJSON := fs.Bool("json", false, "print the contract as JSON")
	signIn := fs.String("sign-in-url", "http://127.0.0.1:8443", "the service's address, for the start email's sign-in link")
	fs.Var(&products, "product", "`ID:SEATS` (repeatable)")
	if err := parse(fs, args); err != nil {
		return err
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
	svc := portal.NewService(store, signed, cat, *signIn)
	contract, m, err := svc.CreateContract(ctx, portal.ContractRequest{Company: *company, ManagerEmail: *manager, ManagerName: *managerName,
		Products: products, Plan: portal.SupportPlan(*plan), CallerCap: *callers, Term: time.Duration(*term) * 24 * time.Hour}, "portal-cli")
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(map[string]any{"contract": contract, "manager_id": m.ID})
	}
	fmt.Fprintf(out, "contract %s for %s; manager %s (%s); order confirmation and start email queued\n", contract.ID, contract.Company, m.ID, m.Email)
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
