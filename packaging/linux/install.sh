#!/usr/bin/env bash
# bash install.sh [--prefix DIR] [RELEASEDIR]
#
# Installs Onramp on Linux from a release folder (the linux-amd64 folder
# .ci/release makes, which holds this script: assistant, Onramp,
# onramp.png): the programs in PREFIX/bin, the icon in
# PREFIX/share/icons/hicolor/256x256/apps/onramp.png, then makes Onramp
# the handler of onramp:// links (the start page's "Open in Onramp") for
# the user who runs it: `assistant register-url-scheme` writes
# onramp.desktop in $XDG_DATA_HOME/applications and runs
# `xdg-mime default onramp.desktop x-scheme-handler/onramp`.
#
# PREFIX defaults to ~/.local (this user, no root). RELEASEDIR defaults to
# this script's folder.
set -euo pipefail
usage="usage: bash install.sh [--prefix DIR] [RELEASEDIR]"
prefix="$HOME/.local"
if [ "${1:-}" = --prefix ]; then
  [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
  prefix=$2; shift 2
fi
[ $# -le 1 ] || { echo "$usage" >&2; exit 2; }
release=${1:-$(dirname "$0")}
for f in assistant Onramp; do
  [ -x "$release/$f" ] || { echo "install: $release/$f is missing or not executable" >&2; exit 1; }
done
icon="$release/onramp.png"
[ -r "$icon" ] || icon="$(dirname "$0")/../../assets/icon.png" # from a checkout
[ -r "$icon" ] || { echo "install: no icon (onramp.png) in $release" >&2; exit 1; }

mkdir -p "$prefix/bin" "$prefix/share/icons/hicolor/256x256/apps"
install -m 0755 "$release/assistant" "$release/Onramp" "$prefix/bin/"
install -m 0644 "$icon" "$prefix/share/icons/hicolor/256x256/apps/onramp.png"
prefix=$(cd "$prefix" && pwd)
"$prefix/bin/assistant" register-url-scheme --program "$prefix/bin/Onramp"
echo "installed in $prefix/bin: assistant, Onramp"
