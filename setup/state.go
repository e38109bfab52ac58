package setup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
)

// State is a product's state on this machine.
type State string

// The states, from the catalog, the cache and the receipts.
const (
	NotInstalled    State = "not_installed"
	Downloaded      State = "downloaded" // the newest package is verified in the cache
	Installed       State = "installed"
	UpdateAvailable State = "update_available" // installed, and the catalog lists a newer release
	Damaged         State = "damaged"          // installed, and verify finds missing or changed files
)

// ProductState is one product on this machine.
type ProductState struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	State            State     `json:"state"`
	InstalledVersion string    `json:"installed_version"`
	LatestVersion    string    `json:"latest_version"`
	UpdateAvailable  bool      `json:"update_available"`
	PreviousVersion  string    `json:"previous_version,omitempty"` // kept for Rollback
	Target           string    `json:"target,omitempty"`
	InstalledAt      time.Time `json:"installed_at,omitzero"`
	Receipt          string    `json:"receipt,omitempty"` // the receipt's ID
	Scope            string    `json:"scope,omitempty"`
	Launch           string    `json:"launch,omitempty"`  // the program to start
	Package          string    `json:"package,omitempty"` // the newest package, verified in the cache
	// Verify lists what differs from the receipt, when Damaged.
	Verify *installer.VerifyReport `json:"verify,omitempty"`
	// Partial is what an interrupted download of the newest package kept
	// for resuming, when it is not installed (or is the update).
	Partial *Partial `json:"partial,omitempty"`
}

// Products lists the subscription's products (signed in: the contract's;
// otherwise the catalog's) with their state here.
func (s *Setup) Products(ctx context.Context) ([]ProductState, error) {
	cat, err := s.Catalog()
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(cat.Products))
	if c := s.src.Account(); c != nil {
		me, err := c.WhoAmI(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range me.Contract.Products {
			if _, ok := cat.Product(p.Product); ok {
				ids = append(ids, p.Product)
			}
		}
	} else {
		for _, p := range cat.Products {
			ids = append(ids, p.ID)
		}
	}
	out := make([]ProductState, 0, len(ids))
	for _, id := range ids {
		st, err := s.State(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *st)
	}
	return out, nil
}

// State computes one product's state: the receipt says what is installed
// (verify says whether it is intact), the catalog what is newest, the
// cache whether the newest package is already here.
func (s *Setup) State(ctx context.Context, id string) (*ProductState, error) {
	st := &ProductState{ID: id, Name: id, State: NotInstalled}
	var latest *catalog.Release
	var pkg catalog.Package
	hasPkg := false
	if s.src != nil && s.src.Catalog != nil {
		if p, ok := s.src.Catalog.Product(id); ok {
			st.Name = p.Name
			latest = s.newestFor(p)
			if latest != nil {
				st.LatestVersion = latest.Version.String()
				pkg, hasPkg = latest.Packages[s.opt.Platform]
			}
		}
	}
	partial := func() {
		if hasPkg {
			st.Partial = s.Partial(&Release{Package: pkg})
		}
	}
	in, err := s.installer(id)
	if err != nil {
		return nil, err
	}
	rec, err := in.Receipt(id)
	switch {
	case errors.Is(err, installer.ErrNotInstalled):
		if hasPkg {
			if p := s.cachePath(pkg); fileHasHash(p, pkg.SHA256) {
				st.State, st.Package = Downloaded, p
			} else {
				partial()
			}
		}
		return st, nil
	case err != nil:
		return nil, err
	}
	st.State, st.InstalledVersion, st.Target, st.InstalledAt, st.Receipt, st.Scope =
		Installed, rec.Version, rec.Target, rec.Installed, rec.ID, string(rec.Scope)
	if rec.Launch != "" && rec.Target != "" {
		st.Launch = filepath.Join(rec.Target, filepath.FromSlash(rec.Launch))
	}
	if latest != nil {
		if v, err := catalog.ParseVersion(rec.Version); err == nil && latest.Version.Compare(v) > 0 {
			st.UpdateAvailable, st.State = true, UpdateAvailable
			partial()
		}
	}
	if rec.Native() {
		return st, nil // the OS's installer owns the files: nothing to check
	}
	switch prev, err := in.Previous(id); {
	case err == nil:
		st.PreviousVersion = prev.Version
	case !errors.Is(err, installer.ErrNoPrevious):
		return nil, err
	}
	rep, err := in.Verify(ctx, id)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		st.State, st.Verify = Damaged, rep
	}
	return st, nil
}

// newestFor is the newest release with a package for the platform: an
// update is one this machine can install.
func (s *Setup) newestFor(p *catalog.Product) *catalog.Release {
	var best *catalog.Release
	for i := range p.Releases {
		r := &p.Releases[i]
		if _, ok := r.Packages[s.opt.Platform]; !ok {
			continue
		}
		if best == nil || r.Version.Compare(best.Version) > 0 {
			best = r
		}
	}
	if best == nil {
		return p.Latest()
	}
	return best
}

// fileHasHash reports whether path holds the bytes with this SHA-256: a
// cached package counts as downloaded only when verified.
func fileHasHash(path, sum string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == sum
}
