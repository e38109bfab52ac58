package portal

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// maxSearchWords bounds the words of a search (each reads an index range).
const maxSearchWords = 8

// foldSearch is s as searches compare it: accents removed, lower-cased and
// ligatures spelled out, so that "élodie" finds "Élodie" and "coeur"
// "Cœur", the same on both engines (neither SQLite's lower() nor a
// PostgreSQL collation would agree with the other). A change here changes
// the stored terms: it needs a migration that runs fillSearchTerms again.
func foldSearch(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s
	}
	return ligatures.Replace(strings.ToLower(folded))
}

// ligatures are the letters a search typed on a plain keyboard spells as
// two; NFD leaves them whole.
var ligatures = strings.NewReplacer("œ", "oe", "æ", "ae", "ß", "ss")

// migrationRefoldTerms rebuilds every user's search terms, after
// foldSearch learnt to spell out ligatures; the migration's runner
// recognises it by its text and calls fillSearchTerms.
const migrationRefoldTerms = `DELETE FROM user_terms`

// words are the runs of letters and digits of a folded text.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// searchWords are the words of a query, folded, each once, at most
// maxSearchWords.
func searchWords(q string) []string {
	var out []string
	for _, w := range words(foldSearch(q)) {
		if !slices.Contains(out, w) && len(out) < maxSearchWords {
			out = append(out, w)
		}
	}
	return out
}

// searchTerms are what a search finds a user by: the words of their name,
// of their email and their ID, the email whole, folded.
func searchTerms(id, email, name string) []string {
	email = foldSearch(email)
	terms := append(append(words(foldSearch(name)), words(email)...), email, foldSearch(id))
	slices.Sort(terms)
	return slices.Compact(terms)
}

// execer is what a transaction offers for writes and reads.
type execer interface {
	queryer
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// searchable is what a member is found by on a contract.
type searchable struct{ contractID, id, email, name string }

// setSearchTerms replaces a member's search terms.
func setSearchTerms(ctx context.Context, tx execer, u searchable) error {
	contractID, id, email, name := u.contractID, u.id, u.email, u.name
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_terms WHERE user_id = ? AND contract_id = ?`, id, contractID); err != nil {
		return err
	}
	terms := searchTerms(id, email, name)
	q := `INSERT INTO user_terms (contract_id, term, user_id, email) VALUES (?, ?, ?, ?)` + strings.Repeat(", (?, ?, ?, ?)", len(terms)-1)
	args := make([]any, 0, 4*len(terms))
	for _, t := range terms {
		args = append(args, contractID, t, id, strings.ToLower(email))
	}
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}

// setAllSearchTerms sets a person's terms on each of their contracts:
// their name and email are one for all.
func setAllSearchTerms(ctx context.Context, tx *sql.Tx, id, email, name string) error {
	contracts, err := contractsOf(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, c := range contracts {
		if err := setSearchTerms(ctx, tx, searchable{contractID: c, id: id, email: email, name: name}); err != nil {
			return err
		}
	}
	return nil
}

// fillSearchTerms gives the users already stored their search terms, when
// the migration that adds them runs: the folding is Go's. Those migrations
// come before accounts and memberships: it reads the users table of then.
func fillSearchTerms(ctx context.Context, tx execer) error {
	return fillSearchTermsFrom(ctx, tx, `SELECT id, contract_id, email, name FROM users`)
}

// membersTermsQuery is fillSearchTerms's query on today's schema.
const membersTermsQuery = `SELECT u.id, m.contract_id, u.email, u.name FROM users u JOIN memberships m ON m.user_id = u.id`

// fillSearchTermsFrom gives terms to the users q reads (ID, contract,
// email, name).
func fillSearchTermsFrom(ctx context.Context, tx execer, q string) error {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	var users []searchable
	for rows.Next() {
		var u searchable
		if err := rows.Scan(&u.id, &u.contractID, &u.email, &u.name); err != nil {
			rows.Close()
			return err
		}
		users = append(users, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range users {
		if err := setSearchTerms(ctx, tx, u); err != nil {
			return err
		}
	}
	return nil
}
