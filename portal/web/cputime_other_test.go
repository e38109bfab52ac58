//go:build !unix

package web

import "time"

// cpuTime is not measured here: the benchmarks then report no CPU shares.
func cpuTime() time.Duration { return 0 }
