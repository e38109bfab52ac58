package portal

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
)

// copyTables are the tables `portal migrate` copies, each after those its
// rows refer to. A table the schema gains must be added here:
// CopyStore refuses a source with a table it does not know.
var copyTables = []string{
	"contracts", "contract_products", "users", "memberships", "user_terms", "user_products", "user_benefits", "tokens",
	"outbox", "audit", "callers", "seats", "seat_keys", "signin_limits",
	"settings", "page_tokens", "password_resets", "email_changes",
}

// Errors of CopyStore.
var (
	ErrTargetNotEmpty = errors.New("the target database already holds data: migrate only into an empty database")
	ErrUnknownTable   = errors.New("the source has a table this portal does not copy")
)

// TableSum is what CopyStore verified of one table: its rows on both
// sides, and the checksum of their contents.
type TableSum struct {
	Table    string `json:"table"`
	Rows     int    `json:"rows"`
	Checksum string `json:"sha256"`
}

// ChecksumError: a table differs between source and target after a copy.
type ChecksumError struct {
	Table                  string
	SourceRows, TargetRows int
	SourceHash, TargetHash string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("table %s differs after the copy: %d rows (sha256 %.12s) in the source, %d (sha256 %.12s) in the target",
		e.Table, e.SourceRows, e.SourceHash, e.TargetRows, e.TargetHash)
}

// CopyStore copies every row of every table of from into to, in one
// transaction on the target, then verifies each table by its row count
// and a checksum of its contents computed over both sides. The target
// must be empty (ErrTargetNotEmpty). from must not change meanwhile: stop
// the service first.
func CopyStore(ctx context.Context, from, to *SQLStore) ([]TableSum, error) {
	if err := from.checkTables(ctx); err != nil {
		return nil, err
	}
	for _, t := range copyTables {
		var n int
		if err := to.w.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("target table %s: %w", t, err)
		}
		if n > 0 {
			return nil, fmt.Errorf("table %s holds %d rows: %w", t, n, ErrTargetNotEmpty)
		}
	}
	tx, err := to.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for _, t := range copyTables {
		cols, err := from.columns(ctx, t)
		if err != nil {
			return nil, err
		}
		rows, err := from.db.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+t)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", t, err)
		}
		const batch = 500
		var args []any
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			row := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
			n := len(args) / len(cols)
			q := `INSERT INTO ` + t + ` (` + strings.Join(cols, ", ") + `) VALUES ` + row + strings.Repeat(", "+row, n-1)
			_, err := tx.ExecContext(ctx, q, args...)
			args = args[:0]
			return err
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read %s: %w", t, err)
			}
			args = append(args, vals...)
			if len(args) >= batch*len(cols) {
				if err := flush(); err != nil {
					rows.Close()
					return nil, fmt.Errorf("write %s: %w", t, err)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read %s: %w", t, err)
		}
		if err := flush(); err != nil {
			return nil, fmt.Errorf("write %s: %w", t, err)
		}
	}
	if to.engine == enginePostgres {
		// Rows copied with their IDs leave the identity sequences behind.
		for _, t := range []string{"outbox", "audit"} {
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), coalesce(max(id), 0) + 1, false) FROM `+t); err != nil {
				return nil, fmt.Errorf("sequence of %s: %w", t, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return VerifyCopy(ctx, from, to)
}

// VerifyCopy compares every table of two stores by row count and checksum.
func VerifyCopy(ctx context.Context, from, to *SQLStore) ([]TableSum, error) {
	var sums []TableSum
	for _, t := range copyTables {
		cols, err := from.columns(ctx, t)
		if err != nil {
			return nil, err
		}
		n1, h1, err := from.tableSum(ctx, t, cols)
		if err != nil {
			return nil, err
		}
		n2, h2, err := to.tableSum(ctx, t, cols)
		if err != nil {
			return nil, err
		}
		if n1 != n2 || h1 != h2 {
			return sums, &ChecksumError{Table: t, SourceRows: n1, TargetRows: n2, SourceHash: h1, TargetHash: h2}
		}
		sums = append(sums, TableSum{Table: t, Rows: n1, Checksum: h1})
	}
	return sums, nil
}

// checkTables refuses a source holding a table copyTables lacks.
func (s *SQLStore) checkTables(ctx context.Context) error {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if s.engine == enginePostgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_version'`
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		if !slices.Contains(copyTables, name) {
			return fmt.Errorf("%s: %w", name, ErrUnknownTable)
		}
	}
	return rows.Err()
}

// columns lists a table's columns in the store's order.
func (s *SQLStore) columns(ctx context.Context, table string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT * FROM `+table+` LIMIT 0`)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	return rows.Columns()
}

// tableSum counts a table's rows and hashes their contents in a canonical
// form, the same whatever the engine: each value typed and length-prefixed,
// the rows sorted by that form (so that neither engine's row order nor its
// collation matters), then SHA-256 over all of them.
func (s *SQLStore) tableSum(ctx context.Context, table string, cols []string) (int, string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table)
	if err != nil {
		return 0, "", fmt.Errorf("checksum of %s: %w", table, err)
	}
	defer rows.Close()
	var canon []string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b strings.Builder
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, "", fmt.Errorf("checksum of %s: %w", table, err)
		}
		b.Reset()
		for _, v := range vals {
			canonical(&b, v)
		}
		canon = append(canon, b.String())
	}
	if err := rows.Err(); err != nil {
		return 0, "", fmt.Errorf("checksum of %s: %w", table, err)
	}
	slices.Sort(canon)
	var h hash.Hash = sha256.New()
	for _, r := range canon {
		h.Write([]byte(strconv.Itoa(len(r)) + ":" + r))
	}
	return len(canon), fmt.Sprintf("%x", h.Sum(nil)), nil
}

// canonical writes one value as its type and contents: NULL, an integer,
// or text (SQLite and PostgreSQL drivers give text as string or bytes).
func canonical(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("N;")
	case int64:
		b.WriteString("I" + strconv.FormatInt(v, 10) + ";")
	case int32:
		b.WriteString("I" + strconv.FormatInt(int64(v), 10) + ";")
	case bool:
		if v {
			b.WriteString("I1;")
		} else {
			b.WriteString("I0;")
		}
	case string:
		b.WriteString("S" + strconv.Itoa(len(v)) + ":" + v)
	case []byte:
		b.WriteString("S" + strconv.Itoa(len(v)) + ":" + string(v))
	default:
		fmt.Fprintf(b, "?%T:%v;", v, v)
	}
}
