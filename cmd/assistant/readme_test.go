package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/cli"
	"onramp.dev/onramp/internal/testbin"
)

// readmeBlock is a fenced block of the README or of a doc, marked to run.
type readmeBlock struct {
	file     string // relative to the repository's root
	line     int    // of the opening fence
	commands [][]string
}

// readmeBlocks are the blocks of the README preceded by the marker line
// "<!-- test: run -->", each as its commands: continuation lines joined,
// comments dropped, words split as a POSIX shell splits them (quotes, no
// expansions).
func readmeBlocks(t *testing.T, file, text string) []readmeBlock {
	t.Helper()
	var blocks []readmeBlock
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "<!-- test: run -->" {
			continue
		}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```") {
			t.Fatalf("%s line %d: the marker is not followed by a fenced block", file, i+1)
		}
		b := readmeBlock{file: file, line: i + 2}
		var cmd string
		for i += 2; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			line := lines[i]
			if cut, ok := strings.CutSuffix(strings.TrimRight(line, " "), `\`); ok {
				cmd += cut + " "
				continue
			}
			cmd += line
			if words := shellWords(t, cmd); len(words) > 0 {
				b.commands = append(b.commands, words)
			}
			cmd = ""
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// shellWords splits a command line into words: single and double quotes,
// backslash escapes, and a # that starts a word starts a comment.
func shellWords(t *testing.T, s string) []string {
	var words []string
	var w strings.Builder
	inWord := false
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
		case r == '#' && !inWord:
			return words
		case r == '$' || r == '`' || r == '|' || r == '>' || r == '<' || r == '&' || r == ';' || (r == '\\' && i == len(s)-1):
			t.Fatalf("README command %q: %q needs a shell, which the test does not run", s, r)
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// The commands marked to run in the README and in docs/*.md (the README
// first, then the docs by name) run as written, in order, in an empty
// folder with a fresh home: the catalog's keys and signature, the
// account service and its contract, the support staff's commands, and
// the assistant against that service. The folder holds what an operator
// brings: the catalog to sign, a profile, a package folder and a release
// folder. `go run ./cmd/portal` is the built portal; a `serve` runs in the
// background until the test ends; 127.0.0.1:8443 becomes a free port, as
// another service may hold that one.
func TestReadmeCommands(t *testing.T) {
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(docs)
	var blocks []readmeBlock
	for _, path := range append([]string{"../../README.md"}, docs...) {
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, readmeBlocks(t, strings.TrimPrefix(path, "../../"), string(text))...)
	}
	if len(blocks) < 3 {
		t.Fatalf("the README and docs mark %d blocks to run, want the catalog's, the service's and the operator's", len(blocks))
	}
	portalBin := testbin.Once(t, "../portal")
	assistantBin := testbin.Once(t, ".", "-tags", "nogui")

	work := t.TempDir()
	catalogJSON, err := os.ReadFile("../../catalog/testdata/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(work, "catalog.json"), catalogJSON)
	writeTestFile(t, filepath.Join(work, "profile.json"), []byte(`{"publisher": "Acme Software", "support": {"email": "support@example.com"}}`))
	writeTestFile(t, filepath.Join(work, "packages", "README"), []byte("the package files the catalog lists go here\n"))
	sum := sha256.Sum256([]byte("the Linux window"))
	writeTestFile(t, filepath.Join(work, "release", "linux-amd64", "Onramp"), []byte("the Linux window"))
	writeTestFile(t, filepath.Join(work, "release", "SHA256SUMS"), []byte(hex.EncodeToString(sum[:])+"  linux-amd64/Onramp\n"))
	home := t.TempDir()
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"), "ONRAMP_CONFIG=", cli.ProfileEnv+"=")
	addr := unusedLoopbackAddr(t)

	ran := map[string]bool{}
	for _, b := range blocks {
		for _, words := range b.commands {
			for i, w := range words {
				words[i] = strings.ReplaceAll(w, "127.0.0.1:8443", addr)
			}
			var bin string
			switch {
			case len(words) > 2 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/portal":
				bin, words = portalBin, words[3:]
			case words[0] == "portal":
				bin, words = portalBin, words[1:]
			case words[0] == "assistant":
				bin, words = assistantBin, words[1:]
			default:
				t.Fatalf("%s line %d: %q is not a portal or assistant command", b.file, b.line, strings.Join(words, " "))
			}
			name := filepath.Base(bin) + " " + strings.Join(words, " ")
			cmd := exec.Command(bin, words...)
			cmd.Dir, cmd.Env = work, env
			if len(words) > 0 && words[0] == "serve" {
				startServe(t, cmd, name)
				ran["serve"] = true
				continue
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s, block at line %d: %s: %v\nstdout: %s\nstderr: %s", b.file, b.line, name, err, stdout.String(), stderr.String())
			}
			ran[filepath.Base(bin)+" "+words[0]] = true
		}
	}
	for _, want := range []string{"serve", "portal contract", "portal users", "assistant catalog", "assistant password"} {
		if !ran[want] {
			t.Errorf("no command of the README or docs ran %q", want)
		}
	}
}

// startServe starts a serve command of the README and waits for its
// first line, which says where it serves; it stops when the test ends.
func startServe(t *testing.T, cmd *exec.Cmd, name string) {
	t.Helper()
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
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		line := ""
		if sc.Scan() {
			line = sc.Text()
		}
		first <- line
		for sc.Scan() {
		}
	}()
	select {
	case line := <-first:
		if !strings.Contains(line, "serving") {
			t.Fatalf("%s said %q\nstderr: %s", name, line, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start in 30 s", name)
	}
}

// The README's first block holds the two commands a newcomer runs first,
// and what they call exists: the demo behind -tags demo (the flag the
// command passes) and the scripts in .ci.
func TestReadmeFirstCommands(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```sh\n")
	first, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("the README has no sh block")
	}
	for _, want := range []string{"bash .ci/deps && go run -tags demo ./cmd/assistant --demo\n", "bash .ci/test\n"} {
		if !strings.Contains(first, want) {
			t.Errorf("the README's first block lacks %q:\n%s", want, first)
		}
	}
	for _, script := range []string{"../../.ci/deps", "../../.ci/test", "demo.go"} {
		if _, err := os.Stat(script); err != nil {
			t.Errorf("the README's first commands need %s: %v", script, err)
		}
	}
	if src, err := os.ReadFile("demo.go"); err != nil || !strings.Contains(string(src), "//go:build demo") {
		t.Errorf("cmd/assistant/demo.go is not behind the demo tag the README's command passes (%v)", err)
	}
}

// writeTestFile writes data at path, making its folders; it lives here,
// in a file every build of the tests has, since the nogui build uses it too.
func writeTestFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// unusedLoopbackAddr is a loopback address nothing listens on, for a
// service whose public URL must be known before it starts.
func unusedLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
