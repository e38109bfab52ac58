package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// The committed reference and man page are what the command table
// generates now: a command or flag changed without `go generate ./cli`
// fails here.
func TestReferenceUpToDate(t *testing.T) {
	for _, f := range []struct {
		path  string
		write func(io.Writer) error
	}{
		{"../docs/cli.md", WriteMarkdownReference},
		{"../docs/man/assistant.1", WriteManPage},
	} {
		var want bytes.Buffer
		if err := f.write(&want); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatalf("%v: run go generate ./cli", err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s differs from the command table: run go generate ./cli and commit it", f.path)
		}
	}
}

// Every command of the table, and every flag of each, is in the reference;
// the man page escapes what roff would read as requests.
func TestReferenceCoversTable(t *testing.T) {
	var md, man bytes.Buffer
	if err := WriteMarkdownReference(&md); err != nil {
		t.Fatal(err)
	}
	if err := WriteManPage(&man); err != nil {
		t.Fatal(err)
	}
	cmds := referenceCommands()
	if len(cmds) < 30 {
		t.Fatalf("%d commands in the reference, want the whole table", len(cmds))
	}
	for _, c := range cmds {
		if !strings.Contains(md.String(), "\n### "+c.path+"\n") {
			t.Errorf("docs/cli.md has no section for %s", c.path)
		}
		if !strings.Contains(man.String(), ".SS "+roffEscape(c.path)) {
			t.Errorf("the man page has no section for %s", c.path)
		}
		for _, f := range c.flags {
			if !strings.Contains(md.String(), "`--"+f.name) {
				t.Errorf("docs/cli.md does not name %s --%s", c.path, f.name)
			}
		}
	}
	for _, l := range strings.Split(man.String(), "\n") {
		if strings.HasPrefix(l, ".") && !strings.HasPrefix(l, `.\"`) {
			macro, _, _ := strings.Cut(l[1:], " ")
			switch macro {
			case "TH", "SH", "SS", "TP", "B", "PP", "nf", "fi":
			default:
				t.Errorf("man page line %q is read as the request %q", l, macro)
			}
		}
	}
	for _, s := range []string{"a-b", `back\slash`, ".starts with a period", "'quote"} {
		if got := roffText(s); strings.HasPrefix(got, ".") || strings.HasPrefix(got, "'") || strings.Contains(got, "a-b") || strings.Contains(got, `k\s`) {
			t.Errorf("roffText(%q) = %q: not literal", s, got)
		}
	}
}

// The reference's exit codes are the program's: every code of the contract
// once, and each also in the usage's short list.
func TestReferenceExitCodes(t *testing.T) {
	want := []int{exitOK, exitFailed, exitUsage, exitRequirements, exitIntegrity, exitAuth, exitEntitlement, exitNewerInstalled, exitBusy, exitInterrupted}
	var got []int
	for _, c := range exitCodeDocs {
		got = append(got, c.code)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("documented exit codes %v, want %v", got, want)
	}
	r := runCLI(t, "", "--help")
	for _, c := range want {
		if !strings.Contains(r.stdout+r.stderr, fmt.Sprintf("%d ", c)) {
			t.Errorf("the usage's exit codes lack %d", c)
		}
	}
}
