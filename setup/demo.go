package setup

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"onramp.dev/onramp/account"
)

// Demo is a running demo account service, as the window and the CLI see
// it: where it listens, its contract, and a client whose sessions stay in
// memory (a machine without a keyring runs the demo too). The service
// itself lives in package demo, which only development builds link: a
// release carries no service code.
type Demo struct {
	URL          string // http://127.0.0.1:PORT
	Company      string
	ManagerID    string
	TempPassword string
	StartEmail   string // the start email as the manager received it
	Client       *account.Client
	// Stop stops the service and removes its data.
	Stop func() error
}

// SignIn signs the demo's contract manager in, choosing a new password at
// random for the first sign-in: the CLI has no one to ask, and the demo
// lives no longer than the command.
func (d *Demo) SignIn(ctx context.Context) error {
	err := d.Client.SignIn(ctx, d.ManagerID, d.TempPassword)
	if errors.Is(err, account.ErrPasswordChangeRequired) {
		err = d.Client.ChangePassword(ctx, d.TempPassword, "demo "+rand.Text())
	}
	if err != nil {
		return fmt.Errorf("demo account service: %w", err)
	}
	return nil
}

// Close stops the service.
func (d *Demo) Close() error {
	if d.Stop == nil {
		return nil
	}
	return d.Stop()
}
