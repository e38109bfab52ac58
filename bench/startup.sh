#!/usr/bin/env bash
# Row "assistant version (start-up alone)": wall time (hyperfine, warm
# page cache), peak RSS (/usr/bin/time -v), and what a CLI command prints
# on stderr under LANG=C.UTF-8 (a Docker or CI default).
# Usage: bash bench/startup.sh [RUNS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
record startup "$@" # its output goes to bench/RESULTS.md too
RUNS=${1:-30}
need hyperfine:hyperfine /usr/bin/time:time
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The command-line program as released (no window, no cgo); the window is
# the Onramp program.
CGO_ENABLED=0 go build -tags nogui -o "$work/assistant" ./cmd/assistant
echo "start-up: assistant version; binary $(du -m "$work/assistant" | cut -f1) MB; $RUNS runs"
hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-csv "$work/v.csv" "$work/assistant version" > /dev/null 2>&1
awk -F, 'NR==2 {printf "  wall: median %.1f ms (%.1f-%.1f ms)\n", $4 * 1000, $7 * 1000, $8 * 1000}' "$work/v.csv"
echo "  peak RSS: $(peak "$work/assistant" version)"
GODEBUG=inittrace=1 "$work/assistant" version 2>&1 >/dev/null | awk '/^init/ {c += $5; n++} END {printf "  package init: %.1f ms in %d packages\n", c, n}'
noise=$(LANG=C.UTF-8 "$work/assistant" version 2>&1 >/dev/null | wc -l)
echo "  stderr lines under LANG=C.UTF-8: $noise"
