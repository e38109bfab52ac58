package deploy

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/catalog"
)

func TestCheckTarget(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(t *testing.T, root string) string // returns the target
		want     error
		inTheWay string // relative to root
		asRoot   bool   // meaningful as root too
	}{
		{"missing-folders-can-be-created", func(t *testing.T, root string) string { return filepath.Join(root, "a", "b", "atlas") }, nil, "", true},
		{"existing-folder", func(t *testing.T, root string) string { return root }, nil, "", true},
		{"file-at-target", func(t *testing.T, root string) string {
			os.WriteFile(filepath.Join(root, "atlas"), nil, 0o644)
			return filepath.Join(root, "atlas")
		}, ErrNotAFolder, "atlas", true},
		{"file-above-target", func(t *testing.T, root string) string {
			os.WriteFile(filepath.Join(root, "apps"), nil, 0o644)
			return filepath.Join(root, "apps", "onramp", "atlas")
		}, ErrNotAFolder, "apps", true},
		{"read-only-folder", func(t *testing.T, root string) string {
			os.Chmod(root, 0o555)
			t.Cleanup(func() { os.Chmod(root, 0o755) })
			return filepath.Join(root, "atlas")
		}, fs.ErrPermission, ".", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.asRoot && (runtime.GOOS == "windows" || os.Geteuid() == 0) {
				t.Skip("root (and Windows' ACLs) ignore the mode")
			}
			root := t.TempDir()
			target := tt.setup(t, root)
			err := CheckTarget(target)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckTarget: %v", err)
				}
				// It writes nothing: no folder made, no test file left.
				if entries, _ := os.ReadDir(root); len(entries) > 0 {
					t.Errorf("left behind: %v", entries)
				}
				return
			}
			var te *TargetError
			if !errors.Is(err, tt.want) || !errors.As(err, &te) || te.Path != filepath.Join(root, tt.inTheWay) {
				t.Fatalf("CheckTarget: %v, want %v at %s", err, tt.want, tt.inTheWay)
			}
		})
	}
}

// deployment.json must agree with the catalog it was made from, field by
// field; any edit is named.
func TestMatchCatalog(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "catalog", "testdata", "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Products[0]
	ref := p.ID + "@" + p.Releases[0].Version.String()
	fresh := func(t *testing.T) *Deployment {
		d, _, err := New(c, []string{ref}, nil, "", License{Mode: "per-user"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	plat := slices.Sorted(maps.Keys(p.Releases[0].Packages))[0]
	tests := []struct {
		name   string
		change func(d *Deployment)
		want   string // "" for no problem
	}{
		{"unchanged", func(d *Deployment) {}, ""},
		{"hash", func(d *Deployment) {
			pkg := d.Products[0].Packages[plat]
			pkg.SHA256 = strings.Repeat("0", 64)
			d.Products[0].Packages[plat] = pkg
		}, "package is sha256"},
		{"size", func(d *Deployment) {
			pkg := d.Products[0].Packages[plat]
			pkg.Size++
			d.Products[0].Packages[plat] = pkg
		}, "package is sha256"},
		{"recipe", func(d *Deployment) {
			pkg := d.Products[0].Packages[plat]
			pkg.Install.SilentArgs = append(pkg.Install.SilentArgs, "/evil")
			d.Products[0].Packages[plat] = pkg
		}, "install recipe"},
		{"version", func(d *Deployment) { d.Products[0].Version = "99.0.0" }, "not in the signed catalog"},
		{"requirements", func(d *Deployment) { d.Products[0].Requirements = []byte(`{}`) }, "requirements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := fresh(t)
			tt.change(d)
			err := d.MatchCatalog(c)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("MatchCatalog: %v", err)
				}
				return
			}
			var de *Error
			if !errors.Is(err, ErrDeploymentChanged) || !errors.As(err, &de) || de.Problems[0].Product != p.ID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("MatchCatalog: %v, want %q", err, tt.want)
			}
		})
	}
}

// A deployment never ships a program for another OS or CPU as
// assistant.exe: only a PE header for AMD64 passes.
func TestCheckWindowsProgram(t *testing.T) {
	pe := func(machine uint16) []byte {
		b := make([]byte, 0x40, 0x80)
		b[0], b[1] = 'M', 'Z'
		b[0x3c] = 0x40
		return append(b, 'P', 'E', 0, 0, byte(machine), byte(machine>>8))
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"amd64", pe(0x8664), true},
		{"arm64", pe(0xaa64), false},
		{"i386", pe(0x14c), false},
		{"elf", []byte("\x7fELF\x02\x01\x01" + strings.Repeat("\x00", 80)), false},
		{"short", []byte("MZ"), false},
		{"mz-without-pe", append(pe(0x8664)[:0x40:0x40], "NE\x00\x00\x64\x86"...), false},
	} {
		p := filepath.Join(dir, tt.name)
		if err := os.WriteFile(p, tt.data, 0o644); err != nil {
			t.Fatal(err)
		}
		err := CheckWindowsProgram(p)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrNotWindowsProgram)) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// The log's name is stable for a deployment's products, whatever their
// order, and bounded however many there are.
func TestDeploymentLogName(t *testing.T) {
	d := &Deployment{Products: []Product{{ID: "quill"}, {ID: "atlas"}}}
	if got := LogName(d); got != "deploy-atlas+quill.log" {
		t.Errorf("got %q", got)
	}
	many := &Deployment{}
	for i := range 40 {
		many.Products = append(many.Products, Product{ID: fmt.Sprintf("product-%02d", i)})
	}
	got := LogName(many)
	if len(got) > 80 || !strings.HasPrefix(got, "deploy-product-00+39-more-") || got != LogName(many) {
		t.Errorf("got %q", got)
	}
	many.Products[5].ID = "other"
	if LogName(many) == got {
		t.Error("two deployments of different products share a log name")
	}
}

// A product with no package for any platform asked for is refused with a
// NoPackageError naming the product, its version and the platforms, which
// the window words in its language; the command line's text is kept.
func TestNewDeploymentNoPackage(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "catalog", "testdata", "demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Products[0]
	r := p.Releases[0]
	delete(r.Packages, catalog.WindowsAMD64)
	ref := p.ID + "@" + r.Version.String()
	_, _, err = New(c, []string{ref}, []catalog.Platform{catalog.WindowsAMD64}, "", License{Mode: "per-user"}, time.Now())
	var np *NoPackageError
	if !errors.As(err, &np) || np.Product != p.Name || np.Version != r.Version.String() || !slices.Equal(np.Platforms, []catalog.Platform{catalog.WindowsAMD64}) {
		t.Fatalf("NewDeployment: %#v", err)
	}
	if want := p.Name + " " + r.Version.String() + " has no package for windows/amd64"; err.Error() != want {
		t.Errorf("%q, want %q", err, want)
	}
}
