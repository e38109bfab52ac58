#!/usr/bin/env bash
# Rows "install of N files vs tar -xzf and vs unzip -q" for N in SIZES:
# bench/mkarchive's tree of N small files as a tar.gz and as a zip, each
# install against the reference tool in alternating pairs (bench/lib.sh's
# paired); then Fyne's module zip (2,000 files of real code) against
# unzip -q; peak RSS of each (/usr/bin/time -v), the assistant's at the
# largest size, and a check that the installed trees are identical to
# unzip's and tar's.
# Usage: bash bench/install.sh [SIZES] [RUNS] [ZIP]
#   SIZES defaults to "10 2000 100000 300000" (quote a list; each run of a
#   size creates that many files, so the largest sizes take minutes on a
#   small machine: pass "10 2000 100000" there); RUNS 5; ZIP Fyne's module
#   zip from the Go module cache.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
record install "$@" # its output goes to bench/RESULTS.md too
SIZES=${1:-${SIZES:-10 2000 100000 300000}}
RUNS=${2:-${RUNS:-5}}
ZIP=${3:-$(go env GOMODCACHE)/cache/download/fyne.io/fyne/v2/@v/v2.7.1.zip}
[ -f "$ZIP" ] || { echo "no archive at $ZIP: run 'go mod download' first, or pass one"; exit 1; }
largest=0
for n in $SIZES; do if [ "$n" -gt "$largest" ]; then largest=$n; fi; done
need hyperfine:hyperfine unzip:unzip /usr/bin/time:time
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The command-line program as .ci/release builds it: without its symbol
# table and debug information (-s -w), 12 MB where it would be 17, which
# matters here: every run starts it from a cold page cache.
CGO_ENABLED=0 go build -trimpath -tags nogui -ldflags "-s -w" -o "$work/assistant" ./cmd/assistant
cp "$ZIP" "$work/pkg.zip"
zsum=$(sha256sum "$work/pkg.zip" | cut -d' ' -f1)
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
newfs="mkfs.ext4 -q -F -N $((2 * largest + 100000)) -E lazy_itable_init=0,lazy_journal_init=0 $work/fs.img && mount -o loop $work/fs.img $fs"
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

# The start-up floor: each program started with nothing to unpack, from
# the same clean caches. The assistant reads its 10 MB from disk where
# tar and unzip read a few hundred KB (libc, which every process maps,
# stays in memory), and the Go runtime and the packages the program
# links start before main: a package of a few files cannot install
# faster than this.
paired "$RUNS" "$clean" "assistant version" "$work/assistant version" "tar --version" "tar --version"
paired "$RUNS" "$clean" "assistant version" "$work/assistant version" "unzip -v" "unzip -v"

for n in $SIZES; do
  go run ./bench/mkarchive -files "$n" -out "$work/n.tar.gz"
  go run ./bench/mkarchive -zip -files "$n" -out "$work/n.zip"
  nt=$(sha256sum "$work/n.tar.gz" | cut -d' ' -f1)
  nz=$(sha256sum "$work/n.zip" | cut -d' ' -f1)
  echo "$n files (bench/mkarchive): tar.gz $(du -h "$work/n.tar.gz" | cut -f1), zip $(du -h "$work/n.zip" | cut -f1); $RUNS alternating pairs each"
  paired "$RUNS" "$clean" \
    "assistant install (tar.gz)" "$work/assistant install --silent --package $work/n.tar.gz --sha256 $nt --product files-$n@1.0.0 --target $fs/a/t" \
    "tar -xzf" "tar -xzf $work/n.tar.gz -C $fs/t"
  paired "$RUNS" "$clean" \
    "assistant install (zip)" "$work/assistant install --silent --package $work/n.zip --sha256 $nz --product files-$n@1.0.0 --target $fs/a/z" \
    "unzip -q" "unzip -q $work/n.zip -d $fs/u"
  if [ "$n" -eq "$largest" ]; then
    # Memory must not grow with the number of entries: compare with the
    # README's figures at 100,000 files.
    eval "$clean"
    echo "  peak RSS at $n files: assistant $(peak "$work/assistant" install --silent --package "$work/n.tar.gz" --sha256 "$nt" --product files-$n@1.0.0 --target "$fs/a/t") (tar.gz), tar $(peak tar -xzf "$work/n.tar.gz" -C "$fs/t")"
    cp "$work/n.tar.gz" "$work/pkg.tar.gz"
    tsum=$nt
  fi
  rm -f "$work/n.tar.gz" "$work/n.zip"
  eval "$clean"
done

echo "zip: $(basename "$ZIP") ($(unzip -Z1 "$ZIP" | grep -vc '/$') files, $(du -h "$ZIP" | cut -f1)); $RUNS alternating pairs"
paired "$RUNS" "$clean" \
  "assistant install (zip)" "$work/assistant install --silent --package $work/pkg.zip --sha256 $zsum --product fyne-zip@2.7.1 --target $fs/a/z" \
  "unzip -q" "unzip -q $work/pkg.zip -d $fs/u"
eval "$clean"
echo "  peak RSS: assistant $(peak "$work/assistant" install --silent --package "$work/pkg.zip" --sha256 "$zsum" --product fyne-zip@2.7.1 --target "$fs/a/z"), unzip $(peak unzip -q "$work/pkg.zip" -d "$fs/u")"
eval "$clean"

same() {
  if diff -r "$1" "$2" > /dev/null && [ "$(cd "$1" && find . -printf '%y %m %p\n' | sort)" = "$(cd "$2" && find . -printf '%y %m %p\n' | sort)" ]; then
    echo "identical (contents, types and modes)"
  else
    echo "DIFFERENT"; diff -r "$1" "$2" | head -5
  fi
}
"$work/assistant" install --silent --package "$work/pkg.zip" --sha256 "$zsum" --product fyne-zip@2.7.1 --target "$fs/a/z" > /dev/null 2>&1
unzip -q "$work/pkg.zip" -d "$fs/u"
"$work/assistant" install --silent --package "$work/pkg.tar.gz" --sha256 "$tsum" --product files-$largest@1.0.0 --target "$fs/a/t" > /dev/null 2>&1
tar -xzf "$work/pkg.tar.gz" -C "$fs/t"
echo "trees: zip vs unzip $(same "$fs/u" "$fs/a/z"); tar.gz vs tar at $largest files $(same "$fs/t" "$fs/a/t")"
