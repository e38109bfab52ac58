package setup

import (
	"time"

	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/installer"
)

// Step names what an Event is about.
type Step string

// Steps of the lifecycle, in the order an install reports them.
const (
	StepCheck    Step = "check"
	StepDownload Step = "download"
	StepPlan     Step = "plan"  // Plan is set
	StepStage    Step = "stage" // files unpacked so far: Done of Total
	StepCommit   Step = "commit"
	StepDone     Step = "done"
)

// Event is one progress report of a long operation. Transfers report at
// most every 200 ms (throttled by the downloader), installs per step; the
// last report of each comes at once.
type Event struct {
	Step    Step          `json:"event"`
	Product string        `json:"product,omitempty"`
	Done    int64         `json:"done"`  // bytes (download) or files (stage)
	Total   int64         `json:"total"` // 0 or -1 when unknown
	Bytes   int64         `json:"bytes,omitempty"`
	Rate    float64       `json:"rate,omitempty"` // bytes per second
	ETA     time.Duration `json:"eta,omitempty"`
	Message string        `json:"message,omitempty"`
	// Transfer is the downloader's own report, with its event kind
	// (start, resume, retry, restart, wait, done), for a download.
	Transfer *downloader.Progress `json:"-"`
	// Plan is what an install will do, with StepPlan.
	Plan *installer.Plan `json:"plan,omitempty"`
}
