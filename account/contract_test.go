package account

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/portal"
)

// The contract chosen goes with every signed-in request, downloads
// included, and only to the service's own origin with the token.
func TestContractChosenOnRequests(t *testing.T) {
	_, c := startService(t)
	ctx := context.Background()
	me, err := c.WhoAmI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	own := me.User.ContractID
	for _, tc := range []struct {
		name, contract string
	}{
		{"none", ""},
		{"own", own},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.SetContract(tc.contract)
			if got := c.Contract(); got != tc.contract {
				t.Fatalf("Contract() = %q", got)
			}
			me, err := c.WhoAmI(ctx)
			if err != nil || me.User.ContractID != own {
				t.Fatalf("whoami: %v %+v", err, me)
			}
			h, err := c.DownloadHeader(ctx, c.PackageBase()+"packages/atlas.zip")
			if err != nil {
				t.Fatal(err)
			}
			if got := h.Get(api.ContractHeader); got != tc.contract {
				t.Errorf("download header %s = %q, want %q", api.ContractHeader, got, tc.contract)
			}
			h, err = c.DownloadHeader(ctx, "https://mirror.example.com/atlas.zip")
			if err != nil || h != nil {
				t.Errorf("a header for another origin: %v %v", h, err)
			}
			list, err := c.Memberships(ctx)
			if err != nil || len(list) != 1 || list[0].ContractID != own {
				t.Fatalf("memberships: %v %+v", err, list)
			}
		})
	}
}

// The service's not_a_member answer is ErrNotMember, not a refusal of
// rights (ErrForbidden): the contract is to be chosen again.
func TestNotMemberProblem(t *testing.T) {
	resp := &http.Response{StatusCode: http.StatusForbidden, Header: http.Header{}}
	err := problemFrom(resp, []byte(`{"code":"not_a_member","detail":"not a member of this contract"}`))
	if !errors.Is(err, ErrNotMember) || errors.Is(err, ErrForbidden) {
		t.Fatalf("not_a_member: %v (ErrNotMember %v, ErrForbidden %v)", err, errors.Is(err, ErrNotMember), errors.Is(err, ErrForbidden))
	}
	err = problemFrom(resp, []byte(`{"code":"forbidden","detail":"admins only"}`))
	if errors.Is(err, ErrNotMember) || !errors.Is(err, ErrForbidden) {
		t.Fatalf("forbidden: %v", err)
	}
}

// A contract that is not the person's is refused by the service as
// not_a_member: a *NotMemberError naming it. Memberships still answers,
// and signing out everywhere is not stopped by it.
func TestNotMemberOfChosenContract(t *testing.T) {
	_, c := startService(t)
	ctx := context.Background()
	c.SetContract("C-NOT-HERS")
	_, err := c.WhoAmI(ctx)
	var ne *NotMemberError
	if !errors.As(err, &ne) || ne.Contract != "C-NOT-HERS" || !errors.Is(err, ErrNotMember) || errors.Is(err, ErrForbidden) {
		t.Fatalf("whoami on another contract: %v", err)
	}
	if _, err := c.Seats(ctx); !errors.Is(err, ErrNotMember) {
		t.Fatalf("seats on another contract: %v", err)
	}
	list, err := c.Memberships(ctx)
	if err != nil || len(list) != 1 || list[0].ContractID == "C-NOT-HERS" {
		t.Fatalf("memberships: %v %+v", err, list)
	}
	if err := c.SignOutEverywhere(ctx); err != nil {
		t.Fatalf("sign-out everywhere with a contract not hers chosen: %v", err)
	}
}

// Seats count against the contract chosen: a manager of two contracts
// makes a seat key on the second, a machine registers with it, and the
// seat is the second contract's alone.
func TestSeatsOnChosenContract(t *testing.T) {
	d, c := startService(t)
	ctx := context.Background()
	me, err := c.WhoAmI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := me.User.ContractID
	second, _, err := d.Service.CreateContract(ctx, portal.ContractRequest{Company: "Globex", ManagerEmail: me.User.Email,
		Products: []portal.Seats{{Product: "atlas", Seats: 2}}, Plan: portal.PlanStandard}, "test")
	if err != nil {
		t.Fatalf("the manager joins a second contract: %v", err)
	}
	list, err := c.Memberships(ctx)
	if err != nil || len(list) != 2 || list[0].ContractID != first || list[1].ContractID != second.ID {
		t.Fatalf("memberships: %v %+v", err, list)
	}
	c.SetContract(second.ID)
	key, _, err := c.CreateSeatKey(ctx, []string{"atlas"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := RegisterSeatWithKey(ctx, d.URL, key, "machine-0001", "pc-1", "atlas"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		contract string
		seats    int
	}{{second.ID, 1}, {first, 0}} {
		c.SetContract(tc.contract)
		seats, err := c.Seats(ctx)
		if err != nil || len(seats) != tc.seats {
			t.Errorf("seats of %s: %v, %d, want %d", tc.contract, err, len(seats), tc.seats)
		}
	}
}
