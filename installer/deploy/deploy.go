// Package deploy owns deployment folders, which install several products
// on many seats: deployment.json (products, versions, target folder,
// licence and seat registration), its check against the publisher's
// signed catalog beside it, the per-OS install scripts and the IT README
// (New, Write), and Prepare, which checks on a seat everything an install
// of the folder needs before anything is installed. The installs
// themselves are the installer's.
//
// Callers: setup (deploy create, deploy install), and the cli and the ui
// for its types and errors.
package deploy

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer/archive"
)

// Format names the deployment folder's format.
const Format = "onramp-deployment/v1"

// CatalogFile is the publisher's signed catalog in a deployment
// folder, byte for byte as the publisher signed it. deployment.json is
// written by IT and anyone who can write the folder can edit it; the
// signed catalog is what each seat checks every package against.
const CatalogFile = "catalog.signed.json"

// Errors callers branch on; both are integrity failures.
var (
	ErrDeploymentUnsigned = errors.New("the deployment folder has no signed catalog")
	ErrDeploymentChanged  = errors.New("deployment.json differs from the publisher's signed catalog")
)

// Error lists every problem found in a deployment before
// anything was installed, each with its product ("" for the whole
// deployment).
type Error struct {
	Problems []Problem
}

// Problem is one product's problem.
type Problem struct {
	Product string
	Err     error
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Err.Error()
		if p.Product != "" {
			lines[i] = p.Product + ": " + lines[i]
		}
	}
	return fmt.Sprintf("%d problem(s):\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// Unwrap lets errors.Is and errors.As see every problem's error.
func (e *Error) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p.Err
	}
	return errs
}

// Deployment is deployment.json: what IT pushes to many seats. The
// packages and the publisher's signed catalog lie beside it; on each seat
// every package is checked against the signed catalog and its SHA-256
// before anything is installed.
type Deployment struct {
	Format  string    `json:"format"`
	Created time.Time `json:"created"`
	// Target is the folder products are installed under, one subfolder
	// each; "" means the machine-wide default of each OS.
	Target      string    `json:"target"`
	License     License   `json:"license"`
	AllowReboot bool      `json:"allow_reboot"`
	Products    []Product `json:"products"`
	// SeatRegistration, when present, lets each seat count itself with the
	// account service after installing.
	SeatRegistration *SeatRegistration `json:"seat_registration,omitempty"`
	// Publisher is the signed catalog's, once MatchCatalog found the
	// deployment to be what it signed (Windows lists it with each product).
	Publisher string `json:"-"`
	// Assistant is the Windows assistant the folder carries for its
	// Windows seats, which need nothing installed beforehand.
	Assistant *Assistant `json:"assistant,omitempty"`
}

// WindowsAssistantFile is the Windows assistant's name in a deployment
// folder: install-windows.cmd runs this one, never another.
const WindowsAssistantFile = "assistant.exe"

// Assistant is the assistant program a deployment folder
// carries. It is not in the publisher's catalog (no catalog lists the
// assistant): it is the publisher's Authenticode-signed release program,
// and its hash here lets IT and each seat see that the copy is whole.
type Assistant struct {
	File     string           `json:"file"` // relative to the folder, '/' separators
	Platform catalog.Platform `json:"platform"`
	SHA256   string           `json:"sha256"`
	Size     int64            `json:"size"`
}

// SeatRegistration names the account service and the deployment's seat
// key. The key is a narrow capability, not a user's credential: it can
// only register seats of this deployment's products, up to the contract's
// seat counts, until the contract ends, and the service keeps only its
// hash. An unattended install has no user to sign in, so the deployment
// must carry something; this is the least that works.
type SeatRegistration struct {
	Server string `json:"server"` // https URL of the account service (http only on loopback)
	Key    string `json:"key"`
}

// License says how seats get their licence.
type License struct {
	Mode   string `json:"mode"`             // "per-user" or "network"
	Server string `json:"server,omitempty"` // HOST:PORT of the licence server, for "network"
}

// Product is one product of a deployment.
type Product struct {
	ID       string                       `json:"id"`
	Name     string                       `json:"name"`
	Version  string                       `json:"version"`
	Packages map[catalog.Platform]Package `json:"packages"`
	// Requirements per platform, in the catalog's schema.
	Requirements json.RawMessage `json:"requirements,omitempty"`
}

// Package is one package file in the deployment folder.
type Package struct {
	File    string         `json:"file"` // relative to the folder, '/' separators
	SHA256  string         `json:"sha256"`
	Size    int64          `json:"size"`
	Format  catalog.Format `json:"format"`
	Install catalog.Recipe `json:"install"`
}

// hostPort is compiled when first used: a pattern compiled at package
// init costs every run of the assistant.
var hostPort = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9.-]+:[0-9]{1,5}$`) })

// Validate checks a deployment's content, naming the field of each problem.
func (d *Deployment) Validate() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if d.Format != Format {
		bad("format: want %q, found %q", Format, d.Format)
	}
	switch d.License.Mode {
	case "per-user":
		if d.License.Server != "" {
			bad("license.server: only for mode \"network\"")
		}
	case "network":
		if !hostPort().MatchString(d.License.Server) {
			bad("license.server: want HOST:PORT, found %q", d.License.Server)
		}
	default:
		bad("license.mode: want \"per-user\" or \"network\", found %q", d.License.Mode)
	}
	if d.Target != "" && !filepath.IsAbs(d.Target) && !strings.HasPrefix(d.Target, "/") && !(len(d.Target) > 2 && d.Target[1] == ':') {
		bad("target: want an absolute folder, found %q", d.Target)
	}
	if len(d.Products) == 0 {
		bad("products: want at least one product")
	}
	if r := d.SeatRegistration; r != nil {
		if u, err := url.Parse(r.Server); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			bad("seat_registration.server: want the account service's https URL, found %q", r.Server)
		}
		if !strings.HasPrefix(r.Key, "onramp-seat-") || len(r.Key) < 40 {
			bad("seat_registration.key: want a seat key (onramp-seat-...) from 'deploy create --register'")
		}
	}
	for i, p := range d.Products {
		at := fmt.Sprintf("products[%d]", i)
		if !catalog.IsProductID(p.ID) {
			bad("%s.id: want lowercase letters, digits and '-', found %q", at, p.ID)
		}
		if _, err := catalog.ParseVersion(p.Version); err != nil {
			bad("%s.version: %v", at, err)
		}
		if len(p.Packages) == 0 {
			bad("%s.packages: want a package for at least one platform", at)
		}
		for plat, pkg := range p.Packages {
			pat := fmt.Sprintf("%s.packages[%q]", at, plat)
			if !slices.Contains(catalog.Platforms, plat) {
				bad("%s: unknown platform", pat)
			}
			if name, why := archive.CleanName(pkg.File); why != "" || name != pkg.File {
				bad("%s.file: want a clean relative path inside the folder, found %q", pat, pkg.File)
			}
			if len(pkg.SHA256) != 64 {
				bad("%s.sha256: want 64 hex digits", pat)
			}
			if !slices.Contains(catalog.Formats, pkg.Format) {
				bad("%s.format: unknown format %q", pat, pkg.Format)
			}
		}
		if len(p.Requirements) > 0 {
			if _, err := p.RequirementsFor(); err != nil {
				bad("%s.requirements: %v", at, err)
			}
		}
	}
	if a := d.Assistant; a != nil {
		if a.File != WindowsAssistantFile || a.Platform != catalog.WindowsAMD64 {
			bad("assistant: want %q for %s, found %q for %s", WindowsAssistantFile, catalog.WindowsAMD64, a.File, a.Platform)
		}
		if len(a.SHA256) != 64 {
			bad("assistant.sha256: want 64 hex digits")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("deployment.json: %d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

// RequirementsFor parses the product's requirements with the catalog's
// strict reader.
func (p *Product) RequirementsFor() (map[catalog.Platform]catalog.Requirements, error) {
	if len(p.Requirements) == 0 {
		return map[catalog.Platform]catalog.Requirements{}, nil
	}
	doc := append(append([]byte(`{"schema": 1, "requirements": `), p.Requirements...), '}')
	f, err := catalog.ParseRequirements(doc)
	if err != nil {
		return nil, err
	}
	return f.Requirements, nil
}

// Read reads dir/deployment.json strictly.
func Read(dir string) (*Deployment, error) {
	path := filepath.Join(dir, "deployment.json")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("deployment folder: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, catalog.MaxPayloadBytes+1))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d Deployment
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &d, nil
}

// ReadCatalog reads the folder's signed catalog (not verified:
// the caller verifies it with the keys this seat trusts).
func ReadCatalog(dir string) ([]byte, error) {
	path := filepath.Join(dir, CatalogFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s is missing (the folder was not built by 'deploy create', or was changed since)", ErrDeploymentUnsigned, path)
	}
	if err != nil {
		return nil, fmt.Errorf("deployment folder: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, catalog.MaxEnvelopeBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > catalog.MaxEnvelopeBytes {
		return nil, fmt.Errorf("%w: %s is larger than a signed catalog can be", catalog.ErrEnvelope, path)
	}
	return data, nil
}

// MatchCatalog checks every product of d against the publisher's catalog
// c: the release exists, and each package's file hash, size, format and
// install recipe and the release's requirements are the ones the
// publisher signed. Every difference is a *Error whose problems
// match ErrDeploymentChanged.
func (d *Deployment) MatchCatalog(c *catalog.Catalog) error {
	var problems []Problem
	bad := func(product, format string, args ...any) {
		problems = append(problems, Problem{product, fmt.Errorf("%w: "+format, append([]any{ErrDeploymentChanged}, args...)...)})
	}
	for _, p := range d.Products {
		cp, r, err := c.Find(p.ID + "@" + p.Version)
		if err != nil {
			bad(p.ID, "%s %s is not in the signed catalog", p.ID, p.Version)
			continue
		}
		if p.Name != cp.Name {
			bad(p.ID, "name %q, signed %q", p.Name, cp.Name)
		}
		plats := make([]catalog.Platform, 0, len(p.Packages))
		for plat := range p.Packages {
			plats = append(plats, plat)
		}
		slices.Sort(plats)
		signedReqs := map[catalog.Platform]catalog.Requirements{}
		for _, plat := range plats {
			pkg, want := p.Packages[plat], r.Packages[plat]
			switch {
			case want.SHA256 == "":
				bad(p.ID, "%s %s has no signed package for %s", p.ID, p.Version, plat)
				continue
			case !strings.EqualFold(pkg.SHA256, want.SHA256) || pkg.Size != want.Size:
				bad(p.ID, "the %s package is sha256 %s (%d bytes), signed %s (%d bytes)", plat, pkg.SHA256, pkg.Size, want.SHA256, want.Size)
			case pkg.Format != want.Format:
				bad(p.ID, "the %s package's format is %s, signed %s", plat, pkg.Format, want.Format)
			case !sameJSON(pkg.Install, want.Install):
				bad(p.ID, "the %s package's install recipe is not the signed one", plat)
			}
			if req, ok := r.Requirements[plat]; ok {
				signedReqs[plat] = req
			}
		}
		reqs, err := p.RequirementsFor()
		if err != nil || !sameJSON(reqs, signedReqs) {
			bad(p.ID, "the requirements are not the signed ones")
		}
	}
	if len(problems) > 0 {
		return &Error{Problems: problems}
	}
	d.Publisher = c.Publisher
	return nil
}

// sameJSON compares two values by their JSON form, the form that was signed.
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// PackagePath is where a deployment's package lies.
func (d *Deployment) PackagePath(dir string, pkg Package) string {
	return filepath.Join(dir, filepath.FromSlash(pkg.File))
}

// LogName is the log's name for a deployment: its product IDs,
// sorted, joined with '+' (IDs are lowercase letters, digits and '-');
// past a length a file system takes, the first ID and a hash of them all.
func LogName(d *Deployment) string {
	ids := make([]string, len(d.Products))
	for i, p := range d.Products {
		ids[i] = p.ID
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	joined := strings.Join(ids, "+")
	if len(joined) > 100 {
		sum := sha256.Sum256([]byte(joined))
		joined = fmt.Sprintf("%s+%d-more-%x", ids[0], len(ids)-1, sum[:4])
	}
	return "deploy-" + joined + ".log"
}

// HasPlatform reports whether any product of d has a package for plat.
func (d *Deployment) HasPlatform(plat catalog.Platform) bool {
	for _, p := range d.Products {
		if _, ok := p.Packages[plat]; ok {
			return true
		}
	}
	return false
}
