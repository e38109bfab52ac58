// Package demo runs the embedded demo account service: the reference
// service (package portal, with SQLite) on a loopback port, seeded with a
// demo contract and the demo catalog. Only development builds link it
// (cmd/assistant with -tags demo, and tests): a release carries no
// service code.
package demo

import (
	"context"
	"os"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/portal/web"
	"onramp.dev/onramp/setup"
)

// Start runs the demo account service on loopback, with its database in a
// temporary folder that the returned Demo's Close removes.
func Start(ctx context.Context) (*setup.Demo, error) {
	c, err := catalog.Parse(assets.DemoCatalogJSON())
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "onramp-demo-")
	if err != nil {
		return nil, err
	}
	d, err := web.StartDemo(ctx, web.DemoOptions{Dir: dir, SignedCatalog: assets.DemoSignedCatalog(), Catalog: c, Packages: assets.DemoPackageSource})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	client, err := account.NewWithTokens(d.URL, account.NewMemoryTokenStore())
	if err != nil {
		d.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	return &setup.Demo{URL: d.URL, Company: d.Company, ManagerID: d.ManagerID, TempPassword: d.TempPassword, StartEmail: d.StartEmail,
		Client: client,
		Stop: func() error {
			err := d.Close()
			if rerr := os.RemoveAll(dir); err == nil {
				err = rerr
			}
			return err
		}}, nil
}
