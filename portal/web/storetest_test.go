package web

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"sync"
	"testing"

	"onramp.dev/onramp/internal/pgtest"
	"onramp.dev/onramp/portal"
)

// openTestStore opens an empty store for a test: an SQLite file, or with
// ONRAMP_TEST_ENGINE=postgres a database of its own on the PostgreSQL
// cluster .ci/postgres runs, so that one suite covers both engines. file is
// the SQLite file ("" on PostgreSQL), for the tests that read it.
func openTestStore(t testing.TB) (store *portal.SQLStore, file string) {
	t.Helper()
	var err error
	if pgtest.OnPostgres() {
		url := pgtest.Database(t)
		if store, err = portal.OpenPostgres(context.Background(), url); err == nil {
			databases.Store(store, url)
		}
	} else {
		file = filepath.Join(t.TempDir(), "portal.db")
		store, err = portal.OpenSQLite(context.Background(), file)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if file != "" {
		databases.Store(store, file)
	}
	return store, file
}

// databases is where each test store's database is: *portal.SQLStore →
// the SQLite file or the PostgreSQL URL.
var databases sync.Map

// rawDB opens the database of a test portal's store a second time, as an
// operator's tool would: to count rows, or to stage a fault the service
// must meet. Its queries use the engine's own placeholders.
func rawDB(t testing.TB, p *testPortal) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if pgtest.OnPostgres() {
		driver = "pgx"
	}
	where, ok := databases.Load(p.store)
	if !ok {
		t.Fatal("the test store was not opened by openTestStore")
	}
	db, err := sql.Open(driver, where.(string))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// tokenHash is how the store keeps a token or a key: the hex SHA-256 of
// its text, never the text.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
