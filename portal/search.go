package portal

import (
	"context"
	"database/sql"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// foldSearch is s as searches compare it: accents removed, lower-cased,
// runs of spaces made one, so that "élodie" finds "Élodie" and
// "helene  dupre" finds "Hélène Dupré", the same on both engines (neither
// SQLite's lower() nor a PostgreSQL collation would agree with the other).
func foldSearch(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s
	}
	return strings.Join(strings.FieldsFunc(strings.ToLower(folded), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

// searchKey is what a search of users matches: name, email and ID, folded,
// apart so that a query does not run from one into the next.
func searchKey(id, email, name string) string {
	return foldSearch(name) + "\x1f" + foldSearch(email) + "\x1f" + foldSearch(id)
}

// fillSearchKeys computes the search keys the migration that added them
// could not (the folding is Go's), a batch at a time.
func fillSearchKeys(ctx context.Context, w *sql.DB) error {
	for {
		rows, err := w.QueryContext(ctx, `SELECT id, email, name FROM users WHERE search_key IS NULL LIMIT 1000`)
		if err != nil {
			return err
		}
		type user struct{ id, email, name string }
		var batch []user
		for rows.Next() {
			var u user
			if err := rows.Scan(&u.id, &u.email, &u.name); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, u := range batch {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET search_key = ? WHERE id = ?`, searchKey(u.id, u.email, u.name), u.id); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
}
