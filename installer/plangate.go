package installer

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"onramp.dev/onramp/installer/archive"
)

// planGate runs an install's plan (how many files and bytes, the space
// check, the user's files in the way) beside the staging instead of
// before it. The plan is counted from the staging's own pass over the
// archive (seen, walked): a package is read once. Its own pass (scan) is
// started only when the verdict is needed before the staging's pass ends:
// when the staging would go beyond its budget, when a refused staging
// needs it, or after planAfter, for the progress events (stage events
// come after the plan's). Until the plan is known the staging writes at
// most budget bytes, half the free space, and half the free file entries
// where the volume counts them, so a plan that then refuses leaves the
// volume at least half of what it had; none when the target holds files
// of the user's, whose conflicts are named first (the scan starts at
// once). A plan that refuses stops the staging with its error.
type planGate struct {
	in     *Installer
	plan   *Plan
	budget int64
	done   chan struct{} // closed when the plan is known
	err    error         // its refusal, set before done closes

	admitted  atomic.Int64
	announced sync.Once

	// The plan's own pass, started on demand.
	ctx context.Context
	pl  *planned
	pkg Package

	mu      sync.Mutex
	started bool // the plan's own pass runs: it decides
	decided bool // the staging's pass decided
	timer   *time.Timer

	count   *planCount  // the staging's pass's counts; nil with the scan started at once
	entries uint64      // the most file entries staged before the verdict; 0: no limit
	over    atomic.Bool // the staging's pass went beyond entries
}

// planAfter is how long an install stages without its plan's own pass:
// a package staged sooner (2,000 small files take a tenth of that on an
// idle machine) is read once; a longer install reports its progress
// against the plan's counts from about then. A variable for the tests.
var planAfter = time.Second

// planBeside prepares the plan of an install beside its staging;
// pl.plan.FreeSpace is the space before staging.
func (in *Installer) planBeside(ctx context.Context, pl *planned, pkg Package) *planGate {
	p := pl.plan
	g := &planGate{in: in, plan: p, budget: math.MaxInt64, done: make(chan struct{}), ctx: ctx, pl: pl, pkg: pkg}
	switch {
	case len(pl.users) > 0:
		g.budget = 0
	case p.FreeSpace > 0:
		g.budget = int64(p.FreeSpace / 2)
	}
	if len(pl.users) > 0 {
		g.start()
		return g
	}
	g.count = newPlanCount(p.vol.Block, false)
	if p.vol.InodesKnown {
		g.entries = max(p.vol.FreeInodes/2, 1)
	}
	g.timer = time.AfterFunc(planAfter, g.start)
	return g
}

// start runs the plan's own pass, unless it runs or the plan is known.
func (g *planGate) start() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.started || g.decided {
		return
	}
	g.started = true
	go func() {
		defer close(g.done)
		err := g.pl.scan(g.ctx, g.pkg)
		if err == nil {
			err = g.plan.SpaceProblem()
		}
		g.err = err
	}()
}

// seen counts an entry of the staging's pass, which has checked it; the
// pass calls it on one goroutine, in the archive's order.
func (g *planGate) seen(e archive.Entry) {
	if g.count == nil {
		return
	}
	g.count.add(e)
	if g.entries > 0 && g.count.use.inodes > g.entries && !g.over.Load() {
		g.over.Store(true)
		g.start()
	}
}

// walked decides the plan from the staging's pass, once the whole
// archive has passed its checks, unless the plan's own pass runs.
func (g *planGate) walked() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.started || g.decided || g.count == nil {
		return
	}
	g.decided = true
	g.timer.Stop()
	err := g.count.settle(g.pl)
	if err == nil {
		err = g.plan.SpaceProblem()
	}
	g.err = err
	close(g.done)
}

// admit lets a file of n bytes be staged: at once within the budget or
// once the plan has passed; otherwise the plan's refusal.
func (g *planGate) admit(ctx context.Context, n int64) error {
	select {
	case <-g.done:
		return g.err
	default:
	}
	if g.admitted.Add(n) <= g.budget && !g.over.Load() {
		return nil
	}
	g.start()
	select {
	case <-g.done:
		return g.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// announce reports the plan once it is known and has passed, exactly
// once, and says whether it has been: stage events come after it.
func (g *planGate) announce() bool {
	select {
	case <-g.done:
	default:
		return false
	}
	if g.err != nil {
		return false
	}
	g.announced.Do(func() {
		g.in.report(Progress{Step: "plan", Total: g.plan.Files, Bytes: g.plan.Bytes, Plan: g.plan})
	})
	return true
}

// wait returns the plan's verdict, running its own pass if the staging's
// did not decide it.
func (g *planGate) wait() error {
	g.start()
	<-g.done
	return g.err
}
