#!/usr/bin/env bash
# Measures `assistant fetch` (download + SHA-256 verification) against
# `curl -o` (no verification) and `curl -o` + `sha256sum`, in one run, on
# one file served from 127.0.0.1; then peak memory for 100 MiB and 1 GiB,
# and the bytes sent again after a cut at several points.
# Usage: bash bench/fetch.sh [SIZE_MIB] [RUNS]   (defaults 1024 and 5)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1024}
RUNS=${2:-5}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/assistant" ./cmd/assistant
go build -o "$work/serve" ./bench/serve
mkdir -p "$work/data" "$work/out"
head -c $((SIZE << 20)) /dev/urandom > "$work/data/big.bin"
head -c $((100 << 20)) /dev/urandom > "$work/data/small.bin"
big_sum=$(sha256sum "$work/data/big.bin" | cut -d' ' -f1)
small_sum=$(sha256sum "$work/data/small.bin" | cut -d' ' -f1)

start_server() { # $1: extra flags
  "$work/serve" -dir "$work/data" $1 > "$work/url" &
  for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.05; done
  URL=$(cat "$work/url")
}
stop_server() { kill %% 2>/dev/null || true; wait 2>/dev/null || true; : > "$work/url"; }

# /usr/bin/time: elapsed seconds and peak RSS in KiB
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null; cat "$work/time"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

start_server ""
echo "file: ${SIZE} MiB from $URL; $RUNS runs each, interleaved"
: > "$work/curl"; : > "$work/curlsha"; : > "$work/onramp"
for i in $(seq "$RUNS"); do
  rm -f "$work/out/"*
  timed curl -s -o "$work/out/c.bin" "$URL/big.bin" | cut -d' ' -f1 >> "$work/curl"
  rm -f "$work/out/"*
  timed sh -c "curl -s -o '$work/out/c.bin' '$URL/big.bin' && sha256sum '$work/out/c.bin'" | cut -d' ' -f1 >> "$work/curlsha"
  rm -f "$work/out/"*
  timed "$work/assistant" fetch "$URL/big.bin" --sha256 "$big_sum" --out "$work/out/o.bin" --cache "$work/cache-$i" | cut -d' ' -f1 >> "$work/onramp"
  rm -rf "$work/cache-$i"
done
c=$(median < "$work/curl"); cs=$(median < "$work/curlsha"); o=$(median < "$work/onramp")
echo "median seconds: curl -o $c | curl -o + sha256sum $cs | assistant fetch (verified) $o"
awk -v o="$o" -v c="$c" -v cs="$cs" -v s="$SIZE" 'BEGIN {
  printf "throughput: curl %.0f MiB/s, assistant %.0f MiB/s\n", s/c, s/o
  printf "ratio assistant/curl -o: %.2f   ratio assistant/(curl -o + sha256sum): %.2f\n", o/c, o/cs }'

echo
echo "peak RSS (KiB):"
rm -f "$work/out/"*
echo "  100 MiB: $(timed "$work/assistant" fetch "$URL/small.bin" --sha256 "$small_sum" --out "$work/out/s.bin" --cache "$work/c1" | cut -d' ' -f2)"
echo "  ${SIZE} MiB: $(timed "$work/assistant" fetch "$URL/big.bin" --sha256 "$big_sum" --out "$work/out/b.bin" --cache "$work/c2" | cut -d' ' -f2)"
rm -rf "$work/c1" "$work/c2" "$work/out/"*
stop_server

echo
echo "bytes sent again after a cut (server's total body bytes minus the file size):"
for cut_mib in 1 $((SIZE / 3)) $((SIZE * 3 / 4)); do
  start_server "-cut $((cut_mib << 20))"
  rm -f "$work/out/"*
  "$work/assistant" fetch "$URL/big.bin" --sha256 "$big_sum" --out "$work/out/r.bin" --cache "$work/cr" --json > "$work/events"
  rm -rf "$work/cr"
  sent=$(curl -s "$URL/stats")
  extra=$((sent - (SIZE << 20)))
  resumed=$(grep -c '"event":"resume"' "$work/events" || true)
  echo "  cut at ${cut_mib} MiB: resumed ${resumed}x, ${extra} bytes sent twice"
  stop_server
done
