#!/usr/bin/env bash
# Rows "install of Fyne's module zip (2,000 files) vs unzip -q" and
# "install of a 100,000-file tar.gz vs tar -xzf": alternating pairs
# (bench/lib.sh's paired), peak RSS of each (/usr/bin/time -v), and a check
# that the installed trees are identical to unzip's and tar's; and the
# assistant's peak RSS for a tar.gz three times larger.
# Usage: bash bench/install.sh [ZIP] [RUNS] [TAR_FILES] [TAR_RUNS]
#   ZIP defaults to Fyne's module zip from the Go module cache; RUNS 5;
#   TAR_FILES 100000; TAR_RUNS 5 (each run creates TAR_FILES files).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ZIP=${1:-$(go env GOMODCACHE)/cache/download/fyne.io/fyne/v2/@v/v2.7.1.zip}
RUNS=${2:-${RUNS:-5}}
TAR_FILES=${3:-100000}
TAR_RUNS=${4:-${TAR_RUNS:-5}}
[ -f "$ZIP" ] || { echo "no archive at $ZIP: run 'go mod download' first, or pass one"; exit 1; }
need hyperfine:hyperfine unzip:unzip /usr/bin/time:time
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -tags nogui -o "$work/assistant" ./cmd/assistant # the command-line program, as released
go run ./bench/mkarchive -files "$TAR_FILES" -out "$work/pkg.tar.gz"
cp "$ZIP" "$work/pkg.zip"
export XDG_CONFIG_HOME=$work/config
# As root an install outside the home is machine-wide: its receipts go to
# the work folder too, never the machine's.
export ONRAMP_MACHINE_STATE_DIR=$work/config/machine
zsum=$(sha256sum "$work/pkg.zip" | cut -d' ' -f1)
tsum=$(sha256sum "$work/pkg.tar.gz" | cut -d' ' -f1)
# Each run starts on a settled file system: the previous run's 100,000
# files are deleted, every dirty page written back (sync) and, as root,
# the kernel's dentry and inode caches dropped before the clock starts.
# Without that the same install's system time grew run after run here
# (2.4 s, 9.6 s, 13.0 s for 20,000 files) as the caches filled with the
# deleted trees, and neither command paid for its own work alone.
clean="bash -c 'rm -rf $work/a $work/u $work/t $work/config; mkdir -p $work/t; sync; if [ -w /proc/sys/vm/drop_caches ]; then echo 3 > /proc/sys/vm/drop_caches; fi'"

echo "zip: $(basename "$ZIP") ($(unzip -Z1 "$ZIP" | grep -vc '/$') files, $(du -h "$ZIP" | cut -f1)); $RUNS alternating pairs"
paired "$RUNS" "$clean" \
  "assistant install (zip)" "$work/assistant install --silent --package $work/pkg.zip --sha256 $zsum --product fyne-zip@2.7.1 --target $work/a/z" \
  "unzip -q" "unzip -q $work/pkg.zip -d $work/u"
eval "$clean"
echo "  peak RSS: assistant $(peak "$work/assistant" install --silent --package "$work/pkg.zip" --sha256 "$zsum" --product fyne-zip@2.7.1 --target "$work/a/z"), unzip $(peak unzip -q "$work/pkg.zip" -d "$work/u")"

echo "tar.gz: $TAR_FILES files (bench/mkarchive, $(du -h "$work/pkg.tar.gz" | cut -f1)); $TAR_RUNS alternating pairs"
paired "$TAR_RUNS" "$clean" \
  "assistant install (tar.gz)" "$work/assistant install --silent --package $work/pkg.tar.gz --sha256 $tsum --product many-files@1.0.0 --target $work/a/t" \
  "tar -xzf" "tar -xzf $work/pkg.tar.gz -C $work/t"
eval "$clean"
echo "  peak RSS: assistant $(peak "$work/assistant" install --silent --package "$work/pkg.tar.gz" --sha256 "$tsum" --product many-files@1.0.0 --target "$work/a/t"), tar $(peak tar -xzf "$work/pkg.tar.gz" -C "$work/t")"
# Memory must not grow with the number of entries: the same, three times larger.
go run ./bench/mkarchive -files $((3 * TAR_FILES)) -out "$work/pkg3.tar.gz"
t3sum=$(sha256sum "$work/pkg3.tar.gz" | cut -d' ' -f1)
echo "  peak RSS at $((3 * TAR_FILES)) files: assistant $(peak "$work/assistant" install --silent --package "$work/pkg3.tar.gz" --sha256 "$t3sum" --product more-files@1.0.0 --target "$work/a/t3")"
rm -rf "$work/a/t3" "$work/pkg3.tar.gz"

same() {
  if diff -r "$1" "$2" > /dev/null && [ "$(cd "$1" && find . -printf '%y %m %p\n' | sort)" = "$(cd "$2" && find . -printf '%y %m %p\n' | sort)" ]; then
    echo "identical (contents, types and modes)"
  else
    echo "DIFFERENT"; diff -r "$1" "$2" | head -5
  fi
}
"$work/assistant" install --silent --package "$work/pkg.zip" --sha256 "$zsum" --product fyne-zip@2.7.1 --target "$work/a/z" > /dev/null 2>&1
unzip -q "$work/pkg.zip" -d "$work/u"
echo "trees: zip vs unzip $(same "$work/u" "$work/a/z"); tar.gz vs tar $(same "$work/t" "$work/a/t")"
