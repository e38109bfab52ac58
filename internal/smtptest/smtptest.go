// Package smtptest runs a real SMTP server for tests: Debian's
// python3-aiosmtpd on loopback, delivering into a Maildir. Tests of the
// portal, of cmd/portal and the end-to-end test of cmd/assistant use it;
// nothing else may.
package smtptest

import (
	"bufio"
	"io"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Start runs the server until the test ends and returns its address and
// the Maildir it writes each message to. It fails the test when the
// server is not installed (.ci/deps installs python3-aiosmtpd).
func Start(t testing.TB) (addr, maildir string) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Fatal("no /usr/bin/python3: install python3-aiosmtpd (.ci/deps does)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	maildir = filepath.Join(t.TempDir(), "Maildir")
	cmd := exec.Command("/usr/bin/python3", "-m", "aiosmtpd", "-n", "-d", "-l", addr, "-c", "aiosmtpd.handlers.Mailbox", maildir)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatalf("aiosmtpd: %v (.ci/deps installs python3-aiosmtpd)", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Server is listening") {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("aiosmtpd did not start: is python3-aiosmtpd installed? (.ci/deps installs it)")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("aiosmtpd did not start in 20 s")
	}
	return addr, maildir
}

// Body is the body of the first message in maildir whose subject starts
// with subject; the test fails when none was delivered.
func Body(t testing.TB, maildir, subject string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(maildir, "new"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(maildir, "new", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(f)
		if err != nil {
			f.Close()
			t.Fatal(err)
		}
		b, err := io.ReadAll(msg.Body)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(msg.Header.Get("Subject"), subject) {
			return string(b)
		}
	}
	t.Fatalf("no message %q among the %d delivered", subject, len(entries))
	return ""
}
