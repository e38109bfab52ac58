package main

import (
	"encoding/json"
	"errors"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"onramp.dev/onramp/portal"
	"onramp.dev/onramp/portal/web"
)

// portalRun runs the portal program and returns its output and exit code.
func portalRun(t testing.TB, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// newestStart reads the newest start email to addr from the outbox.
func newestStart(t testing.TB, bin, db, addr string) (uid, temp string) {
	t.Helper()
	out, stderr, code := portalRun(t, bin, "outbox", "list", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("outbox list: %s", stderr)
	}
	var emails []portal.Email
	if err := json.Unmarshal([]byte(out), &emails); err != nil {
		t.Fatal(err)
	}
	for i := len(emails) - 1; i >= 0; i-- {
		if e := emails[i]; e.To == addr && e.Kind == "start" && e.SentAt == nil {
			return regexp.MustCompile(`User ID: (\S+)`).FindStringSubmatch(e.Body)[1], regexp.MustCompile(`Temporary password: (\S+)`).FindStringSubmatch(e.Body)[1]
		}
	}
	t.Fatalf("no start email to %s", addr)
	return "", ""
}

// A contract's only manager uses their temporary password up with one
// refused new password: the service tells them to contact support, and
// support's `portal users resend-start` gets them in. The operator's
// other commands work on the same contract, as written in the usage.
func TestStuckManagerFixedByOperator(t *testing.T) {
	bin := buildPortal(t)
	cat, key := signedCatalog(t)
	db := testDB(t)
	out, stderr, code := portalRun(t, bin, "contract", "create", "--db", db, "--catalog", cat, "--key", key, "--company", "Delta",
		"--manager", "dan@delta.exmaple", "--product", "atlas:5", "--plan", "advanced", "--json")
	if code != 0 {
		t.Fatalf("contract create: %s", stderr)
	}
	var created struct {
		Contract portal.Contract `json:"contract"`
	}
	json.Unmarshal([]byte(out), &created)
	contractID := created.Contract.ID
	uid, temp := newestStart(t, bin, db, "dan@delta.exmaple")
	r := startReplica(t, bin, "--db", db, "--catalog", cat, "--key", key)

	var s session
	if code := call(t, r.url, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": temp}, &s); code != 200 {
		t.Fatalf("first sign-in: %d", code)
	}
	if code := call(t, r.url, "POST", "/api/v1/password", "Bearer "+s.AccessToken, map[string]string{"current_password": temp, "new_password": "short"}, nil); code != 422 {
		t.Fatalf("a refused new password: %d", code)
	}
	var prob web.Problem
	if code := call(t, r.url, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": temp}, &prob); code != 401 ||
		prob.Ask != "support" || !strings.Contains(prob.Detail, "contact support") {
		t.Fatalf("the stuck manager is told: %d %+v", code, prob)
	}
	if out, stderr, code := portalRun(t, bin, "users", "show", uid, "--db", db); code != 0 || !strings.Contains(out, "used up") || !strings.Contains(out, "Delta") {
		t.Errorf("users show: %d\n%s%s", code, out, stderr)
	}

	for _, tt := range []struct {
		name string
		args []string
		code int
		want string // in stdout, or in stderr when code != 0
	}{
		{"resend-start", []string{"users", "resend-start", "dan@delta.exmaple", "--db", db, "--catalog", cat, "--key", key}, 0, "new start email to dan@delta.exmaple"},
		{"resend-start-no-catalog", []string{"users", "resend-start", uid, "--db", db}, 2, "--catalog"},
		{"resend-start-unknown", []string{"users", "resend-start", "nobody@delta.example", "--db", db, "--catalog", cat, "--key", key}, 1, "not found"},
		{"set-role-last-manager", []string{"users", "set-role", uid, "user", "--db", db}, 1, "at least one contract manager"},
		{"set-role-bad", []string{"users", "set-role", uid, "boss", "--db", db}, 2, "want manager, coordinator or user"},
		{"contract-show", []string{"contract", "show", contractID, "--db", db, "--json"}, 0, `"caller_cap":2`},
		{"contract-update-nothing", []string{"contract", "update", contractID, "--db", db}, 2, "nothing to change"},
		{"contract-update-bad-date", []string{"contract", "update", contractID, "--db", db, "--end", "31/01/2031"}, 2, "YYYY-MM-DD"},
		{"contract-update", []string{"contract", "update", contractID, "--db", db, "--seats", "8", "--callers-cap", "4", "--end", "2031-01-31"}, 0, "to 2031-01-31"},
		{"contract-update-manager", []string{"contract", "update", contractID, "--db", db, "--catalog", cat, "--key", key, "--manager", "dan@delta.example"}, 0, "manager " + uid + ": dan@delta.example"},
		{"set-email", []string{"users", "set-email", uid, "dan@delta.example.net", "--db", db, "--catalog", cat, "--key", key, "--json"}, 0, `"email":"dan@delta.example.net"`},
		{"users-show-json", []string{"users", "show", "dan@delta.example.net", "--db", db, "--json"}, 0, `"password_state":"temporary password unused`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := portalRun(t, bin, tt.args...)
			got := out
			if tt.code != 0 {
				got = stderr
			}
			if code != tt.code || !strings.Contains(got, tt.want) {
				t.Errorf("portal %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", strings.Join(tt.args, " "), code, tt.code, tt.want, out, stderr)
			}
			if tt.code == 0 && !strings.Contains(stderr, "event=operator_") {
				t.Errorf("portal %s: no security log line:\n%s", strings.Join(tt.args, " "), stderr)
			}
		})
	}

	uid2, next := newestStart(t, bin, db, "dan@delta.example.net")
	if uid2 != uid {
		t.Fatalf("the start email to the corrected address names %s", uid2)
	}
	if code := call(t, r.url, "POST", "/api/v1/session", "", map[string]string{"login": "dan@delta.example.net", "password": next}, &s); code != 200 {
		t.Fatalf("the operator's start email: %d", code)
	}
	if code := call(t, r.url, "POST", "/api/v1/password", "Bearer "+s.AccessToken, map[string]string{"current_password": next, "new_password": "dan's own long passphrase"}, nil); code != 204 {
		t.Fatalf("the new password: %d", code)
	}
}

// A manager of two contracts (contract create --manager with an address
// that has an account joins it) is one person: the operator's commands
// about one contract of theirs ask which.
func TestOperatorNamesTheContract(t *testing.T) {
	bin := buildPortal(t)
	cat, key := signedCatalog(t)
	db := testDB(t)
	var ids []string
	for _, company := range []string{"Delta", "Echo"} {
		out, stderr, code := portalRun(t, bin, "contract", "create", "--db", db, "--catalog", cat, "--key", key, "--company", company,
			"--manager", "dan@delta.example", "--product", "atlas:5", "--plan", "advanced", "--json")
		if code != 0 {
			t.Fatalf("contract create %s: %s", company, stderr)
		}
		var created struct {
			Contract portal.Contract `json:"contract"`
			Manager  string          `json:"manager_id"`
		}
		json.Unmarshal([]byte(out), &created)
		ids = append(ids, created.Contract.ID)
		if len(ids) == 2 && created.Manager != newestManager(t, bin, db) {
			t.Errorf("the second contract's manager is a second account: %s", created.Manager)
		}
	}
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"show-which", []string{"users", "show", "dan@delta.example", "--db", db}, 2, "--contract"},
		{"show-echo", []string{"users", "show", "dan@delta.example", "--db", db, "--contract", ids[1]}, 0, "(Echo)"},
		{"show-not-member", []string{"users", "show", "dan@delta.example", "--db", db, "--contract", "CNOTHERE1"}, 1, "not found"},
		{"set-role-which", []string{"users", "set-role", "dan@delta.example", "user", "--db", db}, 2, ids[0] + ", " + ids[1]},
		{"set-role-echo", []string{"users", "set-role", "dan@delta.example", "user", "--db", db, "--contract", ids[1]}, 1, "at least one contract manager"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := portalRun(t, bin, tt.args...)
			got := out
			if tt.code != 0 {
				got = stderr
			}
			if code != tt.code || !strings.Contains(got, tt.want) {
				t.Errorf("portal %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", strings.Join(tt.args, " "), code, tt.code, tt.want, out, stderr)
			}
		})
	}
}

// newestManager is the user ID the newest start email to dan names.
func newestManager(t testing.TB, bin, db string) string {
	uid, _ := newestStart(t, bin, db, "dan@delta.example")
	return uid
}
