package setup

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/portal"
)

// DemoOptions is what the demo needs: the demo catalog, signed and parsed,
// and its packages (the caller brings them: this package must not import
// the assets, which carry Fyne).
type DemoOptions struct {
	SignedCatalog []byte
	Catalog       *catalog.Catalog
	Packages      portal.PackageSource
}

// Demo is the embedded demo account service, the same for the window and
// the CLI, with a client whose sessions stay in memory (a machine without
// a keyring runs the demo too).
type Demo struct {
	*portal.Demo
	Client *account.Client
	dir    string
}

// StartDemo runs the demo account service on loopback, with its database
// in a temporary folder that Close removes.
func StartDemo(ctx context.Context, o DemoOptions) (*Demo, error) {
	dir, err := os.MkdirTemp("", "onramp-demo-")
	if err != nil {
		return nil, err
	}
	d, err := portal.StartDemo(ctx, portal.DemoOptions{Dir: dir, SignedCatalog: o.SignedCatalog, Catalog: o.Catalog, Packages: o.Packages})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c, err := account.NewWithTokens(d.URL, account.NewMemoryTokenStore())
	if err != nil {
		d.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	return &Demo{Demo: d, Client: c, dir: dir}, nil
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

// Close stops the service and removes its database.
func (d *Demo) Close() error {
	err := d.Demo.Close()
	if rerr := os.RemoveAll(d.dir); err == nil {
		err = rerr
	}
	return err
}
