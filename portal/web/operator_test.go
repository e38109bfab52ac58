package web

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// A contract's only manager whose temporary password was used up by one
// refused new password is told to contact support, not to ask a contract
// manager (themselves); the operator's new start email gets them in.
func TestStuckManagerOperatorResend(t *testing.T) {
	p, log := newLoggedPortal(t)
	ctx := context.Background()
	uid, temp := p.newContract(t, "ana@acme.example", "atlas")
	code, s, _ := signIn(p, uid, temp)
	if code != 200 {
		t.Fatalf("first sign-in: %d", code)
	}
	if code := p.call(t, "POST", "/api/v1/password", s.AccessToken, map[string]string{"current_password": temp, "new_password": "short"}, nil); code != 422 {
		t.Fatalf("a refused new password: %d", code)
	}
	code, _, prob := signIn(p, uid, temp)
	if code != 401 || prob.Code != "temporary_password_used" || prob.Ask != "support" ||
		!strings.Contains(prob.Detail, "contact support") || strings.Contains(prob.Detail, "ask your contract manager") {
		t.Fatalf("the stuck manager is told: %d %+v", code, prob)
	}
	if u := mustUser(t, p, uid); !strings.Contains(u.PasswordState(time.Now()), "used up") {
		t.Errorf("users show would say %q", u.PasswordState(time.Now()))
	}
	sent, err := p.svc.OperatorSendStartEmail(ctx, "ANA@acme.example", "", "operator:test")
	if err != nil || sent.UserID != uid {
		t.Fatalf("operator resend: %+v %v", sent, err)
	}
	_, next := p.newStartEmail(t, "ana@acme.example")
	if code, s, _ := signIn(p, uid, next); code != 200 || !s.MustChangePassword {
		t.Fatalf("the new start email: %d", code)
	} else if code := p.call(t, "POST", "/api/v1/password", s.AccessToken, map[string]string{"current_password": next, "new_password": "a long enough passphrase"}, nil); code != 204 {
		t.Fatalf("the new password: %d", code)
	}
	if !strings.Contains(log.String(), "event=operator_resend_start") || !strings.Contains(log.String(), "actor=operator:test") {
		t.Errorf("the security log lacks the operator's resend:\n%s", log.String())
	}
	audit, _ := p.store.Audit(ctx, mustUser(t, p, uid).ContractID, 10)
	found := false
	for _, a := range audit {
		found = found || (a.Actor == "operator:test" && a.Action == "user.start_email")
	}
	if !found {
		t.Errorf("the audit table lacks the operator's resend: %+v", audit)
	}

	// A user who is not a manager is told to ask an admin.
	_, ms, _ := signIn(p, uid, "a long enough passphrase")
	mgr := ms.AccessToken
	var added portal.Change
	p.call(t, "POST", "/api/v1/users", mgr, portal.NewUser{Email: "bo@acme.example", Products: []string{"atlas"}}, &added)
	bo, boTemp := p.newStartEmail(t, "bo@acme.example")
	signIn(p, bo, boTemp)
	if _, _, prob := signIn(p, bo, boTemp); prob.Ask != "admin" || !strings.Contains(prob.Detail, "ask your contract manager") {
		t.Errorf("a plain user is told: %+v", prob)
	}
}

// An admin's new start email to a user who has chosen their own password
// asks for end_sessions (409 without it); with it, it goes and the user's
// sessions end. A user still on a temporary password needs no confirmation.
func TestResendToActiveUserNeedsConfirmation(t *testing.T) {
	p := newTestPortal(t)
	mgr, _ := p.admin(t, "ana@acme.example", "atlas")
	p.call(t, "POST", "/api/v1/users", mgr, portal.NewUser{Email: "bo@acme.example", Products: []string{"atlas"}}, nil)
	bo, _ := p.newStartEmail(t, "bo@acme.example")
	if code := p.call(t, "POST", "/api/v1/users/"+bo+"/start-email", mgr, nil, nil); code != 202 {
		t.Fatalf("to a user on a temporary password: %d", code)
	}
	boTemp := mustLatestTemp(t, p, "bo@acme.example")
	boSession := p.activate(t, bo, boTemp)
	var prob Problem
	if code := p.call(t, "POST", "/api/v1/users/"+bo+"/start-email", mgr, nil, &prob); code != 409 || prob.Code != "end_sessions_required" || !strings.Contains(prob.Detail, "ends every session") {
		t.Fatalf("to an active user without confirmation: %d %+v", code, prob)
	}
	if code := p.call(t, "GET", "/api/v1/me", boSession, nil, nil); code != 200 {
		t.Fatalf("the refused resend ended bo's session: %d", code)
	}
	if code := p.call(t, "POST", "/api/v1/users/"+bo+"/start-email", mgr, map[string]bool{"end_sessions": false}, &prob); code != 409 {
		t.Errorf("end_sessions false: %d", code)
	}
	if code := p.call(t, "POST", "/api/v1/users/"+bo+"/start-email", mgr, map[string]bool{"end_sessions": true}, nil); code != 202 {
		t.Fatalf("with end_sessions: %d", code)
	}
	if code := p.call(t, "GET", "/api/v1/me", boSession, nil, nil); code != 401 {
		t.Errorf("bo's session after the confirmed resend: %d", code)
	}
}

// The operator corrects an address (a new start email goes to the new
// one; an address in use is refused), changes roles (a contract keeps a
// manager), and changes a contract's seats, callers cap, end and
// manager's address.
func TestOperatorCommands(t *testing.T) {
	p := newTestPortal(t)
	ctx := context.Background()
	uid, _ := p.newContract(t, "dan@delta.exmaple", "atlas")
	p.newContract(t, "eve@other.example", "atlas")
	u := mustUser(t, p, uid)

	if _, err := p.svc.OperatorSetEmail(ctx, portal.EmailCorrection{User: uid, Email: "eve@other.example"}, "operator:test"); !errors.Is(err, portal.ErrEmailTaken) {
		t.Errorf("an address in use: %v", err)
	}
	var inv *portal.InvalidError
	if _, err := p.svc.OperatorSetEmail(ctx, portal.EmailCorrection{User: uid, Email: "not an address"}, "operator:test"); !errors.As(err, &inv) {
		t.Errorf("not an address: %v", err)
	}
	if _, err := p.svc.OperatorSetRole(ctx, uid, portal.RoleUser, "", "operator:test"); !errors.As(err, &inv) || inv.Problems[0].Code != "last_manager" {
		t.Errorf("the last manager made a user: %v", err)
	}
	if _, err := p.svc.FindUser(ctx, "nobody@acme.example"); !errors.Is(err, portal.ErrNotFound) {
		t.Errorf("an unknown user: %v", err)
	}

	ends := time.Date(2031, 1, 31, 0, 0, 0, 0, time.UTC)
	callers := 3
	d, err := p.svc.UpdateContract(ctx, u.ContractID, portal.ContractUpdate{Seats: map[string]int{"": 9}, CallerCap: &callers, Ends: ends,
		ManagerEmail: "dan@delta.example"}, "operator:test")
	if err != nil {
		t.Fatal(err)
	}
	if d.Contract.Products[0].Seats != 9 || d.Contract.CallerCap != 3 || !d.Contract.Ends.Equal(ends) || d.Managers[0].Email != "dan@delta.example" {
		t.Errorf("the updated contract: %+v %+v", d.Contract, d.Managers[0])
	}
	if got, _ := p.newStartEmail(t, "dan@delta.example"); got != uid {
		t.Errorf("no start email to the corrected address")
	}
	unsent, _ := p.store.Outbox(ctx, true)
	for _, e := range unsent {
		if e.To == "dan@delta.exmaple" && e.Kind == "start" {
			t.Errorf("the start email to the mistyped address is still queued")
		}
	}
	if _, err := p.svc.UpdateContract(ctx, u.ContractID, portal.ContractUpdate{Seats: map[string]int{"quill": 3}}, "operator:test"); !errors.As(err, &inv) {
		t.Errorf("seats of a product not on the contract: %v", err)
	}
	if _, err := p.svc.UpdateContract(ctx, u.ContractID, portal.ContractUpdate{Ends: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)}, "operator:test"); !errors.As(err, &inv) {
		t.Errorf("an end before the start: %v", err)
	}
	if _, err := p.svc.UpdateContract(ctx, u.ContractID, portal.ContractUpdate{Seats: map[string]int{"": 0}}, "operator:test"); !errors.As(err, &inv) {
		t.Errorf("no seats: %v", err)
	}
	if _, err := p.svc.UpdateContract(ctx, u.ContractID, portal.ContractUpdate{Language: "de"}, "operator:test"); !errors.As(err, &inv) {
		t.Errorf("a language emails are not written in: %v", err)
	}
	if d, err := p.svc.UpdateContract(ctx, u.ContractID, portal.ContractUpdate{Language: "fr"}, "operator:test"); err != nil || d.Contract.Language != "fr" {
		t.Errorf("the contract's language: %+v %v", d, err)
	} else if c, err := p.store.Contract(ctx, u.ContractID); err != nil || c.Language != "fr" {
		t.Errorf("the stored language: %+v %v", c, err)
	}

	// A second manager, then the first may become a coordinator.
	mgr := p.activate(t, uid, mustLatestTemp(t, p, "dan@delta.example"))
	var added portal.Change
	p.call(t, "POST", "/api/v1/users", mgr, portal.NewUser{Email: "fay@delta.example"}, &added)
	if _, err := p.svc.OperatorSetRole(ctx, "fay@delta.example", portal.RoleManager, "", "operator:test"); err != nil {
		t.Fatal(err)
	}
	if changed, err := p.svc.OperatorSetRole(ctx, uid, portal.RoleCoordinator, "", "operator:test"); err != nil || changed.Role != portal.RoleCoordinator {
		t.Errorf("with two managers: %+v %v", changed, err)
	}
	if _, err := p.svc.UpdateContract(ctx, u.ContractID, portal.ContractUpdate{ManagerEmail: "x@delta.example"}, "operator:test"); err != nil {
		t.Errorf("the only manager's address, now fay's: %v", err)
	}
	if r, err := portal.ParseRole("Coordinator"); err != nil || r != portal.RoleCoordinator {
		t.Errorf("ParseRole: %v %v", r, err)
	}
	if _, err := portal.ParseRole("admin"); err == nil {
		t.Error("ParseRole(admin) works")
	}
}
