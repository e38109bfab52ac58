package ui

import (
	"time"

	"onramp.dev/onramp/setup"
)

// watchEvery is how often the window looks for changes made outside it.
const watchEvery = 2 * time.Second

// watchStates follows changes made outside the window (the command line
// installing, updating or removing a product, or finishing a download):
// every few seconds, and at once when the window comes to the
// foreground (the person back from a terminal), it reads the stamp of
// what the states are computed from, folder listings only, and computes
// the states again only when it changed. The window's own actions refresh the states when they end, so
// it waits while one runs. It stops at sign-out (another core) and when
// the window closes. It runs outside background's work count (Wait does
// not wait for a tick that may never change anything): tests that follow
// it wait for its redraws through onWatched.
func (a *Assistant) watchStates(core *setup.Setup) {
	every := a.cfg.WatchEvery
	switch {
	case every < 0:
		return
	case every == 0:
		every = watchEvery
	}
	ctx := a.ctx
	a.watchers.Add(1)
	go func() {
		defer a.watchers.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			case <-a.lookNow:
			}
			if ctx.Err() != nil {
				return // both were ready: the window is closed
			}
			stamp, err := core.Stamp()
			if err != nil {
				continue
			}
			var seen string
			current, busy := false, false
			a.onUI(func() { current, seen, busy = a.core == core && ctx.Err() == nil, a.statesStamp, a.productsBusy() })
			if !current {
				return
			}
			if stamp == seen || seen == "" || busy {
				continue // unchanged, or the first states still being computed, or an action running
			}
			// A failure (the service unreachable, an install of another
			// process holding its lock) is tried again at the next tick,
			// without a dialog for something the person did not do.
			states, err := core.Products(ctx)
			if err != nil {
				continue
			}
			a.onUI(func() {
				if a.core != core || ctx.Err() != nil || a.productsBusy() {
					return
				}
				a.statesStamp = stamp
				a.applyStates(states)
				if a.onWatched != nil {
					a.onWatched()
				}
			})
		}
	}()
}

// lookOutside has the watcher look for changes made outside the window
// now rather than at its next tick: the window came to the foreground.
// It never waits: a look already asked for is enough.
func (a *Assistant) lookOutside() {
	select {
	case a.lookNow <- struct{}{}:
	default:
	}
}

// productsBusy tells whether an action on a product runs in the window:
// its end brings the new states.
func (a *Assistant) productsBusy() bool {
	for _, r := range a.runs {
		if r.running {
			return true
		}
	}
	for _, c := range a.cards {
		if len(c.paused) > 0 {
			return true
		}
	}
	for _, s := range a.setups {
		if s.download.running() || s.install.running {
			return true
		}
	}
	return false
}
