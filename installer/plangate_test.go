package installer

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"onramp.dev/onramp/catalog"
)

// manyFiles is an archive of n files of 1,000 bytes in folders of 100.
func manyFiles(n int) []file {
	var fs []file
	for i := range n {
		fs = append(fs, file{name: fmt.Sprintf("d%02d/f%04d.txt", i/100, i), body: strings.Repeat("x", 1000)})
	}
	return fs
}

// The plan's pass runs beside the staging: a file beyond the budget waits
// for its verdict, and gets its refusal; a plan that passes is announced
// once, with the archive's counts.
func TestPlanGate(t *testing.T) {
	const n = 500
	pkg := writePackage(t, buildTarGz(t, manyFiles(n)), catalog.FormatTarGz, "1.0.0")
	target := filepath.Join(t.TempDir(), "atlas")
	t.Run("too little space: the file beyond the budget gets the refusal", func(t *testing.T) {
		in := newInstaller(t)
		pl := &planned{plan: &Plan{Target: target, FreeSpace: n*1000 - 1, vol: volume{Known: true, Free: n*1000 - 1}}}
		g := in.planBeside(context.Background(), pl, pkg)
		var se *SpaceError
		if err := g.admit(context.Background(), n*1000); !errors.As(err, &se) || se.Need < n*1000 {
			t.Fatalf("admit beyond the budget: %v, want the space refusal", err)
		}
		if err := g.wait(); !errors.As(err, &se) {
			t.Fatalf("verdict %v", err)
		}
		if g.announce() {
			t.Fatal("a refused plan was announced")
		}
	})
	t.Run("enough space: announced once, with the counts", func(t *testing.T) {
		var mu sync.Mutex
		var plans []Progress
		in, err := New(Options{StateDir: t.TempDir(), Scope: ScopeUser, Progress: func(p Progress) {
			mu.Lock()
			defer mu.Unlock()
			plans = append(plans, p)
		}})
		if err != nil {
			t.Fatal(err)
		}
		pl := &planned{plan: &Plan{Target: target, FreeSpace: 1 << 40}}
		g := in.planBeside(context.Background(), pl, pkg)
		if err := g.admit(context.Background(), 1<<30); err != nil {
			t.Fatal(err)
		}
		if err := g.wait(); err != nil {
			t.Fatal(err)
		}
		first, again := g.announce(), g.announce()
		if !first || !again {
			t.Fatal("a plan that passed was not announced")
		}
		if len(plans) != 1 || plans[0].Step != "plan" || plans[0].Total != n || plans[0].Bytes != n*1000 {
			t.Fatalf("events %+v, want one plan of %d files", plans, n)
		}
	})
	t.Run("a short install: counted from the staging's own pass", func(t *testing.T) {
		defer func(d time.Duration) { planAfter = d }(planAfter)
		planAfter = time.Hour
		in := newInstaller(t)
		pl := &planned{plan: &Plan{Target: target, FreeSpace: 1 << 40, vol: volume{Known: true, Free: 1 << 40}}}
		g := in.planBeside(context.Background(), pl, pkg)
		staging, st, err := in.stage(context.Background(), pkg, target, 0, g)
		if err != nil {
			t.Fatal(err)
		}
		defer removeTree(staging)
		defer st.done()
		if err := g.wait(); err != nil {
			t.Fatal(err)
		}
		if g.started {
			t.Fatal("the plan read the package a second time")
		}
		if p := pl.plan; p.Files != n || p.Bytes != n*1000 || p.Entries != n+n/100+1 || !p.planned {
			t.Fatalf("plan %+v, want %d files of 1,000 bytes", p, n)
		}
	})
	t.Run("too few file entries: the staging stops at half of them", func(t *testing.T) {
		defer func(d time.Duration) { planAfter = d }(planAfter)
		planAfter = time.Hour
		in := newInstaller(t)
		v := volume{Known: true, Free: 1 << 40, InodesKnown: true, FreeInodes: n / 4}
		pl := &planned{plan: &Plan{Target: target, FreeSpace: v.Free, vol: v}}
		g := in.planBeside(context.Background(), pl, pkg)
		_, _, err := in.stage(context.Background(), pkg, target, 0, g)
		var se *SpaceError
		if !errors.As(err, &se) || se.NeedInodes != n+n/100+1 {
			t.Fatalf("staging: %v, want it stopped by the plan's refusal for %d entries", err, n+n/100+1)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		g := newInstaller(t).planBeside(ctx, &planned{plan: &Plan{Target: target}}, pkg)
		if err := g.wait(); !errors.Is(err, context.Canceled) {
			t.Fatalf("verdict %v, want cancelled", err)
		}
	})
}

// An install reports its plan first, then the staging, then done, with
// the archive's counts, though the plan is read beside the staging:
// counted from the staging's own pass (a short install), or by a pass of
// its own started after planAfter.
func TestInstallEventsInOrder(t *testing.T) {
	const n = 3000
	for _, format := range []catalog.Format{catalog.FormatTarGz, catalog.FormatZip} {
		for _, after := range []time.Duration{time.Hour, 0} {
			t.Run(fmt.Sprintf("%s planAfter %v", format, after), func(t *testing.T) {
				defer func(d time.Duration) { planAfter = d }(planAfter)
				planAfter = after
				installEventsInOrder(t, format, n)
			})
		}
	}
}

func installEventsInOrder(t *testing.T, format catalog.Format, n int) {
	n64 := int64(n)
	data := buildTarGz(t, manyFiles(n))
	if format == catalog.FormatZip {
		data = buildZip(t, manyFiles(n))
	}
	pkg := writePackage(t, data, format, "1.0.0")
	var events []Progress // the stager reports under its lock
	in, err := New(Options{StateDir: t.TempDir(), Scope: ScopeUser, Progress: func(p Progress) { events = append(events, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Install(context.Background(), pkg, filepath.Join(t.TempDir(), "atlas")); err != nil {
		t.Fatal(err)
	}
	if len(events) < 2 || events[0].Step != "plan" || events[0].Total != n || events[0].Bytes != n64*1000 {
		t.Fatalf("first event %+v, want the plan of %d files", events[0], n)
	}
	if p := events[0].Plan; p.DiskBytes < n64*1000 || p.Entries != n64+n64/100+1 {
		t.Fatalf("plan %+v, want %d entries (the files, their folders and the staging folder) taking at least %d bytes", p, n+n/100+1, n*1000)
	}
	staged := false
	for _, e := range events[1 : len(events)-1] {
		if e.Step == "plan" || (e.Step == "stage" && e.Total != n) {
			t.Fatalf("event %+v after the plan", e)
		}
		staged = staged || e.Step == "stage"
	}
	if !staged {
		t.Fatalf("events %+v: no stage event", events)
	}
	if last := events[len(events)-1]; last.Step != "done" || last.Files != n {
		t.Fatalf("last event %+v", last)
	}
}
