package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"onramp.dev/onramp/portal"
)

// bigContract orders a contract with many seats of atlas and returns its
// manager's full session.
func (p *testPortal) bigContract(t testing.TB, email string, seats int) (token, userID string) {
	t.Helper()
	_, m, err := p.svc.CreateContract(context.Background(), portal.ContractRequest{Company: "Big " + email, ManagerEmail: email,
		Products: []portal.Seats{{Product: "atlas", Seats: seats}}, Plan: portal.PlanStandard}, "test")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := p.store.Outbox(context.Background(), true)
	for _, e := range out {
		if e.To == email && e.Kind == "start" {
			return p.activate(t, m.ID, tempPassRe.FindStringSubmatch(e.Body)[1]), m.ID
		}
	}
	t.Fatal("no start email")
	return "", ""
}

// Eight imports of 500 users at once, with sign-ins beside them, on one
// SQLite file: contention waits, it never answers 500.
func TestConcurrentImportsAndSignIns(t *testing.T) {
	p := serveWith(t, ServerOptions{}, nil)
	token, uid := p.bigContract(t, "mgr@x.example", 10_000)
	const imports, lines, signIns = 8, 500, 8
	var wg sync.WaitGroup
	importCodes := make([]int, imports)
	signInCodes := make([]int, signIns)
	for i := range imports {
		wg.Go(func() {
			var b strings.Builder
			b.WriteString("email,name,products,benefits\n")
			for j := range lines {
				fmt.Fprintf(&b, "i%d-u%d@x.example,User %d,atlas,download\n", i, j, j)
			}
			importCodes[i], _ = p.importCSV(t, token, b.String(), false)
		})
	}
	for i := range signIns {
		wg.Go(func() {
			signInCodes[i] = p.call(t, "POST", "/api/v1/session", "", map[string]string{"login": uid, "password": "a long enough passphrase"}, nil)
		})
	}
	wg.Wait()
	for i, c := range importCodes {
		if c != 200 {
			t.Errorf("import %d: %d", i, c)
		}
	}
	for i, c := range signInCodes {
		if c != 200 {
			t.Errorf("sign-in %d: %d", i, c)
		}
	}
	var n int
	if err := rawDB(t, p).QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil || n != 1+imports*lines {
		t.Errorf("%d users in the file (%v), want %d", n, err, 1+imports*lines)
	}
}
