package portal

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// Mailer delivers the outbox through an SMTP server. STARTTLS is required
// unless the server is on a loopback address (a local relay).
type Mailer struct {
	Addr string // HOST:PORT
	From string
	// TLSConfig is used for STARTTLS (nil: the system's roots).
	TLSConfig *tls.Config
}

// Deliver sends every queued email, oldest first, and marks each sent. It
// stops at the first failure: the rest wait for the next round.
//
// The store leases the outbox, so several mailers, one per replica,
// share it: each takes a batch no other holds, so every email goes out
// once.
func (m *Mailer) Deliver(ctx context.Context, store *SQLStore) (int, error) {
	total := 0
	for {
		emails, err := store.ClaimOutbox(ctx, time.Now(), mailLease, mailBatch)
		if err != nil || len(emails) == 0 {
			return total, err
		}
		n, err := m.deliver(ctx, store, emails)
		total += n
		if err != nil {
			// What this round could not send goes to the next round,
			// here or on another replica, without waiting for the lease.
			var left []int64
			for _, e := range emails[n:] {
				left = append(left, e.ID)
			}
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			store.ReleaseOutbox(rctx, left)
			cancel()
			return total, err
		}
	}
}

// A mailer takes mailBatch emails at a time and has mailLease to send them
// (well over the SMTP session's 2-minute deadline) before another mailer
// may take them: only a mailer that dies between sending an email and
// marking it sent makes it go out twice.
const (
	mailBatch = 20
	mailLease = 5 * time.Minute
)

func (m *Mailer) deliver(ctx context.Context, store *SQLStore, emails []Email) (int, error) {
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return 0, fmt.Errorf("smtp address %q: %w", m.Addr, err)
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return 0, fmt.Errorf("smtp %s: %w", m.Addr, err)
	}
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return 0, fmt.Errorf("smtp %s: %w", m.Addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := m.TLSConfig
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return 0, fmt.Errorf("smtp %s: STARTTLS: %w", m.Addr, err)
		}
	} else if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return 0, fmt.Errorf("smtp %s offers no STARTTLS: refusing to send start emails in clear text", m.Addr)
	}
	sent := 0
	for _, e := range emails {
		if err := m.send(c, e); err != nil {
			return sent, fmt.Errorf("email #%d to %s: %w", e.ID, e.To, err)
		}
		if err := store.MarkSent(ctx, e.ID, time.Now()); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, c.Quit()
}

func (m *Mailer) send(c *smtp.Client, e Email) error {
	if strings.ContainsAny(e.To+m.From, "\r\n") {
		return errors.New("line break in an address")
	}
	if err := c.Mail(m.From); err != nil {
		return err
	}
	if err := c.Rcpt(e.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if err := writeMessage(w, m.From, e, time.Now()); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// writeMessage writes e as an RFC 5322 message: text/plain alone, or
// multipart/alternative with its text/html part after the text (mail
// readers show the last part they can). The subject is RFC 2047-encoded
// when it is not plain ASCII; the text part is 8-bit (its lines are
// short), the HTML part quoted-printable (its lines need not be).
func writeMessage(w io.Writer, from string, e Email, now time.Time) error {
	subject := strings.NewReplacer("\r", " ", "\n", " ").Replace(e.Subject) // no line break reaches a header
	fmt.Fprintf(w, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <onramp-%d-%d@%s>\r\nMIME-Version: 1.0\r\n",
		from, e.To, mime.QEncoding.Encode("utf-8", subject), now.UTC().Format(time.RFC1123Z), e.ID, e.Created.Unix(), "onramp.invalid")
	text := []byte(crlf(e.Body))
	if e.HTML == "" {
		fmt.Fprintf(w, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		_, err := w.Write(text)
		return err
	}
	mw := multipart.NewWriter(w)
	fmt.Fprintf(w, "Content-Type: multipart/alternative; boundary=%q\r\n\r\n", mw.Boundary())
	pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"8bit"}})
	if err != nil {
		return err
	}
	if _, err := pw.Write(text); err != nil {
		return err
	}
	hw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/html; charset=utf-8"}, "Content-Transfer-Encoding": {"quoted-printable"}})
	if err != nil {
		return err
	}
	qw := quotedprintable.NewWriter(hw)
	if _, err := qw.Write([]byte(crlf(e.HTML))); err != nil {
		return err
	}
	if err := qw.Close(); err != nil {
		return err
	}
	return mw.Close()
}

// crlf ends every line with CRLF, as SMTP wants.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}
