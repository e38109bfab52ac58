package installer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"onramp.dev/onramp/catalog"
)

// The stamp changes with every change of what is installed, made by this
// Installer or another on the same state (another process), and stays as
// it is while only reading.
func TestStampFollowsReceipts(t *testing.T) {
	ctx := context.Background()
	in := newInstaller(t)
	other, err := New(Options{StateDir: in.opt.StateDir, Scope: ScopeUser})
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "atlas")
	v1 := writePackage(t, buildTarGz(t, product), catalog.FormatTarGz, "1.0.0")
	v2 := writePackage(t, buildZip(t, append([]file{{name: "NEW.txt", body: "v2"}}, product[1:3]...)), catalog.FormatZip, "2.0.0")
	stamp := func() string {
		t.Helper()
		s, err := in.Stamp()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	last, lastName := stamp(), "nothing installed"
	steps := []struct {
		name string
		act  func() error
	}{
		{"install", func() error { _, err := other.Install(ctx, v1, target); return err }},
		{"upgrade", func() error { _, err := other.Install(ctx, v2, target); return err }},
		{"rollback", func() error { _, err := other.Rollback(ctx, "atlas"); return err }},
		{"uninstall", func() error { _, err := other.Uninstall(ctx, "atlas"); return err }},
	}
	for _, st := range steps {
		if err := st.act(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		s := stamp()
		if s == last {
			t.Fatalf("after %s the stamp is the one seen after %s", st.name, lastName)
		}
		last, lastName = s, st.name
		if _, err := in.Verify(ctx, "atlas"); err != nil && st.name != "uninstall" {
			t.Fatal(err)
		}
		if again := stamp(); again != s {
			t.Fatalf("after %s, reading changed the stamp:\n%s\nthen\n%s", st.name, s, again)
		}
	}
}

// The stamp's cost with 100 products installed: what the window pays
// every two seconds to follow changes made outside it.
func BenchmarkStamp100Receipts(b *testing.B) {
	dir := b.TempDir()
	in, err := New(Options{StateDir: dir, Scope: ScopeUser})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		name := fmt.Sprintf("product-%03d", i)
		for _, f := range []string{name + ".json", name + ".previous.json"} {
			if err := os.WriteFile(filepath.Join(dir, f), make([]byte, 4096), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for range b.N {
		if _, err := in.Stamp(); err != nil {
			b.Fatal(err)
		}
	}
}
