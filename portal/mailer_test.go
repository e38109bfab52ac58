package portal

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startSMTP runs a real SMTP server (Debian's python3-aiosmtpd) on
// loopback, delivering into a Maildir.
func startSMTP(t *testing.T) (addr, maildir string) {
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
		t.Fatal(err)
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

func TestMailerDeliversOutbox(t *testing.T) {
	addr, maildir := startSMTP(t)
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "ana@acme.example", "atlas")
	m := &Mailer{Addr: addr, From: "onramp@acme.example"}
	n, err := m.Deliver(context.Background(), p.store)
	if err != nil || n != 2 {
		t.Fatalf("delivered %d: %v", n, err)
	}
	files, _ := filepath.Glob(filepath.Join(maildir, "new", "*"))
	if len(files) != 2 {
		t.Fatalf("maildir holds %d messages", len(files))
	}
	var all string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		all += string(b)
	}
	for _, want := range []string{"To: ana@acme.example", "Subject: Your order is confirmed", "User ID: " + uid, "Temporary password: " + temp} {
		if !strings.Contains(all, want) {
			t.Errorf("delivered mail lacks %q", want)
		}
	}
	// Sent, and the temporary password is no longer in the database.
	out, _ := p.store.Outbox(context.Background(), false)
	for _, e := range out {
		if e.SentAt == nil || strings.Contains(e.Body, temp) {
			t.Errorf("after delivery: %+v", e)
		}
	}
	if n, err := m.Deliver(context.Background(), p.store); n != 0 || err != nil {
		t.Errorf("a second round sent %d, %v", n, err)
	}
}
