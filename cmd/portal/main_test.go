package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/portal"
)

// signedCatalog writes a catalog signed with a fresh key and the key's
// public half, as a publisher hands them to the service's operator.
func signedCatalog(t testing.TB) (catalogFile, keyFile string) {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	payload, err := os.ReadFile("../../catalog/testdata/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := catalog.Sign(payload, time.Now(), 24*time.Hour, priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	catalogFile, keyFile = filepath.Join(dir, "catalog.signed.json"), filepath.Join(dir, "publisher.pub")
	os.WriteFile(catalogFile, signed, 0o644)
	os.WriteFile(keyFile, []byte(catalog.FormatPublicKey(pub)), 0o644)
	return catalogFile, keyFile
}

// The operator's path: create a contract, read the start email from the
// outbox, serve; the manager signs in over the API with the email's
// credentials and must choose a new password.
func TestContractOutboxServe(t *testing.T) {
	cat, key := signedCatalog(t)
	c, err := catalog.Parse(mustRead(t, "../../catalog/testdata/demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	product := c.Products[0].ID
	db := testDB(t)
	ctx := context.Background()
	var out strings.Builder
	if err := run(ctx, []string{"contract", "create", "--db", db, "--catalog", cat, "--key", key, "--company", "Acme",
		"--manager", "ana@acme.example", "--product", product + ":5", "--plan", "advanced", "--json"}, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"outbox", "list", "--db", db, "--json"}, &out); err != nil {
		t.Fatal(err)
	}
	var emails []portal.Email
	if err := json.Unmarshal([]byte(out.String()), &emails); err != nil || len(emails) != 2 {
		t.Fatalf("outbox: %v %s", err, out.String())
	}
	if emails[0].Kind != "order_confirmation" || emails[1].Kind != "start" {
		t.Fatalf("emails in the wrong order: %s, %s", emails[0].Kind, emails[1].Kind)
	}
	uid := regexp.MustCompile(`User ID: (\S+)`).FindStringSubmatch(emails[1].Body)[1]
	temp := regexp.MustCompile(`Temporary password: (\S+)`).FindStringSubmatch(emails[1].Body)[1]

	sctx, stop := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	served := make(chan error, 1)
	go func() {
		served <- run(sctx, []string{"serve", "--db", db, "--catalog", cat, "--key", key, "--addr", "127.0.0.1:0"}, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	if url == "" {
		t.Fatalf("serve said %q", line)
	}
	client, err := account.NewWithTokens(url, account.NewMemoryTokenStore())
	if err != nil {
		t.Fatal(err)
	}
	if err := client.SignIn(ctx, uid, temp); !errors.Is(err, account.ErrPasswordChangeRequired) {
		t.Fatalf("first sign-in: %v", err)
	}
	if err := client.ChangePassword(ctx, temp, "the manager's own passphrase"); err != nil {
		t.Fatal(err)
	}
	me, err := client.WhoAmI(ctx)
	if err != nil || me.Contract.Company != "Acme" || me.User.Role != "contract_manager" {
		t.Fatalf("whoami: %v %+v", err, me)
	}
	signed, err := client.SignedCatalog(ctx)
	if err != nil || !strings.Contains(string(signed), "signatures") {
		t.Fatalf("catalog: %v %.80s", err, signed)
	}
	stop()
	if err := <-served; err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
}

func TestServeRefusals(t *testing.T) {
	cat, key := signedCatalog(t)
	fresh := filepath.Join(t.TempDir(), "fresh.db") // no public URL stored
	db := withPublicURL(t, filepath.Join(t.TempDir(), "onramp.db"))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"public-address-without-tls", []string{"serve", "--db", db, "--catalog", cat, "--key", key, "--addr", "0.0.0.0:0"}, "not loopback"},
		{"no-key", []string{"serve", "--db", db, "--catalog", cat}, "--key"},
		{"wrong-key", []string{"serve", "--db", db, "--catalog", cat, "--key", cat}, cat},
		{"unknown-product", []string{"contract", "create", "--db", db, "--catalog", cat, "--key", key, "--company", "A", "--manager", "a@b.example", "--product", "nosuch:1"}, "nosuch"},
		{"unknown-command", []string{"frobnicate"}, "unknown command"},
		{"password-in-db-url", []string{"serve", "--db", "postgres://onramp:s3cret-pw@127.0.0.1/onramp", "--catalog", cat, "--key", key}, "leave the password out"},
		{"serve-without-public-url", []string{"serve", "--db", fresh, "--catalog", cat, "--key", key, "--addr", "127.0.0.1:0"}, "--public-url"},
		{"contract-without-public-url", []string{"contract", "create", "--db", fresh, "--catalog", cat, "--key", key, "--company", "A", "--manager", "a@b.example", "--product", "atlas:1"}, "portal settings set public-url"},
		{"public-url-plain-http", []string{"serve", "--db", db, "--catalog", cat, "--key", key, "--public-url", "http://10.1.2.3:8443"}, "http is only for a loopback host"},
		{"public-url-relative", []string{"serve", "--db", db, "--catalog", cat, "--key", key, "--public-url", "portal.acme/onramp"}, "want https://"},
		{"public-url-query", []string{"settings", "set", "public-url", "https://127.0.0.1/?x=1", "--db", db}, "leave out the query"},
		{"public-url-password", []string{"settings", "set", "public-url", "https://op:s3cret-pw@127.0.0.1/", "--db", db}, "leave the user name and password out"},
		{"unknown-setting", []string{"settings", "set", "colour", "blue", "--db", db}, "public-url URL"},
		{"bad-profile", []string{"serve", "--db", db, "--catalog", cat, "--key", key, "--profile", cat}, "unknown field"},
		{"missing-releases", []string{"serve", "--db", db, "--catalog", cat, "--key", key, "--releases", filepath.Join(t.TempDir(), "nosuch")}, "--releases"},
		{"password-in-db-query", []string{"serve", "--db", "postgres://onramp@127.0.0.1/onramp?sslmode=disable&password=s3cret-pw", "--catalog", cat, "--key", key}, "leave the password out"},
		{"sslpassword-in-db-query", []string{"serve", "--db", "postgresql://onramp@127.0.0.1/onramp?sslpassword=s3cret-pw", "--catalog", cat, "--key", key}, "leave the password out"},
		{"password-in-migrate-target", []string{"migrate", "--from", "sqlite:" + db, "--to", "postgres://onramp@127.0.0.1/onramp?PASSWORD=s3cret-pw"}, "leave the password out"},
		{"short-max-session", []string{"serve", "--db", db, "--catalog", cat, "--key", key, "--max-session", "1m"}, "--max-session"},
		{"bad-trusted-proxy", []string{"serve", "--db", db, "--catalog", cat, "--key", key, "--trusted-proxy", "10.0.0.0/33"}, "trusted-proxy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret-pw") {
				t.Errorf("the error repeats the password: %v", err)
			}
		})
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// --help, on the program and on each command, prints the usage on
// standard output and exits 0; a mistake still exits 2.
func TestHelp(t *testing.T) {
	bin := buildPortal(t)
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"serve", "--help"}, {"contract", "create", "--help"},
		{"settings", "set", "--help"}, {"settings", "show", "-h"}, {"outbox", "list", "--help"}, {"migrate", "--help"},
		{"contract", "--help"}, {"users", "--help"}, {"settings", "--help"}, {"outbox", "-h"}, {"contract", "show", "--help"},
		{"contract", "update", "--help"}, {"users", "show", "--help"}, {"users", "resend-start", "--help"}, {"users", "set-email", "-h"},
		{"users", "set-role", "--help"}, {"users", "show", "U23456789", "--help"}} {
		cmd := exec.Command(bin, args...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || !strings.Contains(stdout.String(), "Usage") || stderr.Len() > 0 {
			t.Errorf("portal %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
		}
	}
	if got := stdoutOf(t, bin, "serve", "--help"); !strings.Contains(got, "-public-url") || !strings.Contains(got, "-releases") || !strings.Contains(got, "-max-session DURATION") {
		t.Errorf("serve --help lacks its flags:\n%s", got)
	}
	if got := stdoutOf(t, bin, "--help"); !strings.Contains(got, "portal users resend-start") || !strings.Contains(got, "portal contract update") {
		t.Errorf("--help lacks the operator's commands:\n%s", got)
	}
	for _, args := range [][]string{{}, {"frobnicate"}, {"serve", "--frobnicate"}, {"users"}, {"users", "show"}, {"users", "frobnicate"},
		{"contract", "update", "C1", "--frobnicate"}} {
		err := exec.Command(bin, args...).Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("portal %s: %v, want exit status 2", strings.Join(args, " "), err)
		}
	}
}

func stdoutOf(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// The database's name on the start-up line and in the migration's report
// carries no password, wherever in the URL it was.
func TestDBNameHidesPasswords(t *testing.T) {
	for _, db := range []string{
		"postgres://onramp:s3cret-pw@127.0.0.1/onramp",
		"postgres://onramp@127.0.0.1/onramp?sslmode=disable&password=s3cret-pw",
		"postgresql://onramp@127.0.0.1/onramp?sslpassword=s3cret-pw",
	} {
		if name := (&common{db: db}).dbName(); strings.Contains(name, "s3cret-pw") || !strings.Contains(name, "127.0.0.1/onramp") {
			t.Errorf("%s: named %s", db, name)
		}
	}
}
