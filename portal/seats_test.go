package portal

import (
	"context"
	"errors"
	"testing"
)

// A seat's hostname and machine ID come from the machine: bounded and
// free of control characters, as every listed text is.
func TestSeatTextIsChecked(t *testing.T) {
	p := newTestPortal(t)
	_, m := p.admin(t, "mgr@x.example", "atlas")
	key, _, err := p.svc.CreateSeatKey(context.Background(), m, []string{"atlas"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, machine, host string }{
		{"hostname-escape", "machine-0001", "pc\x1b]0;pwn\x07"},
		{"hostname-bidi", "machine-0001", "pc\u202e"},
		{"machine-nul", "machine\x000001", "pc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var inv *InvalidError
			if _, _, err := p.svc.RegisterSeatWithKey(context.Background(), key, SeatRegistration{MachineID: tc.machine, Hostname: tc.host, Product: "atlas"}); !errors.As(err, &inv) {
				t.Errorf("got %v, want an InvalidError", err)
			}
		})
	}
}
