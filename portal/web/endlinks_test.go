package web

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// A new start email replaces the unsent one whatever language it was
// written in (the old one's password no longer works), and it ends a
// lost-password link sent before: a new start email is the only way in.
func TestNewStartEmailEndsEarlierWaysIn(t *testing.T) {
	ctx := context.Background()
	p, _ := newLoggedPortal(t)
	_, admin := mailContract(t, p, "fr", "elise@lefevre.example", time.Time{})
	added, err := p.svc.AddUser(ctx, admin, portal.NewUser{Email: "marc@lefevre.example", Name: "Marc", Products: []string{"quill"}, Benefits: []string{"download"}})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := askReset(t, p, "marc@lefevre.example"); code != 202 {
		t.Fatalf("reset request: %d", code)
	}
	p.svc.WaitPasswordResets()
	token := latestResetToken(t, p, "marc@lefevre.example")
	if _, err := p.svc.SendStartEmail(ctx, admin, added.UserID, false); err != nil {
		t.Fatal(err)
	}
	if e := emailsTo(t, p, "marc@lefevre.example", "start"); len(e) != 1 || !strings.Contains(e[0].Body, "Identifiant") {
		t.Errorf("%d start emails to Marc after a new one, want the new French one only", len(e))
	}
	if _, err := p.svc.ResetPassword(ctx, token, "a long and unusual passphrase 7"); !errors.Is(err, portal.ErrResetLinkInvalid) {
		t.Errorf("a lost-password link sent before a new start email: %v, want ErrResetLinkInvalid", err)
	}
}

// An operator's email correction leaves nothing for the old address: no
// waiting email of any kind, and the lost-password link sent there no
// longer works (the old address may be someone else's).
func TestEmailCorrectionEndsTheOldAddressLinks(t *testing.T) {
	ctx := context.Background()
	p, _ := newLoggedPortal(t)
	_, admin := mailContract(t, p, "en", "elise@lefevre.example", time.Time{})
	added, err := p.svc.AddUser(ctx, admin, portal.NewUser{Email: "marc@lefevre.exmaple", Name: "Marc", Products: []string{"quill"}, Benefits: []string{"download"}})
	if err != nil {
		t.Fatal(err)
	}
	askReset(t, p, "marc@lefevre.exmaple")
	p.svc.WaitPasswordResets()
	token := latestResetToken(t, p, "marc@lefevre.exmaple")
	sent, err := p.svc.OperatorSetEmail(ctx, portal.EmailCorrection{User: added.UserID, Email: "marc@lefevre.example"}, "operator:test")
	if err != nil {
		t.Fatal(err)
	}
	if sent.StartsOn != nil || sent.Expires.IsZero() {
		t.Errorf("on a started contract: %+v, want a start email sent now", sent)
	}
	if e := emailsTo(t, p, "marc@lefevre.exmaple", ""); len(e) != 0 {
		t.Errorf("emails still waiting for the old address: %+v", e)
	}
	if _, err := p.svc.ResetPassword(ctx, token, "a long and unusual passphrase 7"); !errors.Is(err, portal.ErrResetLinkInvalid) {
		t.Errorf("the old address's lost-password link: %v, want ErrResetLinkInvalid", err)
	}
	if e := emailsTo(t, p, "marc@lefevre.example", "start"); len(e) != 1 {
		t.Errorf("%d start emails to the corrected address, want 1", len(e))
	}
}

// Before its contract starts an account has nothing to sign in to: a
// lost-password request sends nothing (the answer is the same), and an
// email correction says the start email goes to the new address at the
// start, sending nothing now.
func TestOrderedContractSendsNothingEarly(t *testing.T) {
	ctx := context.Background()
	p, log := newLoggedPortal(t)
	day := time.Now().UTC().Add(72 * time.Hour).Truncate(24 * time.Hour)
	c, admin := mailContract(t, p, "en", "elise@lefevre.example", day)
	if code, _ := askReset(t, p, "elise@lefevre.example"); code != 202 {
		t.Fatalf("reset request: %d", code)
	}
	p.svc.WaitPasswordResets()
	if n := outboxTo(t, p, "elise@lefevre.example", "password_reset"); n != 0 {
		t.Errorf("%d lost-password emails before the contract started", n)
	}
	if !strings.Contains(log.String(), "password_reset_not_started") {
		t.Errorf("the refusal is not logged:\n%s", log.String())
	}
	sent, err := p.svc.OperatorSetEmail(ctx, portal.EmailCorrection{User: admin.ID, Email: "elise.lefevre@lefevre.example"}, "operator:test")
	if err != nil {
		t.Fatal(err)
	}
	if sent.StartsOn == nil || !sent.StartsOn.Equal(c.Starts) || !sent.Expires.IsZero() {
		t.Errorf("an email correction before the start: %+v, want StartsOn %s and no expiry", sent, c.Starts)
	}
	if e := emailsTo(t, p, "elise.lefevre@lefevre.example", "start"); len(e) != 0 {
		t.Errorf("a start email before the contract started: %+v", e)
	}
}
