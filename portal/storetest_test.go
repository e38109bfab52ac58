package portal

import (
	"context"
	"path/filepath"
	"testing"

	"onramp.dev/onramp/internal/pgtest"
)

// openTestStore opens an empty store for a test: an SQLite file, or with
// ONRAMP_TEST_ENGINE=postgres a database of its own on the PostgreSQL
// cluster .ci/postgres runs, so that one suite covers both engines. file is
// the SQLite file ("" on PostgreSQL), for the tests that read it.
func openTestStore(t testing.TB) (store *SQLStore, file string) {
	t.Helper()
	var err error
	if pgtest.OnPostgres() {
		store, err = OpenPostgres(context.Background(), pgtest.Database(t))
	} else {
		file = filepath.Join(t.TempDir(), "portal.db")
		store, err = OpenSQLite(context.Background(), file)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, file
}

// openPostgres opens a store on a database of its own on the test cluster,
// whatever engine the suite runs on: for the tests of PostgreSQL itself.
func openPostgres(t testing.TB) *SQLStore {
	t.Helper()
	store, err := OpenPostgres(context.Background(), pgtest.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}
