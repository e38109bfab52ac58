package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // pure Go: no cgo, builds for every OS

	"onramp.dev/onramp/catalog"
)

// migrations are applied in order, each once; their index+1 is the schema
// version kept in PRAGMA user_version.
var migrations = []string{
	`CREATE TABLE contracts (
		id TEXT PRIMARY KEY,
		company TEXT NOT NULL,
		plan TEXT NOT NULL CHECK (plan IN ('standard', 'advanced')),
		caller_cap INTEGER NOT NULL CHECK (caller_cap >= 0),
		starts TEXT NOT NULL,
		ends TEXT NOT NULL,
		created TEXT NOT NULL
	);
	CREATE TABLE contract_products (
		contract_id TEXT NOT NULL REFERENCES contracts(id),
		product TEXT NOT NULL,
		seats INTEGER NOT NULL CHECK (seats > 0),
		PRIMARY KEY (contract_id, product)
	);
	CREATE TABLE users (
		id TEXT PRIMARY KEY,
		contract_id TEXT NOT NULL REFERENCES contracts(id),
		email TEXT NOT NULL,
		name TEXT NOT NULL DEFAULT '',
		role TEXT NOT NULL CHECK (role IN ('contract_manager', 'software_coordinator', 'user')),
		password_hash TEXT NOT NULL DEFAULT '',
		must_change_password INTEGER NOT NULL DEFAULT 1,
		created TEXT NOT NULL,
		UNIQUE (contract_id, email)
	);
	CREATE INDEX users_email ON users(email);
	CREATE TABLE user_products (
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		product TEXT NOT NULL,
		PRIMARY KEY (user_id, product)
	);
	CREATE TABLE user_benefits (
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		benefit TEXT NOT NULL,
		PRIMARY KEY (user_id, benefit)
	);
	CREATE TABLE tokens (
		hash TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
		family TEXT NOT NULL,
		expires TEXT NOT NULL,
		revoked INTEGER NOT NULL DEFAULT 0,
		used INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX tokens_family ON tokens(family);
	CREATE INDEX tokens_user ON tokens(user_id);
	CREATE TABLE outbox (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		to_addr TEXT NOT NULL,
		kind TEXT NOT NULL,
		subject TEXT NOT NULL,
		body TEXT NOT NULL,
		created TEXT NOT NULL,
		sent_at TEXT
	);
	CREATE TABLE audit (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		at TEXT NOT NULL,
		actor TEXT NOT NULL,
		contract_id TEXT NOT NULL,
		action TEXT NOT NULL,
		detail TEXT NOT NULL
	);`,
	`ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
	CREATE TABLE callers (
		contract_id TEXT NOT NULL REFERENCES contracts(id),
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		PRIMARY KEY (contract_id, user_id)
	);
	CREATE TABLE seats (
		contract_id TEXT NOT NULL REFERENCES contracts(id),
		product TEXT NOT NULL,
		machine_id TEXT NOT NULL,
		hostname TEXT NOT NULL,
		registered TEXT NOT NULL,
		PRIMARY KEY (contract_id, product, machine_id)
	);`,
	`CREATE TABLE seat_keys (
		hash TEXT PRIMARY KEY,
		contract_id TEXT NOT NULL REFERENCES contracts(id),
		products TEXT NOT NULL,
		created_by TEXT NOT NULL,
		created TEXT NOT NULL,
		expires TEXT NOT NULL,
		revoked INTEGER NOT NULL DEFAULT 0
	);`,
	// One account per email address across the service (stored lowercase).
	// A database holding an address twice must be cleaned up by hand first.
	`CREATE UNIQUE INDEX users_email_unique ON users(email);
	DROP INDEX users_email;`,
	// Seats and seat keys get IDs admins release and revoke them by.
	`ALTER TABLE seats ADD COLUMN id TEXT;
	ALTER TABLE seats ADD COLUMN registered_by TEXT NOT NULL DEFAULT '';
	UPDATE seats SET id = 'S' || upper(hex(randomblob(6)));
	CREATE UNIQUE INDEX seats_id ON seats(id);
	ALTER TABLE seat_keys ADD COLUMN id TEXT;
	UPDATE seat_keys SET id = substr(hash, 1, 12);
	CREATE UNIQUE INDEX seat_keys_id ON seat_keys(id);`,
	// Temporary passwords expire and work once. Those issued before this
	// version get 7 days from the upgrade.
	`ALTER TABLE users ADD COLUMN temp_expires TEXT;
	ALTER TABLE users ADD COLUMN temp_used INTEGER NOT NULL DEFAULT 0;
	UPDATE users SET temp_expires = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+7 days') WHERE must_change_password = 1;`,
	migration7,
	migration8,
	migration9,
	migration10,
	migrationPasswordResets,
	migrationRefoldTerms,
	migrationMemberships,
	migrationMemberEmails,
}

// migrationMemberEmails copies each person's address into their
// memberships, indexed with the contract: a contract's users by email are
// then read in the index's order, and a page of them without joining and
// sorting the whole contract. The copy follows users.email wherever an
// address changes (setAccountEmail). The index on
// (contract_id, email) serves whatever the one on contract_id served.
const migrationMemberEmails = `ALTER TABLE memberships ADD COLUMN email TEXT NOT NULL DEFAULT '';
	UPDATE memberships SET email = (SELECT u.email FROM users u WHERE u.id = memberships.user_id);
	DROP INDEX memberships_contract;
	CREATE INDEX memberships_contract_email ON memberships(contract_id, email);`

// migrationMemberships splits a user into a person's account (users: ID,
// email, password, name, phone, language), one for all the contracts they
// belong to, and a membership in each contract (role, products, benefits,
// caller). Each user of before was one account with one membership, under
// the same ID. SQLite cannot drop a column that a constraint names: the
// tables are rebuilt, with foreign keys off while they are (see migrate).
// A waiting notice now belongs to one membership, and so does a start
// page's link: the outbox and the page tokens name its contract. A
// person's own change of address waits in email_changes until the link
// sent to the new address is opened (only the link's hash is kept).
const migrationMemberships = `CREATE TABLE users_new (
		id TEXT PRIMARY KEY,
		email TEXT NOT NULL,
		name TEXT NOT NULL DEFAULT '',
		password_hash TEXT NOT NULL DEFAULT '',
		must_change_password INTEGER NOT NULL DEFAULT 1,
		created TEXT NOT NULL,
		phone TEXT NOT NULL DEFAULT '',
		temp_expires TEXT,
		temp_used INTEGER NOT NULL DEFAULT 0,
		language TEXT NOT NULL DEFAULT ''
	);
	INSERT INTO users_new (id, email, name, password_hash, must_change_password, created, phone, temp_expires, temp_used, language)
		SELECT id, email, name, password_hash, must_change_password, created, phone, temp_expires, temp_used, language FROM users;
	CREATE TABLE memberships (
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		contract_id TEXT NOT NULL REFERENCES contracts(id),
		role TEXT NOT NULL CHECK (role IN ('contract_manager', 'software_coordinator', 'user')),
		joined TEXT NOT NULL,
		PRIMARY KEY (user_id, contract_id)
	);
	INSERT INTO memberships (user_id, contract_id, role, joined) SELECT id, contract_id, role, created FROM users;
	CREATE INDEX memberships_contract ON memberships(contract_id);
	CREATE TABLE user_products_new (
		user_id TEXT NOT NULL,
		product TEXT NOT NULL,
		contract_id TEXT NOT NULL,
		PRIMARY KEY (user_id, contract_id, product),
		FOREIGN KEY (user_id, contract_id) REFERENCES memberships(user_id, contract_id) ON DELETE CASCADE
	);
	INSERT INTO user_products_new (user_id, product, contract_id) SELECT p.user_id, p.product, u.contract_id FROM user_products p JOIN users u ON u.id = p.user_id;
	CREATE TABLE user_benefits_new (
		user_id TEXT NOT NULL,
		benefit TEXT NOT NULL,
		contract_id TEXT NOT NULL,
		PRIMARY KEY (user_id, contract_id, benefit),
		FOREIGN KEY (user_id, contract_id) REFERENCES memberships(user_id, contract_id) ON DELETE CASCADE
	);
	INSERT INTO user_benefits_new (user_id, benefit, contract_id) SELECT b.user_id, b.benefit, u.contract_id FROM user_benefits b JOIN users u ON u.id = b.user_id;
	DROP TABLE user_products;
	DROP TABLE user_benefits;
	DROP TABLE users;
	ALTER TABLE users_new RENAME TO users;
	ALTER TABLE user_products_new RENAME TO user_products;
	ALTER TABLE user_benefits_new RENAME TO user_benefits;
	CREATE UNIQUE INDEX users_email_unique ON users(email);
	ALTER TABLE outbox ADD COLUMN contract_id TEXT;
	UPDATE outbox SET contract_id = (SELECT contract_id FROM memberships WHERE memberships.user_id = outbox.user_id) WHERE user_id IS NOT NULL;
	DROP INDEX outbox_waiting;
	CREATE INDEX outbox_waiting ON outbox(user_id, contract_id, kind) WHERE sent_at IS NULL;
	ALTER TABLE page_tokens ADD COLUMN contract_id TEXT;
	CREATE TABLE email_changes (
		hash TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		new_email TEXT NOT NULL,
		created TEXT NOT NULL,
		expires TEXT NOT NULL,
		used INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX email_changes_user ON email_changes(user_id, created);`

// membershipsVersion is the schema version that rebuilt the users table.
const membershipsVersion = 13

// migration10 is written once for both engines: languages (a contract's,
// and a user's own when they chose one), the contract's life (ordered
// until started: the start emails go out then), and the outbox's HTML
// part and waiting notices (a newer notice replaces one still waiting).
// Contracts already there started when they were created.
const migration10 = `ALTER TABLE contracts ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
	ALTER TABLE contracts ADD COLUMN started TEXT;
	UPDATE contracts SET started = created;
	CREATE INDEX contracts_due ON contracts(starts) WHERE started IS NULL;
	ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
	ALTER TABLE outbox ADD COLUMN html TEXT NOT NULL DEFAULT '';
	ALTER TABLE outbox ADD COLUMN user_id TEXT;
	ALTER TABLE outbox ADD COLUMN not_before TEXT;
	CREATE INDEX outbox_waiting ON outbox(user_id, kind) WHERE sent_at IS NULL;`

// migrationPasswordResets is written once for both engines: the links of
// lost-password emails, only their hashes, each good once until expires.
const migrationPasswordResets = `CREATE TABLE password_resets (
		hash TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		created TEXT NOT NULL,
		expires TEXT NOT NULL
	);
	CREATE INDEX password_resets_user ON password_resets(user_id);
	CREATE INDEX password_resets_expires ON password_resets(expires);`

// migration9 adds the words a search of users finds them by (searchTerms:
// name, email and ID, folded), so that a search reads an index range per
// word rather than the whole contract. The words of the users already
// there are computed in Go (fillSearchTerms), in the same transaction.
// PostgreSQL's column is written apart (its collation).
// The user's email is kept beside each term: a page of matches is
// ordered by email from the index alone.
const migration9 = `CREATE TABLE user_terms (
		contract_id TEXT NOT NULL,
		term TEXT NOT NULL,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		email TEXT NOT NULL,
		PRIMARY KEY (contract_id, term, user_id)
	) WITHOUT ROWID;
	CREATE INDEX user_terms_user ON user_terms(user_id);`

// searchTermsVersion is the schema version from which users have their
// search terms.
const searchTermsVersion = 9

// migration7 is written once for both engines: what several replicas share
// through the database, the outbox's delivery leases and the sign-in limits.
const migration7 = `ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
	CREATE INDEX outbox_unsent ON outbox(id) WHERE sent_at IS NULL;
	CREATE TABLE signin_limits (
		scope TEXT NOT NULL,
		key TEXT NOT NULL,
		hits TEXT NOT NULL,
		last TEXT NOT NULL,
		PRIMARY KEY (scope, key)
	);
	CREATE INDEX signin_limits_last ON signin_limits(scope, last);`

// migration8 is written once for both engines: the service's settings
// (its public URL), which every replica and every command reads, and the
// single-purpose tokens of the links in emails (only their hashes).
const migration8 = `CREATE TABLE settings (
		name TEXT PRIMARY KEY,
		value TEXT NOT NULL
	);
	CREATE TABLE page_tokens (
		hash TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		purpose TEXT NOT NULL,
		expires TEXT NOT NULL
	);
	CREATE INDEX page_tokens_user ON page_tokens(user_id);
	CREATE INDEX page_tokens_expires ON page_tokens(expires);`

// SQLStore is the Store over database/sql: one SQLite file in WAL mode
// (OpenSQLite), or a PostgreSQL database that several service processes
// share (OpenPostgres; see postgres.go for what differs).
type SQLStore struct {
	engine engine
	// db reads: a pool, since in WAL mode readers never wait for the writer.
	db    *sql.DB
	stmts sync.Map // query → *sql.Stmt (prepared on db)
	// w writes, on one connection: writers queue for it in Go, in turn and
	// bounded by their context, instead of polling SQLite's lock until its
	// busy timeout answers "database is locked". Every write goes through w;
	// inside a write transaction, read through the transaction, never
	// through w itself (its one connection is taken).
	w *sql.DB
	// Tightened names the files of an SQLite database that other users
	// could read when it was opened, made private since: worth a warning.
	Tightened []string
}

// engine is the database behind an SQLStore.
type engine int

const (
	engineSQLite engine = iota
	enginePostgres
)

// OpenSQLite opens (creating if needed) and migrates the database file.
func OpenSQLite(ctx context.Context, path string) (*SQLStore, error) {
	// The busy timeout now covers other processes only (portal contract
	// create beside portal serve). secure_delete zeroes what a change frees
	// (a scrubbed email body, a deleted row), on every connection.
	// temp_store(MEMORY): the statement journals of a long write (an
	// import's thousands of inserts) stay in memory instead of a temporary
	// file written page by page, much of a large import's time (and a
	// copy of its pages on disk).
	tightened, err := privateDBFiles(path)
	if err != nil {
		return nil, err
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(30000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)&_pragma=temp_store(MEMORY)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	s := &SQLStore{w: w, Tightened: tightened}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	// The token sweep finds expired rows by this index. It is created here
	// rather than as a migration: it changes no data, and any version may
	// have it.
	if _, err := w.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS tokens_expires ON tokens(expires)`); err != nil { // OpenPostgres has it too
		w.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	if s.db, err = sql.Open("sqlite", dsn); err != nil {
		w.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	// Keep read connections open between bursts: each new one re-reads the
	// schema and re-applies the pragmas, which under 50 concurrent requests
	// cost more than the queries (database/sql keeps 2 idle by default).
	s.db.SetMaxIdleConns(64)
	s.db.SetConnMaxIdleTime(5 * time.Minute)
	return s, nil
}

func (s *SQLStore) migrate(ctx context.Context) error {
	// One connection throughout: foreign keys are switched off for a
	// migration that rebuilds tables, and a pragma holds per connection.
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this portal (%d): upgrade the portal", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		// SQLite's way to rebuild a table others refer to: foreign keys
		// off (never inside a transaction), rebuild, check, on again.
		rebuild := i+1 == membershipsVersion
		if rebuild {
			if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
				return err
			}
		}
		if err := migrateOne(ctx, conn, i, rebuild); err != nil {
			return err
		}
		if rebuild {
			if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = ON"); err != nil {
				return err
			}
		}
	}
	return nil
}

// migrateOne applies migration i in its own transaction.
func migrateOne(ctx context.Context, conn *sql.Conn, i int, checkKeys bool) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
		return fmt.Errorf("migration %d: %w", i+1, migrationError(err))
	}
	if i+1 == searchTermsVersion || migrations[i] == migrationRefoldTerms {
		if err := fillSearchTerms(ctx, tx); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if checkKeys {
		rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			return err
		}
		bad := rows.Next()
		rows.Close()
		if bad {
			return fmt.Errorf("migration %d: a row refers to one that is missing (PRAGMA foreign_key_check lists them)", i+1)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
		return err
	}
	return tx.Commit()
}

// Close closes the database.
func (s *SQLStore) Close() error {
	s.closeStatements()
	return errors.Join(s.db.Close(), s.w.Close())
}

const timeFormat = time.RFC3339Nano

func ts(t time.Time) string { return t.UTC().Format(timeFormat) }

// tsOrNull is a time that may be missing (NULL).
func tsOrNull(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func parseTS(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

// audit records e, at the present time (e.At is not read).
func audit(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, actor, contract_id, action, detail) VALUES (?, ?, ?, ?, ?)`,
		ts(time.Now()), e.Actor, e.ContractID, e.Action, e.Detail)
	return err
}

// CreateContract records a contract, its manager and the emails to send,
// in one transaction.
func (s *SQLStore) CreateContract(ctx context.Context, c *Contract, manager *User, passwordHash string, emails []Email, actor string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO contracts (id, company, plan, caller_cap, starts, ends, created, language, started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Company, c.Plan, c.CallerCap, ts(c.Starts), ts(c.Ends), ts(c.Created), contractLanguage(c), tsOrNull(c.Started)); err != nil {
		return fmt.Errorf("contract: %w", err)
	}
	for _, p := range c.Products {
		if _, err := tx.ExecContext(ctx, `INSERT INTO contract_products (contract_id, product, seats) VALUES (?, ?, ?)`, c.ID, p.Product, p.Seats); err != nil {
			return fmt.Errorf("contract product %s: %w", p.Product, err)
		}
	}
	if err := insertUser(ctx, tx, manager, passwordHash, manager.joining); err != nil {
		return err
	}
	for _, e := range emails {
		if err := queueEmail(ctx, tx, e); err != nil {
			return err
		}
	}
	if err := audit(ctx, tx, AuditEntry{Actor: actor, ContractID: c.ID, Action: "contract.create", Detail: fmt.Sprintf("company %q, plan %s, manager %s", c.Company, c.Plan, manager.ID)}); err != nil {
		return err
	}
	return tx.Commit()
}

// insertUser adds a person to a contract: their account too when they
// have none (joining false), else only the membership.
func insertUser(ctx context.Context, tx *sql.Tx, u *User, passwordHash string, joining bool) error {
	if !joining {
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, must_change_password, created, temp_expires, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, strings.ToLower(u.Email), u.Name, passwordHash, u.MustChangePassword, ts(u.Created), tempExpiresValue(u), u.Language); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("user %s: %w", u.Email, ErrEmailTaken)
			}
			return fmt.Errorf("user %s: %w", u.Email, err)
		}
	}
	// The membership's copy of the address is the account's, as stored:
	// a person joining keeps theirs.
	if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (user_id, contract_id, role, joined, email) VALUES (?, ?, ?, ?, (SELECT email FROM users WHERE id = ?))`,
		u.ID, u.ContractID, u.Role, ts(u.Created), u.ID); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("user %s on contract %s: %w", u.ID, u.ContractID, ErrConflict)
		}
		return fmt.Errorf("user %s: %w", u.Email, err)
	}
	if err := setSearchTerms(ctx, tx, searchable{contractID: u.ContractID, id: u.ID, email: u.Email, name: u.Name}); err != nil {
		return err
	}
	return insertGrants(ctx, tx, u)
}

// insertGrants writes a membership's products and benefits.
func insertGrants(ctx context.Context, tx *sql.Tx, u *User) error {
	for _, p := range u.Products {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_products (user_id, contract_id, product) VALUES (?, ?, ?)`, u.ID, u.ContractID, p); err != nil {
			return err
		}
	}
	for _, b := range u.Benefits {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_benefits (user_id, contract_id, benefit) VALUES (?, ?, ?)`, u.ID, u.ContractID, b); err != nil {
			return err
		}
	}
	return nil
}

func queueEmail(ctx context.Context, tx *sql.Tx, e Email) error {
	now := time.Now()
	var notBefore any
	if !e.notBefore.IsZero() {
		notBefore = limitTS(e.notBefore)
		// A notice still waiting is replaced by this one, which tells the
		// user's state after both changes, and leaves when it would have.
		// One a mailer has claimed is left to go.
		// A notice of another kind still waiting is replaced too, by this
		// one written as account_changed (every part of the user's state):
		// the changes of the last minutes make one email.
		var waiting, waitingKind string
		err := tx.QueryRowContext(ctx, `DELETE FROM outbox WHERE id = (SELECT id FROM outbox WHERE user_id = ? AND coalesce(contract_id, '') = ?
			AND kind IN ('benefits_changed', 'caller_changed', 'account_changed') AND sent_at IS NULL
			AND claimed_until IS NULL AND not_before > ? ORDER BY id LIMIT 1) AND claimed_until IS NULL RETURNING not_before, kind`,
			e.userID, e.contractID, limitTS(now)).Scan(&waiting, &waitingKind)
		switch {
		case err == nil && e.toggle && waitingKind == e.Kind:
			return nil
		case err == nil:
			notBefore = waiting
			if waitingKind != e.Kind && e.merged != nil {
				m, err := e.merged()
				if err != nil {
					return err
				}
				e = m
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	var userID any
	if e.userID != "" {
		userID = e.userID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (to_addr, kind, subject, body, html, created, user_id, not_before, contract_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.To, e.Kind, e.Subject, e.Body, e.HTML, ts(now), userID, notBefore, nullIfEmpty(e.contractID)); err != nil {
		return err
	}
	// The email's link works from the moment the email exists, not before.
	return savePageToken(ctx, tx, e.link)
}

// nullIfEmpty stores "" as NULL.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Contract returns a contract with its products.
func (s *SQLStore) Contract(ctx context.Context, id string) (*Contract, error) {
	return readContract(id, s.queryRow(ctx, contractQuery, id), func() (*sql.Rows, error) { return s.query(ctx, contractProductsQuery, id) })
}

// contractInTx reads a contract inside a write transaction, after its
// lock: what a change is planned on must be what it writes over.
func contractInTx(ctx context.Context, tx *sql.Tx, id string) (*Contract, error) {
	return readContract(id, tx.QueryRowContext(ctx, contractQuery, id), func() (*sql.Rows, error) { return tx.QueryContext(ctx, contractProductsQuery, id) })
}

const (
	contractQuery         = `SELECT id, company, plan, caller_cap, starts, ends, created, language, started FROM contracts WHERE id = ?`
	contractProductsQuery = `SELECT product, seats FROM contract_products WHERE contract_id = ? ORDER BY product`
)

func readContract(id string, row *sql.Row, products func() (*sql.Rows, error)) (*Contract, error) {
	c := &Contract{}
	var starts, ends, created string
	var started sql.NullString
	err := row.Scan(&c.ID, &c.Company, &c.Plan, &c.CallerCap, &starts, &ends, &created, &c.Language, &started)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("contract %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	c.Starts, c.Ends, c.Created = parseTS(starts), parseTS(ends), parseTS(created)
	if started.Valid {
		t := parseTS(started.String)
		c.Started = &t
	}
	rows, err := products()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Seats
		if err := rows.Scan(&p.Product, &p.Seats); err != nil {
			return nil, err
		}
		c.Products = append(c.Products, p)
	}
	return c, rows.Err()
}

// userColumns are a user on one contract: their account's columns and
// the membership's (role, caller, and joined as when they were created on
// this contract), read FROM userFrom.
const userColumns = `u.id, m.contract_id, u.email, u.name, m.role, u.password_hash, u.must_change_password, m.joined, u.phone,
	EXISTS (SELECT 1 FROM callers c WHERE c.user_id = u.id AND c.contract_id = m.contract_id), coalesce(u.temp_expires, ''), u.temp_used, u.language, u.created`

// userFrom joins accounts to their memberships.
const userFrom = ` FROM users u JOIN memberships m ON m.user_id = u.id `

// oldestFirst orders a person's memberships: the first is the one a
// request without a contract acts on.
const oldestFirst = ` ORDER BY m.joined, m.contract_id `

func (s *SQLStore) scanUser(ctx context.Context, row *sql.Row) (*User, error) {
	u := &User{}
	var created, tempExpires, since string
	if err := row.Scan(&u.ID, &u.ContractID, &u.Email, &u.Name, &u.Role, &u.passwordHash, &u.MustChangePassword, &created, &u.Phone, &u.Caller, &tempExpires, &u.tempUsed, &u.Language, &since); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	u.Created, u.tempExpires, u.accountCreated = parseTS(created), parseTS(tempExpires), parseTS(since)
	u.Products, u.Benefits = []string{}, []catalog.Benefit{}
	rows, err := s.query(ctx, `SELECT product FROM user_products WHERE user_id = ? AND contract_id = ? ORDER BY product`, u.ID, u.ContractID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var p string
		rows.Scan(&p)
		u.Products = append(u.Products, p)
	}
	rows.Close()
	rows, err = s.query(ctx, `SELECT benefit FROM user_benefits WHERE user_id = ? AND contract_id = ? ORDER BY benefit`, u.ID, u.ContractID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var b string
		rows.Scan(&b)
		u.Benefits = append(u.Benefits, catalog.Benefit(b))
	}
	rows.Close()
	return u, nil
}

// User returns a person by ID, on their oldest membership. A person has
// at least one: the account goes with its last.
func (s *SQLStore) User(ctx context.Context, id string) (*User, error) {
	return s.scanUser(ctx, s.queryRow(ctx, `SELECT `+userColumns+userFrom+`WHERE u.id = ?`+oldestFirst+`LIMIT 1`, id))
}

// Member returns a person on one contract, or ErrNotFound when they are
// not on it.
func (s *SQLStore) Member(ctx context.Context, id, contractID string) (*User, error) {
	return s.scanUser(ctx, s.queryRow(ctx, `SELECT `+userColumns+userFrom+`WHERE u.id = ? AND m.contract_id = ?`, id, contractID))
}

// Memberships lists a person's contracts, oldest first, with what they
// have on each.
func (s *SQLStore) Memberships(ctx context.Context, id string) ([]Membership, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.contract_id, c.company, m.role, m.joined, c.ends, c.started IS NOT NULL,
		EXISTS (SELECT 1 FROM callers k WHERE k.user_id = m.user_id AND k.contract_id = m.contract_id)
		FROM memberships m JOIN contracts c ON c.id = m.contract_id WHERE m.user_id = ?`+oldestFirst, id)
	if err != nil {
		return nil, err
	}
	out := []Membership{}
	for rows.Next() {
		var m Membership
		var joined, ends string
		var started bool
		if err := rows.Scan(&m.ContractID, &m.Company, &m.Role, &joined, &ends, &started, &m.Caller); err != nil {
			rows.Close()
			return nil, err
		}
		m.Joined, m.Ends = parseTS(joined), parseTS(ends)
		m.Status = "active"
		if !started {
			m.Status = "ordered"
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		u := &User{ID: id, Products: []string{}, Benefits: []catalog.Benefit{}}
		if err := addGrants(ctx, s.db, map[string]*User{id: u}, out[i].ContractID, `(?)`, id); err != nil {
			return nil, err
		}
		out[i].Products, out[i].Benefits = u.Products, u.Benefits
	}
	return out, nil
}

// UserByLogin finds a person by ID or, for a login with an @, by email,
// on their oldest membership. The service normalises the login first
// (normalizeLogin).
func (s *SQLStore) UserByLogin(ctx context.Context, login string) (*User, error) {
	if !strings.Contains(login, "@") {
		return s.User(ctx, strings.ToUpper(login))
	}
	return s.scanUser(ctx, s.queryRow(ctx, `SELECT `+userColumns+userFrom+`WHERE u.email = ?`+oldestFirst+`LIMIT 1`, strings.ToLower(login)))
}

// contractsOf lists the contracts a person belongs to, inside a
// transaction: what an account-wide change is recorded in the audit of.
func contractsOf(ctx context.Context, q queryer, userID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT contract_id FROM memberships WHERE user_id = ? ORDER BY joined, contract_id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("user %s: %w", userID, ErrNotFound)
	}
	return out, nil
}

// setPassword stores a new password hash and revokes every session of the
// user (SetPassword retries it).
func (s *SQLStore) setPassword(ctx context.Context, userID, hash string, mustChange bool, actor string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	contracts, err := contractsOf(ctx, tx, userID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = ?, temp_expires = NULL, temp_used = 0 WHERE id = ?`, hash, mustChange, userID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked = 1 WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, c := range contracts {
		if err := audit(ctx, tx, AuditEntry{Actor: actor, ContractID: c, Action: "user.password", Detail: userID}); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// SaveToken stores a token's hash.
func (s *SQLStore) SaveToken(ctx context.Context, t Token) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO tokens (hash, user_id, kind, family, expires) VALUES (?, ?, ?, ?, ?)`,
		t.Hash, t.UserID, t.Kind, t.Family, ts(t.Expires))
	return err
}

// TokenByHash looks a token up by its hash.
func (s *SQLStore) TokenByHash(ctx context.Context, hash string) (*Token, error) {
	t := &Token{Hash: hash}
	var expires string
	err := s.queryRow(ctx, `SELECT user_id, kind, family, expires, revoked, used FROM tokens WHERE hash = ?`, hash).
		Scan(&t.UserID, &t.Kind, &t.Family, &expires, &t.Revoked, &t.Used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	t.Expires = parseTS(expires)
	return t, nil
}

// UseRefresh exchanges a refresh token for its successor atomically.
func (s *SQLStore) UseRefresh(ctx context.Context, hash string, next Token) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE tokens SET used = 1 WHERE hash = ? AND kind = 'refresh' AND used = 0 AND revoked = 0`, hash)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrConflict
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tokens (hash, user_id, kind, family, expires) VALUES (?, ?, ?, ?, ?)`,
		next.Hash, next.UserID, next.Kind, next.Family, ts(next.Expires)); err != nil {
		return err
	}
	return tx.Commit()
}

// RevokeFamily revokes every token of one sign-in.
func (s *SQLStore) RevokeFamily(ctx context.Context, family string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE tokens SET revoked = 1 WHERE family = ?`, family)
	return err
}

// RevokeUserTokens revokes every token of a user.
func (s *SQLStore) RevokeUserTokens(ctx context.Context, userID string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE tokens SET revoked = 1 WHERE user_id = ?`, userID)
	return err
}

// Outbox lists emails, oldest first.
func (s *SQLStore) Outbox(ctx context.Context, unsentOnly bool) ([]Email, error) {
	q := `SELECT id, to_addr, kind, subject, body, html, created, sent_at FROM outbox`
	if unsentOnly {
		q += ` WHERE sent_at IS NULL`
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Email
	for rows.Next() {
		var e Email
		var created string
		var sent sql.NullString
		if err := rows.Scan(&e.ID, &e.To, &e.Kind, &e.Subject, &e.Body, &e.HTML, &created, &sent); err != nil {
			return nil, err
		}
		e.Created = parseTS(created)
		if sent.Valid {
			t := parseTS(sent.String)
			e.SentAt = &t
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// MarkSent records a delivery. A start email's body, which holds a
// temporary password, and a password reset's, which holds its link, are
// not kept once delivered: secure_delete zeroes the
// old cell in the page, and a truncating checkpoint drops the log frames
// that still hold the page as it was.
func (s *SQLStore) MarkSent(ctx context.Context, id int64, at time.Time) error {
	var kind string
	if err := s.w.QueryRowContext(ctx, `UPDATE outbox SET sent_at = ?,
		body = CASE kind WHEN 'start' THEN '(delivered; the temporary password it held is not kept)'
			WHEN 'password_reset' THEN '(delivered; the link it held is not kept)' ELSE body END,
		html = CASE WHEN kind IN ('start', 'password_reset') THEN '' ELSE html END
		WHERE id = ? RETURNING kind`, ts(at), id).Scan(&kind); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("email #%d: %w", id, ErrNotFound)
		}
		return err
	}
	// PostgreSQL has no log of page images to truncate: the old row
	// version goes at the table's next vacuum.
	if (kind == "start" || kind == "password_reset") && s.engine == engineSQLite {
		return s.scrubLog(ctx)
	}
	return nil
}

// scrubLog moves the write-ahead log into the database and truncates it,
// so that no old version of a page (one holding a secret since overwritten)
// stays in the log file. Readers that hold the log back make it report
// busy; the frames then go at a later checkpoint.
func (s *SQLStore) scrubLog(ctx context.Context) error {
	var busy, logFrames, done int
	if err := s.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// Audit lists a contract's recorded changes, newest first.
func (s *SQLStore) Audit(ctx context.Context, contractID string, limit int) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, actor, contract_id, action, detail FROM audit WHERE contract_id = ? ORDER BY id DESC LIMIT ?`, contractID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var a AuditEntry
		var at string
		if err := rows.Scan(&at, &a.Actor, &a.ContractID, &a.Action, &a.Detail); err != nil {
			return nil, err
		}
		a.At = parseTS(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Ping checks that the database answers a query. It reads through the
// readers' pool: on SQLite a long import holds the one writer connection,
// and a replica busy importing is still ready.
func (s *SQLStore) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}
