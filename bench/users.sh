#!/usr/bin/env bash
# Measures the real window (GL driver under Xvfb) with 5,000 users in the
# demo service, which runs in a process of its own as the service does in
# real use: the import's preview and commit through the users screen, tab
# switches, a search, ticking the users shown; each step's time until the
# window has painted the frame after it, with the window's Go heap and
# resident memory after it, and the service process's memory at the end.
# ScaleTour is part of the tour (built with -tags tour where the tour is
# behind that tag). Needs xvfb-run. Usage: bash bench/users.sh [USERS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
record users "$@" # its output goes to bench/RESULTS.md too
if [ -z "${DISPLAY:-}" ]; then exec xvfb-run -a -s "-screen 0 1280x800x24" bash "$0" "$@"; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -tags tour -o "$work/usersgui" ./bench/usersgui # ScaleTour lives with the tour
HOME="$work" "$work/usersgui" "${1:-5000}"
