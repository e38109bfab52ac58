package portal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"onramp.dev/onramp/internal/smtptest"
)

func TestMailerDeliversOutbox(t *testing.T) {
	addr, maildir := smtptest.Start(t)
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

// Two mailers (one per replica, here in one process) drain one outbox of
// 100 emails at once: each email is delivered exactly once.
func TestMailersShareOutbox(t *testing.T) {
	addr, maildir := smtptest.Start(t)
	p := newTestPortal(t)
	ctx := context.Background()
	for i := range 50 { // two emails each
		if _, _, err := p.svc.CreateContract(ctx, ContractRequest{Company: "Acme", ManagerEmail: fmt.Sprintf("m%d@acme.example", i),
			ManagerName: "M", Products: []Seats{{Product: "atlas", Seats: 1}}, Plan: PlanStandard}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	sent := make(chan int, 2)
	for range 2 {
		go func() {
			n, err := (&Mailer{Addr: addr, From: "onramp@acme.example"}).Deliver(ctx, p.store)
			if err != nil {
				t.Error(err)
			}
			sent <- n
		}()
	}
	total := <-sent + <-sent
	files, _ := filepath.Glob(filepath.Join(maildir, "new", "*"))
	ids := map[string]int{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		ids[regexp.MustCompile(`Message-ID: <onramp-(\d+)-`).FindStringSubmatch(string(b))[1]]++
	}
	if total != 100 || len(files) != 100 || len(ids) != 100 {
		t.Errorf("mailers report %d sent; the server got %d messages, %d distinct", total, len(files), len(ids))
	}
	if unsent, _ := p.store.Outbox(ctx, true); len(unsent) != 0 {
		t.Errorf("%d emails left unsent", len(unsent))
	}
}
