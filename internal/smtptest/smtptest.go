// Package smtptest runs a real SMTP server for tests: Debian's
// python3-aiosmtpd on loopback, delivering into a Maildir. Tests of the
// portal, of cmd/portal and the end-to-end test of cmd/assistant use it;
// nothing else may.
package smtptest

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
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

// Body is the text of the first message in maildir whose subject
// (decoded) starts with subject: the whole body of a plain message, the
// text/plain part of a multipart one. The test fails when none was
// delivered.
func Body(t testing.TB, maildir, subject string) string {
	t.Helper()
	m := Find(t, maildir, subject)
	if text, ok := m.Parts["text/plain"]; ok {
		return text
	}
	return m.Raw
}

// Message is one delivered message.
type Message struct {
	Header  mail.Header
	Subject string // decoded (RFC 2047)
	Raw     string // the body as delivered
	// Parts of a multipart message by media type (text/plain,
	// text/html), decoded from their transfer encoding; Order lists their
	// types in the order they come.
	Parts map[string]string
	Order []string
}

// Find is the first message in maildir whose decoded subject starts with
// subject; the test fails when none was delivered.
func Find(t testing.TB, maildir, subject string) Message {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(maildir, "new"))
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(maildir, "new", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(msg.Body)
		if err != nil {
			t.Fatal(err)
		}
		dec := new(mime.WordDecoder)
		subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("subject %q: %v", msg.Header.Get("Subject"), err)
		}
		subjects = append(subjects, subj)
		if !strings.HasPrefix(subj, subject) {
			continue
		}
		m := Message{Header: msg.Header, Subject: subj, Raw: string(b), Parts: map[string]string{}}
		mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if err == nil && strings.HasPrefix(mt, "multipart/") {
			r := multipart.NewReader(bytes.NewReader(b), params["boundary"])
			for {
				p, err := r.NextRawPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("message %q: %v", subj, err)
				}
				var body io.Reader = p
				if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
					body = quotedprintable.NewReader(p)
				}
				pb, err := io.ReadAll(body)
				if err != nil {
					t.Fatalf("message %q: %v", subj, err)
				}
				pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
				m.Parts[pt] = strings.ReplaceAll(string(pb), "\r\n", "\n")
				m.Order = append(m.Order, pt)
			}
		}
		return m
	}
	t.Fatalf("no message %q among the %d delivered: %q", subject, len(entries), subjects)
	return Message{}
}
