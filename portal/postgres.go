package portal

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL store is the same SQLStore as SQLite's, over pgx's
// database/sql driver: the store's SQL is written once, in the subset both
// engines share, with ? placeholders (rewritten to $1, $2… here) and
// booleans stored as the integers 0 and 1 on both. What differs is here:
// the schema's migrations (pgMigrations), the connection pool (every
// connection writes; PostgreSQL's row locks order the writers of every
// replica where SQLite's one writer connection orders those of one
// process), and lockContract.

// pgMaxConns bounds one replica's connections; PostgreSQL's default
// max_connections (100) leaves room for three replicas and an operator.
const pgMaxConns = 25

// IsPostgresURL reports whether a --db value names a PostgreSQL database
// (postgres:// or postgresql://) rather than an SQLite file.
func IsPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// PostgresURLSecrets names the parts of a PostgreSQL URL that carry a
// secret: the password of its user information, and the query parameters
// that hold one (password, sslpassword, any other named like a secret).
func PostgresURLSecrets(db string) []string {
	u, err := url.Parse(db)
	if err != nil {
		return nil
	}
	var parts []string
	if u.User != nil {
		if _, set := u.User.Password(); set {
			parts = append(parts, "the password after the user name")
		}
	}
	for k := range u.Query() {
		if secretParam(k) {
			parts = append(parts, "the "+k+" parameter")
		}
	}
	slices.Sort(parts)
	return parts
}

func secretParam(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "password") || strings.Contains(k, "secret") || strings.Contains(k, "token")
}

// RedactPostgresURL is a PostgreSQL URL fit to print or log: the password
// of its user information and every secret query parameter replaced by
// "xxxxx". A URL that does not parse is not shown at all.
func RedactPostgresURL(db string) string {
	u, err := url.Parse(db)
	if err != nil {
		return "(a PostgreSQL URL that does not parse)"
	}
	if u.User != nil {
		if _, set := u.User.Password(); set {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	changed := false
	for k := range q {
		if secretParam(k) {
			q[k] = []string{"xxxxx"}
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// OpenPostgres connects to a PostgreSQL database and migrates its schema.
// Several service processes may share the database: the migrations run
// under an advisory lock, once.
func OpenPostgres(ctx context.Context, url string) (*SQLStore, error) {
	cfg, err := pgx.ParseConfig(url) // its errors leave the password out
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	where := fmt.Sprintf("database %s on %s", cfg.Database, cfg.Host)
	db := sql.OpenDB(rebindConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(pgMaxConns)
	db.SetMaxIdleConns(pgMaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &SQLStore{db: db, w: db, engine: enginePostgres}
	if err := s.migratePostgres(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return s, nil
}

// migratePostgres applies the missing migrations in one transaction: a
// replica starting beside another waits for it on the advisory lock, then
// finds the schema current.
func (s *SQLStore) migratePostgres(ctx context.Context) error {
	if len(pgMigrations) != len(migrations) {
		return fmt.Errorf("internal: %d PostgreSQL migrations for %d SQLite ones", len(pgMigrations), len(migrations))
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7247161)`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return err
	}
	var version int
	err = tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`)
	}
	if err != nil {
		return err
	}
	if version > len(pgMigrations) {
		return fmt.Errorf("schema version %d is newer than this portal (%d): upgrade the portal", version, len(pgMigrations))
	}
	for i := version; i < len(pgMigrations); i++ {
		if _, err := tx.ExecContext(ctx, pgMigrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, migrationError(err))
		}
		if i+1 == searchTermsVersion || pgMigrations[i] == migrationRefoldTerms {
			if err := fillSearchTerms(ctx, tx); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, len(pgMigrations)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS tokens_expires ON tokens(expires)`); err != nil {
		return err
	}
	return tx.Commit()
}

// lockContract makes the rest of a write transaction the only one changing
// the contract's users, callers or seats: on PostgreSQL by locking the
// contract's row, which every replica's writers queue for; on SQLite the
// one writer connection already did.
func (s *SQLStore) lockContract(ctx context.Context, tx *sql.Tx, contractID string) error {
	if s.engine != enginePostgres {
		return nil
	}
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM contracts WHERE id = ? FOR UPDATE`, contractID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("contract %s: %w", contractID, ErrNotFound)
	}
	return err
}

// retry runs a write transaction again when PostgreSQL aborted it to
// break a deadlock or a serialization conflict with another transaction
// (another replica's, as often as not), at most three times. SQLite's one
// writer never meets either.
func (s *SQLStore) retry(ctx context.Context, tx func() error) error {
	for attempt := 1; ; attempt++ {
		err := tx()
		if attempt == 3 || !isRetryable(err) || ctx.Err() != nil {
			return err
		}
	}
}

// isRetryable: a transaction PostgreSQL aborted for another's sake
// (serialization_failure, deadlock_detected) may simply run again.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// ChangeUsers runs plan under the contract's lock and applies what it
// returns; plan may run again if the transaction must be retried.
func (s *SQLStore) ChangeUsers(ctx context.Context, contractID string, plan func(*Contract, []*User) ([]UserChange, []Email, error), actor string) error {
	return s.retry(ctx, func() error { return s.changeUsers(ctx, contractID, plan, actor) })
}

// SetPassword stores a new password hash and revokes every session of the user.
func (s *SQLStore) SetPassword(ctx context.Context, userID, hash string, mustChange bool, actor string) error {
	return s.retry(ctx, func() error { return s.setPassword(ctx, userID, hash, mustChange, actor) })
}

// skipLocked is what a claiming SELECT ends with: on PostgreSQL, rows
// another replica holds are passed over rather than waited for; SQLite
// has one writer, and no such clause.
func (s *SQLStore) skipLocked() string {
	if s.engine == enginePostgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// isUniqueViolation reports whether err is a unique index refusing a row,
// on either engine.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE")
}

// rebindConnector hands out pgx connections that take the store's SQL:
// ? placeholders and boolean arguments.
type rebindConnector struct{ driver.Connector }

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &rebindConn{conn.(*stdlib.Conn)}, nil
}

// rebindConn is a pgx connection whose queries are rewritten; everything
// else (transactions, pings, session resets) is pgx's own.
type rebindConn struct{ *stdlib.Conn }

func (c *rebindConn) Prepare(q string) (driver.Stmt, error) { return c.Conn.Prepare(rebind(q)) }

func (c *rebindConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(q))
}

func (c *rebindConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(q), args)
}

func (c *rebindConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(q), args)
}

// CheckNamedValue stores booleans as 0 and 1, as SQLite does; other values
// go to pgx as they are.
func (c *rebindConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
	}
	return nil
}

// rebind numbers the ? placeholders of q outside quoted text: $1, $2…
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		switch ch := q[i]; {
		case ch == '\'':
			quoted = !quoted
		case ch == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
