// Package setup owns the workflows both front ends call: where packages
// come from (the signed-in account service, a signed catalog file with a
// base address, or the embedded demo service), the one package cache, each
// product's state on this machine, and every action of a product's life
// here: check, download, plan, install, update, uninstall, verify, repair,
// rollback, and multi-seat deployments with seat registration.
//
// cli adds flags, printing and exit codes; ui adds widgets and
// words. Neither re-implements a workflow, and this package knows neither:
// it returns typed, wrapped errors and reports progress as Events.
package setup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/installer"
)

// Errors callers branch on.
var (
	// ErrNoBase: a catalog's package URL is relative and the source has no
	// address to resolve it against (a catalog file without a base).
	ErrNoBase = errors.New("the catalog's package URL is relative and no base address is known")
	// ErrNoPackage: the release has no package for the platform.
	ErrNoPackage = errors.New("no package for this platform")
	// ErrRequirements: the machine check found an unmet requirement
	// (RequirementsError carries the report).
	ErrRequirements = errors.New("this machine does not meet the requirements")
	// ErrNotInCatalog: a package file's hash is not one the catalog lists.
	ErrNotInCatalog = errors.New("the package is not one the catalog lists")
	// ErrNoSource: the action needs a catalog and none was opened.
	ErrNoSource = errors.New("no catalog: sign in, or name a signed catalog")
	// ErrNoLaunch: the installed product names no program to start.
	ErrNoLaunch = errors.New("the product names no program to start")
	// ErrNoVerifiedCopy: repair found no copy of the installed version's
	// package with its SHA-256, and no source to download it from
	// (NoCopyError names the places looked in).
	ErrNoVerifiedCopy = errors.New("no verified copy of the package")
	// ErrNotSignedIn: the action needs the account service's session.
	ErrNotSignedIn = errors.New("this needs a session with the account service")
)

// OpenFunc verifies a signed catalog against the keys the front end trusts
// (and its catalog history), and parses it.
type OpenFunc func(signed []byte) (*catalog.Catalog, error)

// Source is where products and packages come from: the catalog, verified,
// and how its package URLs are fetched.
type Source struct {
	Catalog *catalog.Catalog
	// Signed is the envelope as it was served or read: deployment folders
	// carry it, for the seats to verify.
	Signed []byte
	client *account.Client
	base   string
}

// FromAccount fetches the signed catalog from the account service the
// client is signed in to; packages come from that service with the
// client's access token.
func FromAccount(ctx context.Context, c *account.Client, open OpenFunc) (*Source, error) {
	signed, err := c.SignedCatalog(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog from %s: %w", c.Server(), err)
	}
	cat, err := open(signed)
	if err != nil {
		return nil, fmt.Errorf("catalog from %s: %w", c.Server(), err)
	}
	return &Source{Catalog: cat, Signed: signed, client: c, base: c.PackageBase()}, nil
}

// FromFile opens a signed catalog file's bytes; relative package URLs
// resolve against base ("" when the catalog has only absolute ones).
func FromFile(signed []byte, base string, open OpenFunc) (*Source, error) {
	cat, err := open(signed)
	if err != nil {
		return nil, err
	}
	return &Source{Catalog: cat, Signed: signed, base: base}, nil
}

// Account is the account service's client of a source from the service,
// nil for a catalog file.
func (s *Source) Account() *account.Client {
	if s == nil {
		return nil
	}
	return s.client
}

// request describes the transfer of one package: its URL resolved against
// the source, and with the account service a current access token (asked
// for each time: it is renewed as it nears expiry) when the URL is on the
// service's own origin, never elsewhere.
func (s *Source) request(ctx context.Context, pkg catalog.Package, dest string) (downloader.Request, error) {
	u, err := ResolveURL(s.base, pkg.URL)
	if err != nil {
		return downloader.Request{}, err
	}
	var h http.Header
	if s.client != nil {
		if h, err = s.client.DownloadHeader(ctx, u); err != nil {
			return downloader.Request{}, err
		}
	}
	return downloader.Request{URL: u, SHA256: pkg.SHA256, Size: pkg.Size, Dest: dest, Header: h}, nil
}

// ResolveURL makes a catalog's package URL absolute against base.
func ResolveURL(base, ref string) (string, error) {
	r, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("package URL %q: %w", ref, err)
	}
	if r.IsAbs() {
		return ref, nil
	}
	if base == "" {
		return "", fmt.Errorf("package URL %q: %w", ref, ErrNoBase)
	}
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() {
		return "", fmt.Errorf("base address %q: want an absolute URL: %w", base, ErrNoBase)
	}
	return b.ResolveReference(r).String(), nil
}

// Options configure a Setup. Zero values mean the defaults of this user.
type Options struct {
	// CacheDir is the package cache both front ends share (default
	// DefaultCacheDir()).
	CacheDir string
	// StateDir holds the installer's receipts ("" = the installer's default).
	StateDir string
	// TargetRoot is where products go by default, one folder each
	// (default installer.DefaultUserTarget()).
	TargetRoot string
	// Platform packages are chosen for (default this machine's).
	Platform catalog.Platform
	// RateLimit caps downloads in bytes per second; 0 for none.
	RateLimit int64
	// CABundle adds root certificates (TLS inspection proxies).
	CABundle string
	// Durable puts each downloaded file on disk before it is promoted
	// (downloader.Options.Durable).
	Durable bool
	// StallTimeout is downloader.Options.StallTimeout (0: its default).
	StallTimeout time.Duration
	// Scope and AllowNonEmptyTarget are passed to the installer.
	Scope               installer.Scope
	AllowNonEmptyTarget bool
	// ZipCodePage is passed to the installer: the code page of zip names
	// written without the UTF-8 flag ("" for UTF-8 or CP437).
	ZipCodePage string
	// Progress receives every long operation's events; nil for none. It
	// is called from the operation's goroutine.
	Progress func(Event)
}

// DefaultCacheDir is the package cache of this user: Onramp/packages in
// the user's cache folder.
func DefaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "Onramp", "packages")
	}
	return filepath.Join(os.TempDir(), "onramp-packages")
}

// Setup runs the workflows for one source (nil for the actions on what is
// installed: uninstall, verify, repair, rollback).
type Setup struct {
	src *Source
	opt Options
}

// New makes a Setup.
func New(src *Source, opt Options) *Setup {
	if opt.CacheDir == "" {
		opt.CacheDir = DefaultCacheDir()
	}
	if opt.TargetRoot == "" {
		opt.TargetRoot = installer.DefaultUserTarget()
	}
	if opt.Platform == "" {
		opt.Platform = catalog.CurrentPlatform()
	}
	return &Setup{src: src, opt: opt}
}

// Source is the setup's source (nil when none was opened).
func (s *Setup) Source() *Source { return s.src }

// Catalog is the source's catalog, or ErrNoSource.
func (s *Setup) Catalog() (*catalog.Catalog, error) {
	if s.src == nil || s.src.Catalog == nil {
		return nil, ErrNoSource
	}
	return s.src.Catalog, nil
}

// DefaultTarget is where a product goes unless told otherwise.
func (s *Setup) DefaultTarget(product string) string {
	return filepath.Join(s.opt.TargetRoot, product)
}

// CacheDir is the package cache.
func (s *Setup) CacheDir() string { return s.opt.CacheDir }

// cachePath is where the cache keeps a package: by the name its URL ends
// with (as people find it in the folder), or by its hash when the URL ends
// in no usable name.
func (s *Setup) cachePath(pkg catalog.Package) string {
	name := pkg.SHA256
	if u, err := url.Parse(pkg.URL); err == nil {
		if b := path.Base(u.Path); b != "." && b != "/" && b != "" && b != ".." {
			name = b
		}
	}
	return filepath.Join(s.opt.CacheDir, name)
}

func (s *Setup) emit(ev Event) {
	if s.opt.Progress != nil {
		s.opt.Progress(ev)
	}
}

func (s *Setup) installer(product string) (*installer.Installer, error) {
	return installer.New(installer.Options{StateDir: s.opt.StateDir, Scope: s.opt.Scope, AllowNonEmptyTarget: s.opt.AllowNonEmptyTarget,
		ZipCodePage: s.opt.ZipCodePage, Progress: func(p installer.Progress) {
			s.emit(Event{Step: Step(p.Step), Product: product, Done: int64(p.Files), Total: int64(p.Total), Bytes: p.Bytes, Plan: p.Plan})
		}})
}

func (s *Setup) downloader(product string) (*downloader.Client, error) {
	return downloader.New(downloader.Options{RateLimit: s.opt.RateLimit, CABundle: s.opt.CABundle, Durable: s.opt.Durable, StallTimeout: s.opt.StallTimeout, Progress: func(p downloader.Progress) {
		s.emit(Event{Step: StepDownload, Product: product, Done: p.Done, Total: p.Total, Rate: p.Rate, ETA: p.ETA, Message: p.Message, Transfer: &p})
	}})
}
