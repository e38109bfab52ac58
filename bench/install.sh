#!/usr/bin/env bash
# Measures `assistant install` of a real archive with thousands of files
# against `unzip` and `tar -x` of the same content, in one run; checks the
# installed trees are identical to theirs; and compares peak memory on a
# small and a large archive.
# Usage: bash bench/install.sh [ZIP] [RUNS]
#   ZIP defaults to Fyne's module zip from the Go module cache (about 2,000 files).
set -euo pipefail
cd "$(dirname "$0")/.."
modcache=$(go env GOMODCACHE)/cache/download
ZIP=${1:-$modcache/fyne.io/fyne/v2/@v/v2.7.1.zip}
RUNS=${2:-5}
BIG=${BIG:-$(find "$modcache" -name '*.zip' -size +20M | head -1)}
[ -f "$ZIP" ] || { echo "no archive at $ZIP: run 'go mod download' first, or pass one"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/assistant" ./cmd/assistant
export XDG_CONFIG_HOME=$work/config

# The same content as tar.gz.
mkdir "$work/src" && unzip -q "$ZIP" -d "$work/src"
tar -C "$work/src" -czf "$work/pkg.tar.gz" .
cp "$ZIP" "$work/pkg.zip"
zsum=$(sha256sum "$work/pkg.zip" | cut -d' ' -f1)
tsum=$(sha256sum "$work/pkg.tar.gz" | cut -d' ' -f1)
files=$(unzip -Z1 "$ZIP" | grep -vc '/$')
echo "archive: $ZIP ($files files, $(du -h "$ZIP" | cut -f1) zipped); $RUNS runs each, interleaved"

timed() { sync; /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null; cat "$work/time"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
: > "$work/unzip"; : > "$work/az"; : > "$work/tar"; : > "$work/at"
for i in $(seq "$RUNS"); do
  rm -rf "$work/u" "$work/t" "$work/a" "$work/config"
  timed unzip -q "$work/pkg.zip" -d "$work/u" | cut -d' ' -f1 >> "$work/unzip"
  timed "$work/assistant" install --silent --package "$work/pkg.zip" --sha256 "$zsum" --target "$work/a/z" | cut -d' ' -f1 >> "$work/az"
  mkdir -p "$work/t"
  timed tar -xzf "$work/pkg.tar.gz" -C "$work/t" | cut -d' ' -f1 >> "$work/tar"
  timed "$work/assistant" install --silent --package "$work/pkg.tar.gz" --sha256 "$tsum" --target "$work/a/t" | cut -d' ' -f1 >> "$work/at"
done
u=$(median < "$work/unzip"); az=$(median < "$work/az"); tr=$(median < "$work/tar"); at=$(median < "$work/at")
echo "median seconds: unzip $u | assistant install (zip) $az | tar -xzf $tr | assistant install (tar.gz) $at"
awk -v u="$u" -v az="$az" -v t="$tr" -v at="$at" 'BEGIN { printf "ratio zip: %.2f   ratio tar.gz: %.2f   (assistant also verifies the package, hashes every file for its receipt, and swaps atomically)\n", az/u, at/t }'

same() {
  if diff -r "$1" "$2" > /dev/null && [ "$(cd "$1" && find . -printf '%y %m %p\n' | sort)" = "$(cd "$2" && find . -printf '%y %m %p\n' | sort)" ]; then
    echo "identical (contents, types and modes)"
  else
    echo "DIFFERENT"; diff -r "$1" "$2" | head -5
  fi
}
echo "zip tree vs unzip: $(same "$work/u" "$work/a/z")"
echo "tar.gz tree vs tar: $(same "$work/t" "$work/a/t")"

echo "peak RSS (KiB), zip:"
rm -rf "$work/a" "$work/config"
echo "  $(du -h "$ZIP" | cut -f1): $(timed "$work/assistant" install --silent --package "$work/pkg.zip" --sha256 "$zsum" --target "$work/a/m1" | cut -d' ' -f2)"
if [ -n "$BIG" ]; then
  cp "$BIG" "$work/big.zip"
  bsum=$(sha256sum "$work/big.zip" | cut -d' ' -f1)
  echo "  $(du -h "$BIG" | cut -f1) ($(unzip -Z1 "$BIG" | wc -l) entries): $(timed "$work/assistant" install --silent --package "$work/big.zip" --sha256 "$bsum" --target "$work/a/m2" | cut -d' ' -f2)"
fi
