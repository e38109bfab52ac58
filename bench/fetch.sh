#!/usr/bin/env bash
# Rows "1 GiB assistant fetch (verified) vs curl -o (unverified)" and
# "peak RSS of that fetch": both from nginx (Debian nginx-light, sendfile
# on) on 127.0.0.1, alternating (bench/lib.sh's paired); then the bytes
# sent again after a cut, from bench/serve.
# Usage: bash bench/fetch.sh [SIZE_MIB] [RUNS]   (defaults 1024 and 7)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
record fetch "$@" # its output goes to bench/RESULTS.md too
SIZE=${1:-1024}
RUNS=${2:-7}
need nginx:nginx-light hyperfine:hyperfine curl:curl /usr/bin/time:time
work=$(mktemp -d)
trap 'stop_nginx; kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -tags nogui -o "$work/assistant" ./cmd/assistant # the command-line program, as released
go build -o "$work/serve" ./bench/serve
mkdir -p "$work/data"
head -c $((SIZE << 20)) /dev/urandom > "$work/data/big.bin"
sum=$(sha256sum "$work/data/big.bin" | cut -d' ' -f1)
# The file just made is 1 GiB of dirty pages: it is written back now, not
# during the runs. Each run then starts with nothing waiting to be
# written (sync in the preparation).
sync
start_nginx "$work/data"

echo "fetch: ${SIZE} MiB from nginx on $URL (sendfile on); $RUNS alternating pairs"
paired "$RUNS" "bash -c 'rm -rf $work/out $work/cache; sync'" \
  "assistant fetch (verified)" "$work/assistant fetch $URL/big.bin --sha256 $sum --out $work/out/a.bin --cache $work/cache" \
  "curl -o (unverified)" "curl -s --create-dirs -o $work/out/c.bin $URL/big.bin"
rm -rf "$work/out" "$work/cache"
echo "  peak RSS of assistant fetch: $(peak "$work/assistant" fetch "$URL/big.bin" --sha256 "$sum" --out "$work/out/a.bin" --cache "$work/cache")"
rm -rf "$work/out" "$work/cache"
echo "  peak RSS of curl -o: $(peak curl -s --create-dirs -o "$work/out/c.bin" "$URL/big.bin")"
rm -rf "$work/out"
stop_nginx

echo "bytes sent again after a cut (bench/serve's body bytes minus the file size):"
for cut_mib in 1 $((SIZE / 3)) $((SIZE * 3 / 4)); do
  "$work/serve" -dir "$work/data" -cut $((cut_mib << 20)) > "$work/url" &
  for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.05; done
  u=$(cat "$work/url")
  "$work/assistant" fetch "$u/big.bin" --sha256 "$sum" --out "$work/out/r.bin" --cache "$work/cr" --json > "$work/events" 2> /dev/null
  sent=$(curl -s "$u/stats")
  resumed=$(grep -c '"event":"resume"' "$work/events" || true)
  echo "  cut at ${cut_mib} MiB: resumed ${resumed}x, $((sent - (SIZE << 20))) bytes sent twice"
  kill %% 2>/dev/null || true; wait 2>/dev/null || true; : > "$work/url"
  rm -rf "$work/cr" "$work/out"
done
