package cli

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/portal"
	"onramp.dev/onramp/profile"
)

// update rewrites the golden files from this run: go test ./cli -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata/json from this run's output")

// goldenCase says how to read and normalise one command's --json output
// before comparing it with testdata/json/NAME.golden.
type goldenCase struct {
	name   string
	stream bool // NDJSON: every line one JSON object with an "event"
	// replace maps strings of this run (temporary folders, IDs, a
	// server's address) to placeholders, longest first.
	replace map[string]string
	// volatile are keys whose values differ from machine to machine or
	// run to run: the golden file keeps the key, not the value.
	volatile []string
}

var (
	goldenTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)
	goldenPort = regexp.MustCompile(`(127\.0\.0\.1|localhost|\[::1\]):\d+`)
)

// checkGolden checks out, a command's standard output with --json,
// against its golden file: the shape of the output (one document, or one
// event per line), then its content with times, ports, the platform and
// the replaced strings normalised. Progress events (a transfer's
// progress, an install's stage), whose number depends on timing, are left
// out of the comparison once checked to be events.
func checkGolden(t *testing.T, gc goldenCase, out string) {
	t.Helper()
	var docs []any
	if gc.stream {
		sc := bufio.NewScanner(strings.NewReader(out))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var ev map[string]any
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Fatalf("%s: a line that is not a JSON object: %q (%v)", gc.name, sc.Text(), err)
			}
			if _, ok := ev["event"].(string); !ok {
				t.Fatalf("%s: an event without \"event\": %q", gc.name, sc.Text())
			}
			if ev["event"] == "progress" || ev["event"] == "stage" {
				continue
			}
			docs = append(docs, ev)
		}
	} else {
		dec := json.NewDecoder(strings.NewReader(out))
		var doc any
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%s: not a JSON document: %v\n%s", gc.name, err, out)
		}
		if dec.More() {
			t.Fatalf("%s: more than one JSON document:\n%s", gc.name, out)
		}
		docs = append(docs, doc)
	}
	volatile := map[string]bool{}
	for _, k := range gc.volatile {
		volatile[k] = true
	}
	var from []string
	for k := range gc.replace {
		from = append(from, k)
	}
	sort.Slice(from, func(i, j int) bool { return len(from[i]) > len(from[j]) })
	var normalise func(key string, v any) any
	normalise = func(key string, v any) any {
		if volatile[key] && v != nil {
			return "<" + key + ">"
		}
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				v[k] = normalise(k, x)
			}
		case []any:
			for i, x := range v {
				v[i] = normalise(key, x)
			}
		case string:
			for _, f := range from {
				v = strings.ReplaceAll(v, f, gc.replace[f])
				v = strings.ReplaceAll(v, filepath.ToSlash(f), gc.replace[f])
			}
			v = strings.ReplaceAll(v, `\`, "/")
			v = goldenPort.ReplaceAllString(v, "127.0.0.1:PORT")
			if goldenTime.MatchString(v) {
				return "<time>"
			}
			return v
		}
		return v
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	for _, d := range docs {
		if err := enc.Encode(normalise("", d)); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join("testdata", "json", gc.name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if got := b.String(); got != strings.ReplaceAll(string(want), "\r\n", "\n") {
		t.Errorf("%s: --json output differs from %s (if the change is meant, run with -update and say so in docs/scripting.md):\n--- got\n%s--- want\n%s", gc.name, file, got, want)
	}
}

// thisPlatform is this machine's OS/ARCH and OS-ARCH, for the
// replacements of output that names it.
func thisPlatform() map[string]string {
	return map[string]string{runtime.GOOS + "/" + runtime.GOARCH: "OS/ARCH", runtime.GOOS + "-" + runtime.GOARCH: "OS-ARCH"}
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// goldenStep is one command of a golden sequence: its arguments, exit
// code, and how its output is read.
type goldenStep struct {
	name     string
	args     []string
	code     int
	stream   bool
	volatile []string
	// literal: this machine's platform is not replaced (the output
	// names every platform, this one among them).
	literal bool
}

// Every command that runs without an account service session, through
// the embedded demo, files and a loopback file server, in the order a
// person would run them on one machine: each one's --json output against
// its golden file.
func TestGoldenJSON(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	// The configuration's path is in messages: the same on every OS.
	t.Setenv("ONRAMP_CONFIG", filepath.Join(home, "config", "config.json"))
	t.Setenv(installer.MachineStateEnv, filepath.Join(home, "machine"))
	t.Setenv(installer.MachineLogDirEnv, filepath.Join(home, "logs"))
	os.MkdirAll(filepath.Join(home, "config"), 0o700)
	writeFile(t, filepath.Join(home, "config"), "config.json", []byte("{}"))
	files := filepath.Join(home, "files")
	os.MkdirAll(files, 0o755)
	demoCatalog := writeFile(t, files, "demo.json", assets.DemoSignedCatalog())
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)) // a fixed key: its ID is in the golden file
	byOther, err := catalog.Sign(assets.DemoCatalogJSON(), time.Now(), time.Hour, other)
	if err != nil {
		t.Fatal(err)
	}
	otherCatalog := writeFile(t, files, "other.json", byOther)
	unsigned := writeFile(t, files, "catalog.json", assets.DemoCatalogJSON())
	plat := runtime.GOOS + "/" + runtime.GOARCH
	easy := writeFile(t, files, "easy.json", []byte(`{"schema": 1, "requirements": {"`+plat+`": {"memory": {"min": "1 MiB"}}}}`))
	content, sum := payload(64 << 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "file.bin", time.Unix(1700000000, 0), bytes.NewReader(content))
	}))
	defer srv.Close()
	target := filepath.Join(home, "apps", "atlas")
	deployment := filepath.Join(home, "deployment")
	seat := filepath.Join(home, "seat")
	key := filepath.Join(files, "signing.key")

	replace := map[string]string{home: "$HOME", srv.URL: "$SERVER", profile.MachinePath(): "$MACHINE_PROFILE"}
	if real, err := filepath.EvalSymlinks(home); err == nil {
		replace[real] = "$HOME" // macOS's /private/var, Windows' long names
	}
	timing := []string{"rate", "eta_seconds", "transferred", "attempts"}
	// This platform's package and the volume it is installed on differ
	// from machine to machine.
	pkg := append([]string{"dest", "url", "total", "done", "bytes", "files", "entries", "free_entries", "free_space", "disk_bytes", "launch", "sha256", "size"}, timing...)
	steps := []goldenStep{
		{name: "version", args: []string{"version"}, volatile: []string{"version", "go"}},
		{name: "catalog-check", args: []string{"--demo", "catalog", "check", demoCatalog}},
		{name: "catalog-check-refused", args: []string{"catalog", "check", otherCatalog}, code: exitIntegrity},
		{name: "catalog-show", args: []string{"--demo", "catalog", "show"}, literal: true},
		{name: "catalog-keygen", args: []string{"catalog", "keygen", "--out", key}, volatile: []string{"public_key", "key_id"}},
		{name: "catalog-sign", args: []string{"catalog", "sign", "--key", key, "--out", filepath.Join(files, "signed.json"), unsigned}, volatile: []string{"key_id"}},
		{name: "check", args: []string{"check", "--requirements", easy, "--target", target, "--cache", filepath.Join(home, "cache")},
			volatile: []string{"host", "found", "evidence", "facts", "figure"}},
		{name: "error", args: []string{"catalog", "check", filepath.Join(files, "nope.json")}, code: exitFailed, volatile: []string{"message"}},
		{name: "fetch", args: []string{"fetch", srv.URL + "/file.bin?token=secret", "--sha256", sum, "--out", filepath.Join(files, "file.bin")}, stream: true, volatile: timing},
		{name: "fetch-error", args: []string{"fetch", srv.URL + "/file.bin", "--sha256", strings.Repeat("0", 64), "--out", filepath.Join(files, "bad.bin")}, stream: true, code: exitIntegrity, volatile: timing},
		{name: "download", args: []string{"--demo", "download", "--product", "quill@3.0.2", "--platform", "darwin/arm64", "--out", filepath.Join(home, "downloads")}, stream: true, volatile: timing},
		{name: "install-plan", args: []string{"--demo", "install", "--product", "atlas@2.9.1", "--target", target, "--plan"}, stream: true, volatile: pkg},
		{name: "install", args: []string{"--demo", "install", "--product", "atlas@2.9.1", "--target", target}, stream: true, volatile: pkg},
		{name: "install-error", args: []string{"--demo", "install", "--product", "nothing"}, stream: true, code: exitFailed},
		{name: "products", args: []string{"--demo", "products"}, volatile: []string{"installed_at", "receipt", "launch"}},
		{name: "update", args: []string{"--demo", "update", "--product", "atlas"}, stream: true, volatile: pkg},
		{name: "verify", args: []string{"verify", "--product", "atlas"}, volatile: pkg},
		{name: "rollback", args: []string{"rollback", "--product", "atlas"}},
		{name: "repair", args: []string{"--demo", "repair", "--product", "atlas"}, stream: true, volatile: pkg},
		{name: "uninstall", args: []string{"uninstall", "--product", "atlas"}},
		// Another platform's deployment is the same on every machine.
		{name: "deploy-create", args: []string{"--demo", "deploy", "create", "--product", "quill@3.0.2", "--platform", "darwin/arm64", "--out", filepath.Join(home, "darwin"), "--target", seat},
			stream: true, volatile: append(timing, "created"), literal: true},
		{name: "deploy-install", args: []string{"--demo", "deploy", "install", deployment, "--log", filepath.Join(home, "deploy.log")}},
	}
	// The deployment this seat installs, for its own platform (a Windows
	// one carries the Windows assistant).
	create := []string{"--demo", "deploy", "create", "--product", "quill@3.0.2", "--platform", plat, "--out", deployment, "--target", seat}
	if runtime.GOOS == "windows" {
		create = append(create, "--assistant", fakeWindowsProgram(t, files))
	}
	for _, s := range steps {
		if s.name == "deploy-install" {
			var errb bytes.Buffer
			if code := run(t.Context(), create, strings.NewReader(""), io.Discard, &errb); code != 0 {
				t.Fatalf("deploy create: %d %s", code, errb.String())
			}
		}
		var out, errb bytes.Buffer
		code := run(t.Context(), append(s.args, "--json"), strings.NewReader(""), &out, &errb)
		if code != s.code {
			t.Fatalf("%s: exit %d, want %d\n%s\n%s", s.name, code, s.code, out.String(), errb.String())
		}
		r := replace
		if !s.literal {
			r = merge(replace, thisPlatform())
		}
		checkGolden(t, goldenCase{name: s.name, stream: s.stream, replace: r, volatile: s.volatile}, out.String())
	}
}

// The account service's commands against the real service on loopback,
// as a contract manager runs them: each one's --json output against its
// golden file, with the IDs the service made up replaced by names.
func TestGoldenJSONAccount(t *testing.T) {
	requireSession(t)
	srv, svc, store, _ := startPortal(t)
	ctx := t.Context()
	contract, _, err := svc.CreateContract(ctx, portal.ContractRequest{Company: "Acme", ManagerEmail: "ana@acme.example",
		Products: []portal.Seats{{Product: "atlas", Seats: 4}, {Product: "quill", Seats: 10}}, Plan: portal.PlanAdvanced}, "test")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.json")
	trustDemoKey(t, cfg)
	uid, temp := startEmail(t, store, "ana@acme.example")
	csv := writeFile(t, dir, "users.csv", []byte("email,name,role,products,benefits\ncy@acme.example,Cy,software_coordinator,quill,download;install\n"))

	type step struct {
		name, stdin string
		args        []string
		code        int
		volatile    []string
	}
	steps := []step{
		{name: "signin", stdin: temp + "\nthe first admin's passphrase\n", args: []string{"signin", "--server", srv.URL, "--user", uid}},
		{name: "whoami", args: []string{"whoami"}},
		{name: "profile", args: []string{"profile", "--name", "Ana Admin"}},
		{name: "users-add", args: []string{"users", "add", "--email", "bo@acme.example", "--name", "Bo", "--product", "quill", "--benefit", "download"}},
		{name: "users-import", args: []string{"users", "import", csv, "--dry-run"}, volatile: []string{"user_id"}}, // a dry run makes up IDs
		{name: "users-assign", args: []string{"users", "assign", "--user", "$BO", "--add-product", "atlas"}},
		{name: "users-list", args: []string{"users", "list"}},
		{name: "users-resend-start", args: []string{"users", "resend-start", "--user", "$BO"}},
		{name: "callers-add", args: []string{"callers", "add", "--user", "$BO"}},
		{name: "callers-list", args: []string{"callers", "list"}},
		{name: "callers-remove", args: []string{"callers", "remove", "--user", "$BO"}},
		{name: "support", args: []string{"support"}},
		{name: "seats-list", args: []string{"seats", "list"}},
		{name: "seats-release", args: []string{"seats", "release", "--seat", "$SEAT"}},
		{name: "deploy-keys-list", args: []string{"deploy", "keys", "list"}},
		{name: "deploy-keys-revoke", args: []string{"deploy", "keys", "revoke", "--key", "$KEY"}},
		{name: "users-remove", args: []string{"users", "remove", "--user", "$BO"}},
		{name: "users-remove-error", args: []string{"users", "remove", "--user", "$BO"}, code: exitFailed},
		{name: "password-reset", args: []string{"password", "reset", "--server", srv.URL, "--user", "ana@acme.example"}},
		{name: "signout", args: []string{"signout"}},
		{name: "signin-again", stdin: "the first admin's passphrase\n", args: []string{"signin", "--server", srv.URL, "--user", uid}},
		{name: "signout-everywhere", args: []string{"signout", "--everywhere"}},
	}
	ids := map[string]string{}
	outs := map[string]string{}
	for _, s := range steps {
		if s.name == "seats-list" {
			// A seat registered by a deployment's key, to list and release.
			ana, err := store.User(ctx, uid)
			if err != nil {
				t.Fatal(err)
			}
			key, sk, err := svc.CreateSeatKey(ctx, ana, []string{"atlas"})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := account.RegisterSeatWithKey(ctx, srv.URL, key, "machine-0001", "pc-0001", "atlas"); err != nil {
				t.Fatal(err)
			}
			ids["$KEY"] = sk.ID
		}
		args := append([]string{"--config", cfg}, s.args...)
		for i, a := range args {
			if v, ok := ids[a]; ok {
				args[i] = v
			}
		}
		var out, errb bytes.Buffer
		code := run(ctx, append(args, "--json"), strings.NewReader(s.stdin), &out, &errb)
		if code != s.code {
			t.Fatalf("%s: exit %d, want %d\n%s\n%s", s.name, code, s.code, out.String(), errb.String())
		}
		outs[s.name] = out.String()
		switch s.name {
		case "users-add":
			var ch jsonout.Changes
			if err := json.Unmarshal(out.Bytes(), &ch); err != nil || len(ch.Changes) != 1 {
				t.Fatalf("users add: %v %s", err, out.String())
			}
			ids["$BO"] = ch.Changes[0].UserID
		case "seats-list":
			var seats jsonout.Seats
			if err := json.Unmarshal(out.Bytes(), &seats); err != nil || len(seats.Seats) != 1 {
				t.Fatalf("seats list: %v %s", err, out.String())
			}
			ids["$SEAT"] = seats.Seats[0].ID
		}
	}
	replace := map[string]string{srv.URL: "$SERVER", dir: "$DIR", uid: "$ANA", contract.ID: "$CONTRACT"}
	for k, v := range ids {
		replace[v] = k
	}
	for _, s := range steps {
		checkGolden(t, goldenCase{name: s.name, replace: replace, volatile: s.volatile}, outs[s.name])
	}
}
