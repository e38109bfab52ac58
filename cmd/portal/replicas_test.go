package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/internal/pgtest"
	"onramp.dev/onramp/internal/smtptest"
	"onramp.dev/onramp/portal"
)

// buildPortal builds this command once per test into a temporary folder.
func buildPortal(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "portal")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// replica is one `portal serve` process.
type replica struct {
	url       string
	cmd       *exec.Cmd
	delivered chan int // from its "mail: delivered N email(s)" lines
}

func startReplica(t testing.TB, bin string, args ...string) *replica {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	r := &replica{cmd: cmd, delivered: make(chan int, 100)}
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		cmd.Wait()
		t.Fatalf("serve said nothing; stderr: %s", stderr.String())
	}
	if r.url = regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(sc.Text()); r.url == "" {
		t.Fatalf("serve said %q", sc.Text())
	}
	go func() {
		re := regexp.MustCompile(`mail: delivered (\d+) email`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				n, _ := strconv.Atoi(m[1])
				r.delivered <- n
			}
		}
	}()
	return r
}

// call makes one request; auth is the whole Authorization header value.
func call(t testing.TB, base, method, path, auth string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ctype = bytes.NewReader(b), "text/csv"
	default:
		j, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, _ := http.NewRequest(method, base+path, rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	} else {
		io.Copy(io.Discard, resp.Body)
	}
	return resp.StatusCode
}

type session struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// Two `portal serve` processes on one PostgreSQL database, driven
// alternately, behave as one service: mail, seats, token reuse, sign-in
// limits; and a replica killed in the middle of an import leaves nothing
// of it behind while the other goes on answering.
func TestReplicasShareOneDatabase(t *testing.T) {
	dsn := pgtest.Database(t)
	bin := buildPortal(t)
	cat, key := signedCatalog(t)
	c, err := catalog.Parse(mustRead(t, "../../catalog/testdata/demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	product := c.Products[0].ID
	ctx := context.Background()

	withPublicURL(t, dsn)
	// 50 contracts, 2 emails each: an outbox of 100 for the two mailers.
	for i := range 50 {
		if err := run(ctx, []string{"contract", "create", "--db", dsn, "--catalog", cat, "--key", key, "--company", fmt.Sprint("Acme ", i),
			"--manager", fmt.Sprintf("m%02d@acme.example", i), "--product", product + ":5", "--plan", "advanced"}, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	store, err := portal.OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	outbox, err := store.Outbox(ctx, true)
	if err != nil || len(outbox) != 100 {
		t.Fatalf("outbox: %d, %v", len(outbox), err)
	}
	uid := regexp.MustCompile(`User ID: (\S+)`).FindStringSubmatch(outbox[1].Body)[1]
	temp := regexp.MustCompile(`Temporary password: (\S+)`).FindStringSubmatch(outbox[1].Body)[1]

	smtpAddr, maildir := smtptest.Start(t)
	args := []string{"--db", dsn, "--catalog", cat, "--key", key, "--smtp", smtpAddr}
	rs := []*replica{startReplica(t, bin, args...), startReplica(t, bin, args...)}

	t.Run("outbox-delivered-once", func(t *testing.T) {
		total := 0
		deadline := time.After(2 * time.Minute)
		for total < 100 {
			select {
			case n := <-rs[0].delivered:
				total += n
			case n := <-rs[1].delivered:
				total += n
			case <-deadline:
				t.Fatalf("the mailers delivered %d of 100", total)
			}
		}
		files, _ := filepath.Glob(filepath.Join(maildir, "new", "*"))
		ids := map[string]bool{}
		for _, f := range files {
			b, _ := os.ReadFile(f)
			ids[regexp.MustCompile(`Message-ID: <onramp-(\d+)-`).FindStringSubmatch(string(b))[1]] = true
		}
		if total != 100 || len(files) != 100 || len(ids) != 100 {
			t.Errorf("mailers report %d; the server got %d messages, %d distinct", total, len(files), len(ids))
		}
	})

	// The manager's first sign-in on one replica, the password change on
	// the other.
	var first session
	if code := call(t, rs[0].url, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": temp}, &first); code != 200 {
		t.Fatalf("first sign-in: %d", code)
	}
	const pass = "the manager's own passphrase"
	if code := call(t, rs[1].url, "POST", "/api/v1/password", "Bearer "+first.AccessToken,
		map[string]string{"current_password": temp, "new_password": pass}, nil); code != 204 {
		t.Fatalf("password change on the other replica: %d", code)
	}
	signIn := func(t *testing.T, r *replica, password string) (session, int) {
		t.Helper()
		var s session
		code := call(t, r.url, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": password}, &s)
		return s, code
	}

	t.Run("seats", func(t *testing.T) {
		s, code := signIn(t, rs[0], pass)
		if code != 200 {
			t.Fatalf("sign-in: %d", code)
		}
		var k struct{ Key string }
		if code := call(t, rs[1].url, "POST", "/api/v1/seat-keys", "Bearer "+s.AccessToken, map[string]any{"products": []string{product}}, &k); code != 201 {
			t.Fatalf("seat key: %d", code)
		}
		codes := make([]int, 20)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Go(func() {
				codes[i] = call(t, rs[i%2].url, "POST", "/api/v1/seats", "SeatKey "+k.Key,
					map[string]string{"machine_id": fmt.Sprint("machine-", i), "hostname": fmt.Sprint("pc", i), "product": product}, nil)
			})
		}
		wg.Wait()
		count := map[int]int{}
		for _, c := range codes {
			count[c]++
		}
		if count[200] != 5 || count[409] != 15 {
			t.Errorf("20 registrations against 5 seats: %v", count)
		}
	})

	t.Run("refresh-token-replayed-on-the-other-replica", func(t *testing.T) {
		s, code := signIn(t, rs[0], pass)
		if code != 200 {
			t.Fatalf("sign-in: %d", code)
		}
		var next session
		if code := call(t, rs[0].url, "POST", "/api/v1/session/refresh", "", map[string]string{"refresh_token": s.RefreshToken}, &next); code != 200 {
			t.Fatalf("refresh: %d", code)
		}
		if code := call(t, rs[1].url, "POST", "/api/v1/session/refresh", "", map[string]string{"refresh_token": s.RefreshToken}, nil); code != 401 {
			t.Errorf("replayed refresh token: %d, want 401", code)
		}
		if code := call(t, rs[0].url, "POST", "/api/v1/session/refresh", "", map[string]string{"refresh_token": next.RefreshToken}, nil); code != 401 {
			t.Errorf("the sign-in's newest refresh token after the replay: %d, want 401 (revoked)", code)
		}
		if code := call(t, rs[1].url, "GET", "/api/v1/me", "Bearer "+next.AccessToken, nil, nil); code != 401 {
			t.Errorf("the sign-in's access token after the replay: %d, want 401 (revoked)", code)
		}
	})

	// A session for the import, opened before the account is locked.
	importer, code := signIn(t, rs[1], pass)
	if code != 200 {
		t.Fatalf("sign-in: %d", code)
	}

	t.Run("wrong-passwords-over-both-replicas-lock-the-account", func(t *testing.T) {
		for i := range 6 {
			want := 401
			if i == 5 {
				want = 429
			}
			if _, code := signIn(t, rs[i%2], "not the passphrase"); code != want {
				t.Errorf("wrong password %d on replica %d: %d, want %d", i+1, i%2, code, want)
			}
		}
		if _, code := signIn(t, rs[0], pass); code != 429 {
			t.Errorf("the right password on a locked account: %d, want 429", code)
		}
	})

	t.Run("replica-killed-during-an-import", func(t *testing.T) {
		var csv bytes.Buffer
		csv.WriteString("email,name\n")
		for i := range 10_000 {
			fmt.Fprintf(&csv, "u%05d@bulk.example,User %d\n", i, i)
		}
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		usersIn := func() int {
			var n int
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM users WHERE email LIKE '%@bulk.example'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		var size0 int64
		conn.QueryRow(ctx, `SELECT pg_relation_size('users')`).Scan(&size0)
		done := make(chan int, 1)
		go func() {
			done <- call(t, rs[0].url, "POST", "/api/v1/users/import", "Bearer "+importer.AccessToken, csv.Bytes(), nil)
		}()
		// Rows not yet committed already take pages: kill the replica
		// once a few hundred of them are written.
		for {
			var size int64
			if err := conn.QueryRow(ctx, `SELECT pg_relation_size('users')`).Scan(&size); err != nil {
				t.Fatal(err)
			}
			if size > size0+64<<10 {
				break
			}
			select {
			case code := <-done:
				t.Fatalf("the import ended (%d) before the replica could be killed", code)
			default:
			}
		}
		rs[0].cmd.Process.Kill()
		if code := <-done; code != -1 {
			t.Errorf("the killed replica answered the import: %d", code)
		}
		if code := call(t, rs[1].url, "GET", "/api/v1/me", "Bearer "+importer.AccessToken, nil, nil); code != 200 {
			t.Errorf("the other replica after the kill: %d", code)
		}
		if n := usersIn(); n != 0 {
			t.Fatalf("%d users of the killed import are in the database", n)
		}
		if code := call(t, rs[1].url, "POST", "/api/v1/users/import", "Bearer "+importer.AccessToken, csv.Bytes(), nil); code != 200 {
			t.Fatalf("the import again on the other replica: %d", code)
		}
		if n := usersIn(); n != 10_000 {
			t.Errorf("%d users after the import, want 10,000", n)
		}
	})
}

// portal migrate moves a service's SQLite file into PostgreSQL, prints
// each table verified, refuses a target that holds data, and the copy
// serves the same contract.
func TestMigrateSQLiteToPostgres(t *testing.T) {
	dsn := pgtest.Database(t)
	cat, key := signedCatalog(t)
	c, err := catalog.Parse(mustRead(t, "../../catalog/testdata/demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	file := withPublicURL(t, filepath.Join(t.TempDir(), "onramp.db"))
	if err := run(ctx, []string{"contract", "create", "--db", file, "--catalog", cat, "--key", key, "--company", "Acme",
		"--manager", "ana@acme.example", "--product", c.Products[0].ID + ":5"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate", "--from", "sqlite:" + file, "--to", dsn, "--json"}, &out); err != nil {
		t.Fatal(err)
	}
	var sums []portal.TableSum
	if err := json.Unmarshal(out.Bytes(), &sums); err != nil {
		t.Fatal(err)
	}
	rows := map[string]int{}
	for _, s := range sums {
		rows[s.Table] = s.Rows
	}
	if rows["contracts"] != 1 || rows["users"] != 1 || rows["outbox"] != 2 {
		t.Errorf("migrated %+v", sums)
	}
	tests := []struct {
		name string
		args []string
		want error
	}{
		{"target-not-empty", []string{"migrate", "--from", "sqlite:" + file, "--to", dsn}, portal.ErrTargetNotEmpty},
		{"missing-source", []string{"migrate", "--from", "sqlite:" + file + ".typo", "--to", dsn}, os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := run(ctx, tt.args, io.Discard); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	out.Reset()
	if err := run(ctx, []string{"outbox", "list", "--db", dsn, "--json"}, &out); err != nil {
		t.Fatal(err)
	}
	var emails []portal.Email
	if err := json.Unmarshal(out.Bytes(), &emails); err != nil || len(emails) != 2 || emails[1].Kind != "start" {
		t.Errorf("the copy's outbox: %v %s", err, out.String())
	}
}

// testDB is the --db of a test: an SQLite file, or with
// ONRAMP_TEST_ENGINE=postgres a database of its own on the test cluster.
func testDB(t *testing.T) string {
	if pgtest.OnPostgres() {
		return withPublicURL(t, pgtest.Database(t))
	}
	return withPublicURL(t, filepath.Join(t.TempDir(), "onramp.db"))
}

// withPublicURL stores the public URL every command that writes emails
// needs, as an operator does once, and returns db.
func withPublicURL(t testing.TB, db string) string {
	t.Helper()
	if err := run(context.Background(), []string{"settings", "set", "public-url", "https://127.0.0.1:8443", "--db", db}, io.Discard); err != nil {
		t.Fatal(err)
	}
	return db
}

// BenchmarkSignInWhoAmI50TwoReplicas is portal's BenchmarkSignInWhoAmI50
// against two `portal serve` processes on one PostgreSQL database: 50
// clients at once, alternately on each replica, each signing in and asking
// whoami. It reports the p50 and p99 of one sign-in + whoami and the pairs
// per second. The limits stay on (they are in the database): the
// sign-ins succeed, so they only cost their queries.
func BenchmarkSignInWhoAmI50TwoReplicas(b *testing.B) {
	dsn := pgtest.Database(b)
	bin := buildPortal(b)
	cat, key := signedCatalog(b)
	c, err := catalog.Parse(mustRead(b, "../../catalog/testdata/demo.json"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var out bytes.Buffer
	withPublicURL(b, dsn)
	if err := run(ctx, []string{"contract", "create", "--db", dsn, "--catalog", cat, "--key", key, "--company", "Bench",
		"--manager", "mgr@bench.example", "--product", c.Products[0].ID + ":5", "--json"}, &out); err != nil {
		b.Fatal(err)
	}
	store, err := portal.OpenPostgres(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	emails, _ := store.Outbox(ctx, true)
	store.Close()
	uid := regexp.MustCompile(`User ID: (\S+)`).FindStringSubmatch(emails[1].Body)[1]
	temp := regexp.MustCompile(`Temporary password: (\S+)`).FindStringSubmatch(emails[1].Body)[1]
	args := []string{"--db", dsn, "--catalog", cat, "--key", key, "--max-conns-per-address", "200"}
	rs := []*replica{startReplica(b, bin, args...), startReplica(b, bin, args...)}
	const pass = "a long enough passphrase"
	var first session
	call(b, rs[0].url, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": temp}, &first)
	if code := call(b, rs[1].url, "POST", "/api/v1/password", "Bearer "+first.AccessToken,
		map[string]string{"current_password": temp, "new_password": pass}, nil); code != 204 {
		b.Fatalf("password change: %d", code)
	}
	const clients = 50
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var mu sync.Mutex
	var lat []time.Duration
	start := time.Now()
	pairs := 0
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range clients {
			r := rs[i%2]
			wg.Go(func() {
				t0 := time.Now()
				body, _ := json.Marshal(map[string]string{"login": uid, "password": pass})
				resp, err := hc.Post(r.url+"/api/v1/session", "application/json", bytes.NewReader(body))
				if err != nil || resp.StatusCode != 200 {
					b.Errorf("sign-in: %v %v", err, resp)
					return
				}
				var s session
				json.NewDecoder(resp.Body).Decode(&s)
				resp.Body.Close()
				req, _ := http.NewRequest("GET", r.url+"/api/v1/me", nil)
				req.Header.Set("Authorization", "Bearer "+s.AccessToken)
				resp, err = hc.Do(req)
				if err != nil || resp.StatusCode != 200 {
					b.Errorf("whoami: %v %v", err, resp)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			})
		}
		wg.Wait()
		pairs += clients
	}
	elapsed := time.Since(start)
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(pairs)/elapsed.Seconds(), "pairs/s")
	}
}
