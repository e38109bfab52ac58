// Package pgtest gives tests a PostgreSQL database of their own on the
// cluster .ci/postgres starts (its address in ONRAMP_TEST_POSTGRES). Tests
// of the portal and of cmd/portal use it; nothing else may.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the cluster: a postgres:// URL of a role that may create
// databases.
const Env = "ONRAMP_TEST_POSTGRES"

// EngineEnv, set to "postgres", runs the whole portal suite on PostgreSQL.
const EngineEnv = "ONRAMP_TEST_ENGINE"

// OnPostgres reports whether the suite's stores are PostgreSQL databases.
func OnPostgres() bool { return os.Getenv(EngineEnv) == "postgres" }

// Database creates an empty database for the test, dropped when it ends,
// and returns its URL. Without a cluster the test is skipped on a
// developer's machine, and fails in CI (CI=true), where a test that needs
// PostgreSQL must never pass unrun.
func Database(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(Env)
	if admin == "" {
		if os.Getenv("CI") == "true" || OnPostgres() {
			t.Fatalf("%s is not set: this test needs PostgreSQL; run it under .ci/postgres", Env)
		}
		t.Skipf("%s is not set: run under .ci/postgres for the PostgreSQL tests", Env)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("PostgreSQL at %s cannot be reached: %v", Env, err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 8)
	rand.Read(b)
	name := "onramp_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, admin); err == nil {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	u.Path = "/" + name
	return u.String()
}
