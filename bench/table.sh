#!/usr/bin/env bash
# Every row of the speed and memory table, one script after the other;
# each writes its own section of bench/RESULTS.md.
# Usage: bash bench/table.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
bash bench/startup.sh
bash bench/fetch.sh
bash bench/install.sh
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
