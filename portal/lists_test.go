package portal

import (
	"context"
	"errors"
	"testing"

	"onramp.dev/onramp/api"
)

// A contract holds at most its bound of users: an import past it is
// refused whole, naming the bound.
func TestContractUserBound(t *testing.T) {
	store, _ := openTestStore(t)
	signed, c := testCatalog(t)
	svc := NewService(store, signed, c, "https://127.0.0.1/signin", WithMaxContractUsers(3))
	_, m, err := svc.CreateContract(context.Background(), ContractRequest{Company: "Small", ManagerEmail: "boss@example.com",
		Products: []Seats{{Product: "atlas", Seats: 5}}, Plan: PlanStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ImportUsers(context.Background(), m, []byte("email\na@example.com\nb@example.com\n"), false); err != nil {
		t.Fatal(err)
	}
	_, err = svc.ImportUsers(context.Background(), m, []byte("email\nc@example.com\nd@example.com\n"), false)
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Rows) != 1 || ie.Rows[0].Code != api.RowContractFull || ie.Rows[0].Limit != 3 || ie.Rows[0].Count != 5 || ie.Rows[0].Line != 2 {
		t.Fatalf("past the bound: %v", err)
	}
	users, err := svc.Users(context.Background(), m)
	if err != nil || len(users) != 3 {
		t.Fatalf("%d users (%v), want 3", len(users), err)
	}
}
