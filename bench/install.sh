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
zsum=$(sha256sum "$work/pkg.zip" | cut -d' ' -f1)
tsum=$(sha256sum "$work/pkg.tar.gz" | cut -d' ' -f1)
# Each run starts on a settled file system, the same for both commands.
# As root (with mkfs.ext4 and a loop device), that is a new ext4 file
# system, made before each run in an image file and mounted on $work/fs,
# with every inode table written at once (no background initialisation
# during the run). Deleting the previous run's 100,000 files instead left
# the next run in ext4's search past recently deleted inodes
# (recently_deleted: 60% of tar's time in perf; the same install took
# 4.9 s, then 13.9 s): which command it hit depended on where its folders
# landed.
# Otherwise: the previous tree deleted, every dirty page written back
# (sync) and, as root, the dentry and inode caches dropped.
fs=$work/fs
mkdir -p "$fs"
newfs="mkfs.ext4 -q -F -N 700000 -E lazy_itable_init=0,lazy_journal_init=0 $work/fs.img && mount -o loop $work/fs.img $fs"
if [ "$(id -u)" -eq 0 ] && command -v mkfs.ext4 > /dev/null && truncate -s 6G "$work/fs.img" && eval "$newfs"; then
  trap 'umount "$fs" 2> /dev/null; rm -rf "$work"' EXIT
  method="each run on a new ext4 file system (loop-mounted image)"
  clean="bash -c 'umount $fs && $newfs && mkdir -p $fs/t && sync && echo 3 > /proc/sys/vm/drop_caches'"
else
  method="each run after deleting the previous tree, sync$( [ -w /proc/sys/vm/drop_caches ] && echo " and dropped caches")"
  clean="bash -c 'rm -rf $fs/a $fs/u $fs/t $fs/config; mkdir -p $fs/t; sync; if [ -w /proc/sys/vm/drop_caches ]; then echo 3 > /proc/sys/vm/drop_caches; fi'"
fi
export XDG_CONFIG_HOME=$fs/config
# As root an install outside the home is machine-wide: its receipts go to
# the work folder too, never the machine's.
export ONRAMP_MACHINE_STATE_DIR=$fs/config/machine
eval "$clean"
echo "installs: $method"

echo "zip: $(basename "$ZIP") ($(unzip -Z1 "$ZIP" | grep -vc '/$') files, $(du -h "$ZIP" | cut -f1)); $RUNS alternating pairs"
paired "$RUNS" "$clean" \
  "assistant install (zip)" "$work/assistant install --silent --package $work/pkg.zip --sha256 $zsum --product fyne-zip@2.7.1 --target $fs/a/z" \
  "unzip -q" "unzip -q $work/pkg.zip -d $fs/u"
eval "$clean"
echo "  peak RSS: assistant $(peak "$work/assistant" install --silent --package "$work/pkg.zip" --sha256 "$zsum" --product fyne-zip@2.7.1 --target "$fs/a/z"), unzip $(peak unzip -q "$work/pkg.zip" -d "$fs/u")"

echo "tar.gz: $TAR_FILES files (bench/mkarchive, $(du -h "$work/pkg.tar.gz" | cut -f1)); $TAR_RUNS alternating pairs"
paired "$TAR_RUNS" "$clean" \
  "assistant install (tar.gz)" "$work/assistant install --silent --package $work/pkg.tar.gz --sha256 $tsum --product many-files@1.0.0 --target $fs/a/t" \
  "tar -xzf" "tar -xzf $work/pkg.tar.gz -C $fs/t"
eval "$clean"
echo "  peak RSS: assistant $(peak "$work/assistant" install --silent --package "$work/pkg.tar.gz" --sha256 "$tsum" --product many-files@1.0.0 --target "$fs/a/t"), tar $(peak tar -xzf "$work/pkg.tar.gz" -C "$fs/t")"
# Memory must not grow with the number of entries: the same, three times larger.
go run ./bench/mkarchive -files $((3 * TAR_FILES)) -out "$work/pkg3.tar.gz"
t3sum=$(sha256sum "$work/pkg3.tar.gz" | cut -d' ' -f1)
echo "  peak RSS at $((3 * TAR_FILES)) files: assistant $(peak "$work/assistant" install --silent --package "$work/pkg3.tar.gz" --sha256 "$t3sum" --product more-files@1.0.0 --target "$fs/a/t3")"
rm -rf "$fs/a/t3" "$work/pkg3.tar.gz"

same() {
  if diff -r "$1" "$2" > /dev/null && [ "$(cd "$1" && find . -printf '%y %m %p\n' | sort)" = "$(cd "$2" && find . -printf '%y %m %p\n' | sort)" ]; then
    echo "identical (contents, types and modes)"
  else
    echo "DIFFERENT"; diff -r "$1" "$2" | head -5
  fi
}
"$work/assistant" install --silent --package "$work/pkg.zip" --sha256 "$zsum" --product fyne-zip@2.7.1 --target "$fs/a/z" > /dev/null 2>&1
unzip -q "$work/pkg.zip" -d "$fs/u"
echo "trees: zip vs unzip $(same "$fs/u" "$fs/a/z"); tar.gz vs tar $(same "$fs/t" "$fs/a/t")"
