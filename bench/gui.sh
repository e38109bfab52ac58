#!/usr/bin/env bash
# Measures the window under Xvfb, with the real binary and the embedded
# demo service:
#   1. time from start to a visible window (xwininfo reports the "Onramp"
#      window IsViewable), 5 runs, median;
#   2. the UI goroutine's longest stall while a download runs: the tour
#      walks every screen, with the download capped at 100 KB/s so that it
#      lasts about 3 s; a probe sends a no-op through fyne.DoAndWait every
#      10 ms and keeps the longest wait per step ("after check" is the
#      download, "after download" the install).
# Needs xvfb-run, xwininfo (x11-utils). Usage: bash bench/gui.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
record gui "$@" # its output goes to bench/RESULTS.md too
if [ -z "${DISPLAY:-}" ]; then exec xvfb-run -a -s "-screen 0 1280x800x24" bash "$0" "$@"; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -tags demo -o "$work/assistant" ./cmd/assistant # the demo is in the demo build only
now_ms() { date +%s%3N; }
times=()
for run in 1 2 3 4 5; do
  home="$work/home$run"; mkdir -p "$home"
  start=$(now_ms)
  HOME=$home "$work/assistant" --demo gui --lang en >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 3000); do
    if xwininfo -name Onramp 2>/dev/null | grep -q IsViewable; then break; fi
  done
  times+=($(( $(now_ms) - start )))
  kill "$pid"; wait "$pid" || true
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
echo "start to visible window (ms), 5 runs: $sorted; median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)"
HOME="$work/tour" "$work/assistant" --demo gui --lang en --limit-rate 100K --tour "$work/shots" >/dev/null 2>&1
echo "longest UI stall per step (ms):"
cat "$work/shots/timings.json"
