package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/setup"
)

// printer is how a command reports what it does and what came of it:
// textPrinter in words for people, jsonPrinter as the typed documents and
// events of package jsonout for scripts (--json). Commands never look at
// --json themselves: they hand both forms of their result to the printer.
// Its methods may be called from any goroutine.
type printer interface {
	// transfer shows a download's progress.
	transfer(ev downloader.Progress)
	// step shows the core's progress: transfers, the install's plan and
	// steps. People see the plan only when showPlan is set; scripts
	// always get the plan event.
	step(ev setup.Event, showPlan bool)
	// result shows the command's outcome: doc to scripts, text (nil:
	// nothing to say) to people.
	result(doc any, text func(w io.Writer))
	// failure shows the error a command ends with to scripts; people
	// read it on standard error, which report writes in both modes.
	failure(doc jsonout.ErrorDetail)
	// notice tells people something on standard error while a command
	// runs; scripts do without it.
	notice(format string, args ...any)
	// echo is where a long operation's log lines are shown to people as
	// they are written (io.Discard for scripts).
	echo() io.Writer
}

// newPrinter is the printer of a command run: JSON with --json, as one
// document or, for a stream command, as NDJSON events.
func newPrinter(e *env, stream bool) printer {
	if e.json {
		return &jsonPrinter{w: e.stdout, stream: stream}
	}
	p := &textPrinter{stdout: e.stdout, stderr: e.stderr}
	if f, ok := e.stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

// progress is the core's progress callback for this run.
func (e *env) progress(showPlan bool) func(setup.Event) {
	out := e.out
	return func(ev setup.Event) { out.step(ev, showPlan) }
}

// unlessSilent is text, or nil when the command was told to be silent.
func unlessSilent(silent bool, text func(w io.Writer)) func(w io.Writer) {
	if silent {
		return nil
	}
	return text
}

// textPrinter writes words: a progress bar on standard error when it is a
// terminal, retries and stalls as lines otherwise, results on standard
// output.
type textPrinter struct {
	mu             sync.Mutex
	stdout, stderr io.Writer
	terminal       bool
}

func (p *textPrinter) transfer(ev downloader.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.terminal:
		drawBar(p.stderr, ev)
	case noticeEvent(ev.Event):
		fmt.Fprintf(p.stderr, "%s\n", noticeText(ev))
	}
}

func (p *textPrinter) step(ev setup.Event, showPlan bool) {
	switch {
	case ev.Transfer != nil:
		p.transfer(*ev.Transfer)
	case ev.Step == setup.StepPlan && showPlan:
		p.mu.Lock()
		defer p.mu.Unlock()
		printPlan(p.stdout, ev.Plan)
	}
}

func (p *textPrinter) result(_ any, text func(w io.Writer)) {
	if text == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	text(p.stdout)
}

func (p *textPrinter) failure(jsonout.ErrorDetail) {}

func (p *textPrinter) notice(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.stderr, format+"\n", args...)
}

func (p *textPrinter) echo() io.Writer { return p.stdout }

// jsonPrinter writes the documents and events of package jsonout on
// standard output: one indented document, or for a stream command one
// event per line (progress, then the result or the error).
type jsonPrinter struct {
	mu     sync.Mutex
	w      io.Writer
	stream bool
}

func (p *jsonPrinter) transfer(ev downloader.Progress) {
	p.line(jsonout.TransferEvent{Event: ev.Event, URL: downloader.Redact(ev.URL), Dest: ev.Dest, Done: ev.Done, Total: ev.Total,
		Rate: int64(ev.Rate), ETASeconds: int64(ev.ETA.Seconds()), Message: ev.Message, Attempt: ev.Attempt, MaxAttempts: ev.MaxAttempts})
}

func (p *jsonPrinter) step(ev setup.Event, _ bool) {
	switch {
	case ev.Transfer != nil:
		p.transfer(*ev.Transfer)
	case ev.Step == setup.StepCheck || ev.Step == setup.StepDownload:
		// The check's verdict comes with the result or the error, a
		// download's progress as transfer events.
	case ev.Step == setup.StepPlan:
		p.line(jsonout.PlanEvent{Event: jsonout.EventPlan, Plan: ev.Plan})
	default:
		p.line(jsonout.StepEvent{Event: ev.Step, Files: ev.Done, Total: ev.Total, Bytes: ev.Bytes})
	}
}

// line writes one event of a stream; a document command prints no
// progress, only its document.
func (p *jsonPrinter) line(v any) {
	if !p.stream {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.w.Write(append(b, '\n'))
}

func (p *jsonPrinter) result(doc any, _ func(w io.Writer)) {
	if p.stream {
		p.line(doc)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	writeJSON(p.w, doc)
}

func (p *jsonPrinter) failure(d jsonout.ErrorDetail) {
	if p.stream {
		p.line(jsonout.Error{Event: jsonout.EventError, Error: d})
		return
	}
	p.result(jsonout.Error{Error: d}, nil)
}

func (p *jsonPrinter) notice(string, ...any) {}

func (p *jsonPrinter) echo() io.Writer { return io.Discard }

// noticeEvent tells the events printed as a line of their own rather
// than as the bar.
func noticeEvent(e downloader.Event) bool {
	switch e {
	case downloader.EventRetry, downloader.EventStall, downloader.EventRestart, downloader.EventWait:
		return true
	}
	return false
}

// noticeText is a retry, stall, restart or wait as a line: what happened
// and, for a retry, which attempt comes next.
func noticeText(ev downloader.Progress) string {
	text := termSafe(filepath.Base(ev.Dest)) + ": "
	switch {
	case ev.Message != "":
		text += termSafe(ev.Message)
	case ev.Event == downloader.EventStall:
		text += "stalled, no data"
	default:
		text += string(ev.Event)
	}
	if ev.Attempt > 0 && ev.MaxAttempts > 0 {
		text += fmt.Sprintf("; retrying, attempt %d of %d…", ev.Attempt, ev.MaxAttempts)
	}
	return text
}

func drawBar(w io.Writer, ev downloader.Progress) {
	name := filepath.Base(ev.Dest)
	switch ev.Event {
	case downloader.EventRetry, downloader.EventStall, downloader.EventRestart, downloader.EventWait:
		fmt.Fprintf(w, "\r\033[K%s\n", noticeText(ev))
		return
	case downloader.EventDone:
		fmt.Fprintf(w, "\r\033[K%s: %s done\n", termSafe(name), catalog.ByteSize(ev.Done))
		return
	}
	const width = 30
	bar, pct := strings.Repeat(" ", width), ""
	if ev.Total > 0 {
		filled := int(float64(width) * float64(ev.Done) / float64(ev.Total))
		bar = strings.Repeat("#", filled) + strings.Repeat(".", width-filled)
		pct = fmt.Sprintf("%3d%% ", ev.Done*100/ev.Total)
	}
	rate := "" // 0 until the rate can be measured: show none rather than 0 B/s
	if ev.Rate > 0 {
		rate = fmt.Sprintf(", %s/s", catalog.ByteSize(int64(ev.Rate)))
	}
	if ev.ETA > 0 {
		rate += " ETA " + ev.ETA.String()
	}
	fmt.Fprintf(w, "\r\033[K%s [%s] %s%s of %s%s", termSafe(name), bar, pct, catalog.ByteSize(ev.Done), catalog.ByteSize(ev.Total), rate)
}

// writeJSON writes one indented JSON document.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(os.Stderr, "writing JSON: %v\n", err)
	}
}
