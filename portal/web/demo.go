package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/portal"
)

// DemoOptions is what the embedded demo service needs: the caller (package
// demo) brings the signed catalog and the package bytes from assets, so
// the service serves whatever catalog it is given and imports none of the
// front ends' packages.
type DemoOptions struct {
	Dir           string // the SQLite file goes here; the caller removes it
	SignedCatalog []byte
	Catalog       *catalog.Catalog
	Packages      portal.PackageSource
}

// Demo is a running demo account service on loopback: one advanced-support
// contract for every product of the catalog, its manager still on the
// temporary password, and a few users for the admin screens.
type Demo struct {
	URL          string // http://127.0.0.1:PORT
	Company      string
	ManagerID    string
	TempPassword string
	StartEmail   string // the start email as the manager received it
	Service      *portal.Service
	Store        *portal.SQLStore
	srv          *Server
}

// demoUsers is the list an admin would import on day one: a coordinator
// and two users with the first products of the catalog.
func demoUsers(c *catalog.Catalog) string {
	first := c.Products[0].ID
	two := first
	if len(c.Products) > 1 {
		two += ";" + c.Products[1].ID
	}
	return "email,name,role,products,benefits\n" +
		"ines.moreau@example.com,Inès Moreau,software_coordinator,,\n" +
		"li.wei@example.com,Li Wei,user," + first + ",download;install;web_support\n" +
		"sam.okafor@example.com,Sam Okafor,user," + two + ",download;install;web_support\n"
}

var tempPasswordLine = regexp.MustCompile(`(?m)^Temporary password: (\S+)$`)

// StartDemo opens a fresh database in o.Dir, records the demo contract and
// serves the API on a loopback port until Close.
func StartDemo(ctx context.Context, o DemoOptions) (*Demo, error) {
	store, err := portal.OpenSQLite(ctx, filepath.Join(o.Dir, "demo-account-service.db"))
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("demo account service: %w", err)
	}
	url := "http://" + ln.Addr().String()
	d, err := seedDemo(ctx, store, o, url)
	if err != nil {
		ln.Close()
		store.Close()
		return nil, err
	}
	d.srv = NewServer(NewHandler(d.Service, o.Packages), ServerOptions{})
	go d.srv.Serve(ln)
	return d, nil
}

// demoProfile is the demo publisher's: contacts at reserved example names.
var demoProfile = portal.Profile{Publisher: "Demo Publisher", Support: portal.ProfileSupport{Web: "https://support.example.com",
	Email: "support@example.com", Phone: "+1 555 0100", Hours: "Monday to Friday, 8:00 to 18:00 CET"}}

func seedDemo(ctx context.Context, store *portal.SQLStore, o DemoOptions, url string) (*Demo, error) {
	svc := portal.NewService(store, o.SignedCatalog, o.Catalog, url, portal.WithProfile(demoProfile))
	if len(o.Catalog.Products) == 0 {
		return nil, errors.New("demo: the catalog has no products")
	}
	var seats []portal.Seats
	for _, p := range o.Catalog.Products {
		seats = append(seats, portal.Seats{Product: p.ID, Seats: 25})
	}
	const company = "Demo Engineering Ltd"
	c, manager, err := svc.CreateContract(ctx, portal.ContractRequest{Company: company, ManagerEmail: "alex.martin@example.com",
		ManagerName: "Alex Martin", Products: seats, Plan: portal.PlanAdvanced, CallerCap: 2}, "demo")
	if err != nil {
		return nil, fmt.Errorf("demo contract: %w", err)
	}
	if _, err := svc.ImportUsers(ctx, manager, []byte(demoUsers(o.Catalog)), false); err != nil {
		return nil, fmt.Errorf("demo users: %w", err)
	}
	emails, err := store.Outbox(ctx, true)
	if err != nil {
		return nil, err
	}
	d := &Demo{URL: url, Company: c.Company, ManagerID: manager.ID, Service: svc, Store: store}
	for _, e := range emails {
		if e.Kind == "start" && e.To == manager.Email {
			d.StartEmail = e.Body
			if m := tempPasswordLine.FindStringSubmatch(e.Body); m != nil {
				d.TempPassword = m[1]
			}
		}
	}
	if d.TempPassword == "" {
		return nil, errors.New("demo contract: the start email has no temporary password")
	}
	return d, nil
}

// Close stops serving and closes the database.
func (d *Demo) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	d.srv.Shutdown(ctx)
	return d.Store.Close()
}
