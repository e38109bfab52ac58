package installer

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer/native"
)

// file is one archive member a test builds.
type file struct {
	name string
	body string
	mode fs.FileMode
	link string // a symlink when set
	hard string // a hard link (tar only) to this earlier entry when set
	dir  bool
}

func buildZip(t *testing.T, files []file) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		switch {
		case f.dir:
			h.SetMode(fs.ModeDir | dirMode(f.mode))
		case f.link != "":
			h.SetMode(fs.ModeSymlink | 0o777)
		default:
			h.SetMode(orMode(f.mode))
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if f.link != "" {
			w.Write([]byte(f.link))
		} else if !f.dir {
			w.Write([]byte(f.body))
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func buildTarGz(t *testing.T, files []file) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: int64(orMode(f.mode)), Size: int64(len(f.body)), Typeflag: tar.TypeReg}
		switch {
		case f.dir:
			h.Typeflag, h.Size, h.Mode = tar.TypeDir, 0, int64(dirMode(f.mode))
		case f.link != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, f.link, 0
		case f.hard != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeLink, f.hard, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(f.body))
		}
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func dirMode(m fs.FileMode) fs.FileMode {
	if m == 0 {
		return 0o755
	}
	return m
}

func orMode(m fs.FileMode) fs.FileMode {
	if m == 0 {
		return 0o644
	}
	return m
}

var product = []file{
	{name: "bin/", dir: true},
	{name: "bin/tool", body: "#!/bin/sh\necho hi\n", mode: 0o755},
	{name: "README.txt", body: "read me"},
	{name: "share/data/a.txt", body: strings.Repeat("a", 5000)},
	{name: "share/data/b.txt", body: "b"},
	{name: "share/current", link: "data"},
}

// writePackage saves an archive and describes it as a package.
func writePackage(t *testing.T, data []byte, format catalog.Format, version string) Package {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pkg-"+version+"."+string(format))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return Package{Path: p, SHA256: hex.EncodeToString(sum[:]), Format: format, Product: "atlas", Version: version}
}

func newInstaller(t *testing.T) *Installer {
	t.Helper()
	in, err := New(Options{StateDir: t.TempDir(), Scope: ScopeUser})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// tree lists a folder: path -> content or "->link" or "/" for folders, with modes.
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, _ := d.Info()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out[rel] = "->" + l
		case d.IsDir():
			out[rel] = "/"
		default:
			b, _ := os.ReadFile(p)
			out[rel] = fmt.Sprintf("%v %s", info.Mode().Perm(), b)
		}
		return nil
	})
	return out
}

// withPools runs test with the archive's workers started at once (as in
// an archive of thousands of files), then as they are for a small one.
func withPools(t *testing.T, test func(t *testing.T)) {
	defer func(p, z int) { poolAfter, smallZip = p, z }(poolAfter, smallZip)
	for _, after := range []int{0, poolAfter} {
		poolAfter, smallZip = after, min(after, smallZip)
		t.Run(fmt.Sprint("pool after ", after), test)
	}
}

func TestInstallArchives(t *testing.T) { withPools(t, testInstallArchives) }

func testInstallArchives(t *testing.T) {
	for _, format := range []catalog.Format{catalog.FormatZip, catalog.FormatTarGz} {
		t.Run(string(format), func(t *testing.T) {
			build := buildZip
			if format == catalog.FormatTarGz {
				build = buildTarGz
			}
			pkg := writePackage(t, build(t, product), format, "1.0.0")
			in := newInstaller(t)
			target := filepath.Join(t.TempDir(), "apps", "atlas")
			plan, err := in.PlanInstall(context.Background(), pkg, target)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Files != 4 || plan.Bytes != int64(len("#!/bin/sh\necho hi\n")+7+5000+1) || plan.NeedsElevation {
				t.Errorf("plan %+v", plan)
			}
			if _, err := os.Stat(target); err == nil {
				t.Fatal("planning wrote the target")
			}
			rec, err := in.Install(context.Background(), pkg, target)
			if err != nil {
				t.Fatal(err)
			}
			got := tree(t, target)
			if got["bin/tool"] != "-rwxr-xr-x #!/bin/sh\necho hi\n" || got["share/current"] != "->data" || got["README.txt"] != "-rw-r--r-- read me" {
				t.Errorf("installed tree %v", got)
			}
			if rec.FileCount != 5 || len(listFiles(t, rec)) != 5 {
				t.Errorf("receipt lists %d entries: %+v", rec.FileCount, listFiles(t, rec))
			}
			// Nothing beside the target but the target.
			entries, _ := os.ReadDir(filepath.Dir(target))
			if len(entries) != 1 {
				t.Errorf("left beside the target: %v", entries)
			}
			v, err := in.Verify(context.Background(), "atlas")
			if err != nil || !v.OK() {
				t.Fatalf("verify: %+v %v", v, err)
			}
		})
	}
}

func TestHostileArchives(t *testing.T) { withPools(t, testHostileArchives) }

func testHostileArchives(t *testing.T) {
	tests := []struct {
		name  string
		files []file
		want  string
	}{
		{"zip-slip", []file{{name: "ok.txt", body: "x"}, {name: "../evil.txt", body: "x"}}, "'..'"},
		{"deep-slip", []file{{name: "a/b/../../../evil.txt", body: "x"}}, "'..'"},
		{"absolute", []file{{name: "/etc/evil", body: "x"}}, "absolute path"},
		{"backslash-slip", []file{{name: `..\evil.txt`, body: "x"}}, "'..'"},
		{"symlink-escape", []file{{name: "link", link: "../../etc"}}, "points outside"},
		{"absolute-symlink", []file{{name: "link", link: "/etc/passwd"}}, "only relative links"},
		{"write-through-link", []file{{name: "d", link: "sub"}, {name: "d/x.txt", body: "x"}}, "writing through links"},
		{"duplicate", []file{{name: "a.txt", body: "1"}, {name: "a.txt", body: "2"}}, "listed twice"},
	}
	for _, tt := range tests {
		for _, format := range []catalog.Format{catalog.FormatZip, catalog.FormatTarGz} {
			t.Run(tt.name+"/"+string(format), func(t *testing.T) {
				build := buildZip
				if format == catalog.FormatTarGz {
					build = buildTarGz
				}
				pkg := writePackage(t, build(t, tt.files), format, "1.0.0")
				assertRefused(t, pkg, tt.want)
			})
		}
	}
}

// assertRefused installs and expects a refusal that wrote nothing: no
// target, no staging folder, no receipt.
func assertRefused(t *testing.T, pkg Package, want string) {
	t.Helper()
	in := newInstaller(t)
	parent := t.TempDir()
	target := filepath.Join(parent, "atlas")
	_, err := in.Install(context.Background(), pkg, target)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want an error containing %q", err, want)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("written beside the target: %v", entries)
	}
	if _, err := in.Receipt("atlas"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("receipt after a refusal: %v", err)
	}
}

func TestLyingAndDamagedArchives(t *testing.T) { withPools(t, testLyingAndDamagedArchives) }

func testLyingAndDamagedArchives(t *testing.T) {
	// A zip whose header declares far more than the limit.
	huge := rawZip(t, "big.bin", []byte("tiny"), 100<<30)
	// A zip bomb: declares 10 bytes, holds 1 MiB.
	bomb := rawZip(t, "bomb.bin", bytes.Repeat([]byte{0}, 1<<20), 10)
	good := buildZip(t, product)
	goodTar := buildTarGz(t, product)
	tests := []struct {
		name   string
		data   []byte
		format catalog.Format
		want   string
	}{
		{"huge-declared-size", huge, catalog.FormatZip, "more than the limit"},
		{"zip-bomb", bomb, catalog.FormatZip, "big.bin"[:0] + "bomb.bin"},
		{"truncated-zip", good[:len(good)/2], catalog.FormatZip, "not a readable zip"},
		{"truncated-tar-gz", goodTar[:len(goodTar)/2], catalog.FormatTarGz, "truncated"},
		{"not-gzip", []byte("plain text"), catalog.FormatTarGz, "not a gzip stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertRefused(t, writePackage(t, tt.data, tt.format, "1.0.0"), tt.want)
		})
	}
}

// rawZip writes one stored entry whose header declares `declared` bytes.
func rawZip(t *testing.T, name string, data []byte, declared uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(data),
		CompressedSize64: uint64(len(data)), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	zw.Close()
	return buf.Bytes()
}

func TestPackageHashMismatch(t *testing.T) {
	pkg := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
	pkg.SHA256 = strings.Repeat("0", 64)
	assertRefused(t, pkg, "does not match its checksum")
}

// An upgrade keeps the old version for rollback; rollback swaps them.
func TestUpgradeRollbackVerifyRepairUninstall(t *testing.T) {
	ctx := context.Background()
	in := newInstaller(t)
	target := filepath.Join(t.TempDir(), "atlas")
	v1 := writePackage(t, buildTarGz(t, product), catalog.FormatTarGz, "1.0.0")
	v2files := append([]file{{name: "NEW.txt", body: "v2"}}, product[1:3]...)
	v2 := writePackage(t, buildZip(t, v2files), catalog.FormatZip, "2.0.0")
	if _, err := in.Install(ctx, v1, target); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Previous("atlas"); !errors.Is(err, ErrNoPrevious) {
		t.Errorf("previous after the first install: %v, want ErrNoPrevious", err)
	}
	before := tree(t, target)
	plan, err := in.PlanInstall(ctx, v2, target)
	if err != nil || plan.Replaces != "1.0.0" {
		t.Fatalf("plan %+v %v", plan, err)
	}
	if _, err := in.Install(ctx, v2, target); err != nil {
		t.Fatal(err)
	}
	if tree(t, target)["NEW.txt"] == "" {
		t.Fatal("v2 not in place")
	}
	if prev, err := in.Previous("atlas"); err != nil || prev.Version != "1.0.0" {
		t.Fatalf("previous after the upgrade: %+v %v, want 1.0.0", prev, err)
	}
	old, err := in.Rollback(ctx, "atlas")
	if err != nil || old.Version != "1.0.0" {
		t.Fatalf("rollback: %+v %v", old, err)
	}
	if prev, err := in.Previous("atlas"); err != nil || prev.Version != "2.0.0" {
		t.Errorf("previous after the rollback: %+v %v, want 2.0.0 (a second rollback undoes it)", prev, err)
	}
	if got := tree(t, target); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("after rollback %v, want %v", got, before)
	}
	if r, _ := in.Receipt("atlas"); r.Version != "1.0.0" {
		t.Errorf("receipt says %s", r.Version)
	}

	// Damage the install: verify names it, repair restores it.
	os.Remove(filepath.Join(target, "README.txt"))
	os.WriteFile(filepath.Join(target, "share/data/b.txt"), []byte("changed"), 0o644)
	os.Chmod(filepath.Join(target, "bin/tool"), 0o600)
	rep, err := in.Verify(ctx, "atlas")
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || len(rep.Missing) != 1 || len(rep.Changed) != 2 {
		t.Errorf("verify %+v", rep)
	}
	if _, err := in.Repair(ctx, "atlas"); err != nil {
		t.Fatal(err)
	}
	if rep, _ := in.Verify(ctx, "atlas"); !rep.OK() {
		t.Errorf("after repair %+v", rep)
	}

	// Uninstall leaves what the user added, and says so.
	os.WriteFile(filepath.Join(target, "my-notes.txt"), []byte("mine"), 0o644)
	left, err := in.Uninstall(ctx, "atlas")
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != "my-notes.txt" {
		t.Errorf("left %v", left)
	}
	if got := tree(t, target); len(got) != 1 {
		t.Errorf("after uninstall %v", got)
	}
	if _, err := in.Receipt("atlas"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("receipt after uninstall: %v", err)
	}
	if _, err := in.Rollback(ctx, "atlas"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("rollback after uninstall: %v", err)
	}
	if _, err := in.Previous("atlas"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("previous after uninstall: %v", err)
	}
}

// A commit that fails at any step leaves the version that was installed,
// with its receipt; the next install works.
func TestFailureAtEveryStep(t *testing.T) {
	for _, step := range []string{"begin", "moved-old", "moved-new", "receipts", "receipt"} {
		t.Run(step, func(t *testing.T) {
			ctx := context.Background()
			in := newInstaller(t)
			target := filepath.Join(t.TempDir(), "atlas")
			v1 := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
			v2 := writePackage(t, buildZip(t, []file{{name: "NEW.txt", body: "v2"}}), catalog.FormatZip, "2.0.0")
			if _, err := in.Install(ctx, v1, target); err != nil {
				t.Fatal(err)
			}
			before := tree(t, target)
			in.failAt = func(s string) error {
				if s == step {
					return errors.New("disk full (simulated)")
				}
				return nil
			}
			if _, err := in.Install(ctx, v2, target); err == nil || !strings.Contains(err.Error(), "simulated") {
				t.Fatalf("install: %v", err)
			}
			if got := tree(t, target); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Errorf("after a failure at %s: %v, want %v", step, got, before)
			}
			if r, err := in.Receipt("atlas"); err != nil || r.Version != "1.0.0" {
				t.Errorf("receipt %+v %v", r, err)
			}
			if entries, _ := os.ReadDir(filepath.Dir(target)); len(entries) != 2 && len(entries) != 1 {
				t.Errorf("left beside the target: %v", entries)
			}
			in.failAt = nil
			if _, err := in.Install(ctx, v2, target); err != nil {
				t.Fatalf("the next install: %v", err)
			}
		})
	}
}

// A process killed in the middle of the swap: the next run puts the
// previous version back before doing anything else.
func TestKilledDuringCommit(t *testing.T) {
	if os.Getenv("ONRAMP_INSTALLER_CHILD") != "" {
		in, _ := New(Options{StateDir: os.Getenv("STATE"), Scope: ScopeUser})
		in.failAt = func(s string) error {
			if s == os.Getenv("STEP") {
				os.Exit(137) // no deferred clean-up runs, as with SIGKILL
			}
			return nil
		}
		pkg := writePackage(t, buildZip(t, []file{{name: "NEW.txt", body: "v2"}}), catalog.FormatZip, "2.0.0")
		in.Install(context.Background(), pkg, os.Getenv("TARGET"))
		t.Fatal("the child was not stopped")
	}
	for _, step := range []string{"begin", "moved-old", "moved-new", "receipts", "receipt"} {
		t.Run(step, func(t *testing.T) {
			ctx := context.Background()
			state, target := t.TempDir(), filepath.Join(t.TempDir(), "atlas")
			in, _ := New(Options{StateDir: state, Scope: ScopeUser})
			// v0 then v1: a receipt of v0 is kept as the previous one.
			v0 := writePackage(t, buildZip(t, []file{{name: "OLD.txt", body: "v0"}}), catalog.FormatZip, "0.9.0")
			if _, err := in.Install(ctx, v0, target); err != nil {
				t.Fatal(err)
			}
			if _, err := in.Install(ctx, writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0"), target); err != nil {
				t.Fatal(err)
			}
			before := tree(t, target)
			cmd := exec.Command(os.Args[0], "-test.run=^TestKilledDuringCommit$")
			cmd.Env = append(os.Environ(), "ONRAMP_INSTALLER_CHILD=1", "STATE="+state, "TARGET="+target, "STEP="+step)
			if err := cmd.Run(); err == nil {
				t.Fatal("the child finished its install")
			}
			if _, err := os.Stat(filepath.Join(state, "atlas.journal.json")); err != nil {
				t.Fatal("the killed install left no journal")
			}
			if err := in.recover("atlas"); err != nil {
				t.Fatal(err)
			}
			if got := tree(t, target); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Errorf("after recovery %v, want %v", got, before)
			}
			if r, err := in.Receipt("atlas"); err != nil || r.Version != "1.0.0" {
				t.Errorf("receipt after recovery: %+v %v", r, err)
			}
			if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() {
				t.Errorf("verify after recovery: %+v %v", v, err)
			}
			if old, err := in.Rollback(ctx, "atlas"); err != nil || old.Version != "0.9.0" {
				t.Errorf("rollback after recovery: %+v %v", old, err)
			}
			if entries, _ := os.ReadDir(filepath.Dir(target)); len(entries) > 2 {
				t.Errorf("stray folders: %v", entries)
			}
		})
	}
}

// A first install killed, or failing, at any step of its commit leaves
// nothing: no target, no receipt, nothing beside the target once the next
// run has settled the product; that run installs.
func TestFirstInstallStoppedAtEveryStep(t *testing.T) {
	if os.Getenv("ONRAMP_INSTALLER_CHILD") != "" {
		in, _ := New(Options{StateDir: os.Getenv("STATE"), Scope: ScopeUser})
		in.failAt = func(s string) error {
			if s == os.Getenv("STEP") {
				os.Exit(137) // no deferred clean-up runs, as with SIGKILL
			}
			return nil
		}
		in.Install(context.Background(), writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0"), os.Getenv("TARGET"))
		t.Fatal("the child was not stopped")
	}
	for _, kill := range []bool{true, false} {
		for _, step := range []string{"begin", "moved-old", "moved-new", "receipts", "receipt", "carried"} {
			t.Run(fmt.Sprint(step, " killed ", kill), func(t *testing.T) {
				ctx := context.Background()
				state, target := t.TempDir(), filepath.Join(t.TempDir(), "atlas")
				in, _ := New(Options{StateDir: state, Scope: ScopeUser})
				if kill {
					cmd := exec.Command(os.Args[0], "-test.run=^TestFirstInstallStoppedAtEveryStep$")
					cmd.Env = append(os.Environ(), "ONRAMP_INSTALLER_CHILD=1", "STATE="+state, "TARGET="+target, "STEP="+step)
					if err := cmd.Run(); err == nil {
						t.Fatal("the child finished its install")
					}
				} else {
					in.failAt = func(s string) error {
						if s == step {
							return errors.New("disk full (simulated)")
						}
						return nil
					}
					if _, err := in.Install(ctx, writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0"), target); err == nil {
						t.Fatal("the install did not fail")
					}
					in.failAt = nil
				}
				if err := in.settle("atlas", target); err != nil {
					t.Fatal(err)
				}
				r, rerr := in.Receipt("atlas")
				_, terr := os.Stat(target)
				// A first install is done once its journal is gone, after
				// every step here ("carried" included): a run stopped at
				// any of them is undone by the next, never left half-way.
				switch {
				case rerr == nil || terr == nil:
					t.Fatalf("receipt %+v, target %v: want neither", r, terr)
				}
				if entries, _ := os.ReadDir(filepath.Dir(target)); len(entries) > 1 {
					t.Errorf("left beside the target: %v", entries)
				}
				if _, err := in.Install(ctx, writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0"), target); err != nil {
					t.Fatalf("the next install: %v", err)
				}
				if v, err := in.Verify(ctx, "atlas"); err != nil || !v.OK() {
					t.Errorf("verify: %+v %v", v, err)
				}
			})
		}
	}
}

func TestLockAndElevation(t *testing.T) {
	in := newInstaller(t)
	unlock, err := in.lock("atlas")
	if err != nil {
		t.Fatal(err)
	}
	pkg := writePackage(t, buildZip(t, product), catalog.FormatZip, "1.0.0")
	if _, err := in.Install(context.Background(), pkg, filepath.Join(t.TempDir(), "atlas")); !errors.Is(err, ErrLocked) {
		t.Errorf("while locked: %v", err)
	}
	unlock()
	// /sys refuses new files even to root, as a machine-wide folder refuses a user.
	_, err = in.Install(context.Background(), pkg, "/sys/fs/onramp-test/atlas")
	var ee *ElevationError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "administrator rights") || !strings.Contains(err.Error(), "--target") {
		t.Errorf("unwritable target: %v", err)
	}
	// A target whose parent is a file.
	parent := filepath.Join(t.TempDir(), "file")
	os.WriteFile(parent, []byte("x"), 0o644)
	if _, err := in.Install(context.Background(), pkg, filepath.Join(parent, "atlas")); err == nil {
		t.Error("a target under a file was accepted")
	}
}

// A native package for another OS is refused before anything runs.
func TestInstallNativeWrongOS(t *testing.T) {
	in := newInstaller(t)
	pkg := writePackage(t, []byte("not really an msi"), catalog.FormatMSI, "1.0.0")
	if _, err := in.InstallNative(context.Background(), pkg, t.TempDir()); !errors.Is(err, native.ErrWrongOS) {
		t.Errorf("an msi on linux: %v", err)
	}
}

// A zip made where files have no Unix modes (FAT, NTFS: Go's module zips,
// Windows tools) gets what unzip gives under the usual umask: 0644 files,
// 0755 folders, 0444 for a read-only file; never 0666, which is what such
// an entry's mode reads as.
func TestZipWithoutUnixModes(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"doc/", "doc/a.txt", "ro.txt"} {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		if name == "ro.txt" {
			h.ExternalAttrs = 0x01 // MS-DOS read-only
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(name, "/") {
			w.Write([]byte("x"))
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	pkg := writePackage(t, buf.Bytes(), catalog.FormatZip, "1.0.0")
	target := filepath.Join(t.TempDir(), "atlas")
	if _, err := newInstaller(t).Install(context.Background(), pkg, target); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want fs.FileMode
	}{
		{"doc", fs.ModeDir | 0o755},
		{"doc/a.txt", 0o644},
		{"ro.txt", 0o444},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := os.Lstat(filepath.Join(target, tc.name))
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode() & (fs.ModeDir | fs.ModePerm); got != tc.want {
				t.Errorf("mode %v, want %v", got, tc.want)
			}
		})
	}
}
