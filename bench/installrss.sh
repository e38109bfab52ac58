#!/usr/bin/env bash
# Peak RSS and wall time of `assistant install` of tar.gz archives of
# growing size (bench/mkarchive): the peak must not grow with the number of
# entries. Each run installs into a fresh folder with fresh receipts.
# Usage: bash bench/installrss.sh [FILES...]   (default: 100000 300000)
#   ASSISTANT=path measures that program instead of building one;
#   RUNS (default 3) installs per size.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
record installrss "$@" # its output goes to bench/RESULTS.md too
need /usr/bin/time:time
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 300000)
RUNS=${RUNS:-3}
bin=${ASSISTANT:-}
if [ -z "$bin" ]; then
  bin=$work/assistant
  CGO_ENABLED=0 go build -tags nogui -o "$bin" ./cmd/assistant # the command-line program, as released
fi
export XDG_CONFIG_HOME=$work/config
export ONRAMP_MACHINE_STATE_DIR=$work/config/machine
for n in "${sizes[@]}"; do
  go run ./bench/mkarchive -files "$n" -out "$work/pkg.tar.gz"
  sum=$(sha256sum "$work/pkg.tar.gz" | cut -d' ' -f1)
  rss=() wall=()
  for _ in $(seq "$RUNS"); do
    rm -rf "$work/a" "$work/config"
    /usr/bin/time -v "$bin" install --silent --package "$work/pkg.tar.gz" --sha256 "$sum" --product many-files@1.0.0 --target "$work/a/t" \
      2> "$work/time.v" > /dev/null || { cat "$work/time.v" >&2; exit 1; }
    rss+=("$(awk -F: '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$work/time.v")")
    wall+=("$(awk '/Elapsed \(wall clock\)/ {n = split($NF, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s}' "$work/time.v")")
  done
  printf "  %7d files: peak RSS %s MiB; wall %s s\n" "$n" "$(IFS=/; echo "${rss[*]}")" "$(IFS=/; echo "${wall[*]}")"
done
