package installer

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
)

// planGate runs an install's plan (its pass over the archive: how many
// files and bytes, the space check, the user's files in the way) beside
// the staging instead of before it. Until the plan is known the staging
// writes at most budget bytes: half the free space, so a plan that then
// refuses leaves the volume at least half of what it had; none when the
// target holds files of the user's, whose conflicts are named first. A
// plan that refuses stops the staging with its error.
type planGate struct {
	in     *Installer
	plan   *Plan
	budget int64
	done   chan struct{} // closed when the plan is known
	err    error         // its refusal, set before done closes

	admitted  atomic.Int64
	announced sync.Once
}

// planBeside starts the plan's pass over the archive on a goroutine of
// its own; pl.plan.FreeSpace is the space before staging.
func (in *Installer) planBeside(ctx context.Context, pl *planned, pkg Package) *planGate {
	p := pl.plan
	g := &planGate{in: in, plan: p, budget: math.MaxInt64, done: make(chan struct{})}
	switch {
	case len(pl.users) > 0:
		g.budget = 0
	case p.FreeSpace > 0:
		g.budget = int64(p.FreeSpace / 2)
	}
	go func() {
		defer close(g.done)
		err := pl.scan(ctx, pkg)
		if err == nil {
			err = p.SpaceProblem()
		}
		g.err = err
	}()
	return g
}

// admit lets a file of n bytes be staged: at once within the budget or
// once the plan has passed; otherwise the plan's refusal.
func (g *planGate) admit(ctx context.Context, n int64) error {
	select {
	case <-g.done:
		return g.err
	default:
	}
	if g.admitted.Add(n) <= g.budget {
		return nil
	}
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

// wait returns the plan's verdict once its pass has ended.
func (g *planGate) wait() error {
	<-g.done
	return g.err
}
