package account

import (
	"context"
	"errors"
	"testing"
	"time"
)

// ChangeEmail asks the real service for a link to the new address: the
// answer says where it went and until when; the account keeps its
// address; past the day's few requests the service's limit is told.
func TestChangeEmail(t *testing.T) {
	d, c := startService(t)
	ctx := context.Background()
	before, err := c.WhoAmI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := c.ChangeEmail(ctx, "Ana.New@Example.com")
	if err != nil {
		t.Fatal(err)
	}
	if sent.Email != "ana.new@example.com" || time.Until(sent.Expires) < 23*time.Hour || time.Until(sent.Expires) > 25*time.Hour {
		t.Fatalf("the answer: %+v", sent)
	}
	out, err := d.Store.Outbox(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range out {
		if e.Kind == "email_change" && e.To == "ana.new@example.com" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("links to the new address: %d", n)
	}
	after, err := c.WhoAmI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.User.Email != before.User.Email {
		t.Errorf("the address changed before the link was opened: %s", after.User.Email)
	}
	var fe *ProblemError
	if _, err := c.ChangeEmail(ctx, "not an address"); !errors.As(err, &fe) || fe.Status != 422 {
		t.Errorf("a bad address: %v", err)
	}
	for i := 1; ; i++ {
		_, err := c.ChangeEmail(ctx, "ana.other@example.com")
		if errors.Is(err, ErrRateLimited) {
			// The first request and four more: five a day.
			if i != 5 {
				t.Errorf("refused at the %d-th request after the first", i)
			}
			break
		}
		if err != nil || i > 10 {
			t.Fatalf("request %d: %v", i, err)
		}
	}
}
