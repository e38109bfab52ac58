# Shared helpers of the bench scripts (sourced, not run).
# Every server listens on 127.0.0.1 only.

# need CMD:PACKAGE... installs the Debian packages whose command is missing.
need() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" > /dev/null || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -q "${missing[@]}" > /dev/null
}

# paired RUNS PREPARE LABEL_A CMD_A LABEL_B CMD_B
# Runs the pair RUNS times (hyperfine, one run each, so the two alternate
# and share whatever load the machine has at that moment), A then B, then
# B then A, and so on: each command runs as often after the other as
# before it. (Here a command run right after another one's 1 GiB write
# could take twice its time: the order alone must not decide.) PREPARE
# runs before each command, untimed. Prints the medians (wall, and CPU
# time, which the machine's load changes less) and the ratio A/B: the
# median of the per-pair ratios, and their min–max.
paired() {
  local runs=$1 prep=$2 la=$3 ca=$4 lb=$5 cb=$6 csv i
  csv=$(mktemp)
  : > "$csv.all"
  for i in $(seq "$runs"); do
    local first=$ca second=$cb
    [ $((i % 2)) -eq 0 ] && first=$cb second=$ca
    hyperfine -N --style none --runs 1 --prepare "$prep" --export-csv "$csv" "$first" "$second" > /dev/null 2>&1 ||
      hyperfine --style none --runs 1 --prepare "$prep" --export-csv "$csv" "$first" "$second" > /dev/null
    # CSV: command,mean,stddev,median,user,system,min,max; A's row first.
    awk -F, -v swap=$((i % 2 == 0)) 'NR==2 {x=$2; cx=$5+$6}
      NR==3 {if (swap) print $2, x, $5+$6, cx; else print x, $2, cx, $5+$6}' "$csv" >> "$csv.all"
  done
  awk -v la="$la" -v lb="$lb" '
    function med(x, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
      return (n % 2) ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2 }
    { a[NR] = $1; b[NR] = $2; r[NR] = $1 / $2; ca[NR] = $3; cb[NR] = $4 }
    END {
      # med sorts its array in place (awk passes arrays by reference), so
      # r[1] and r[n] are then the smallest and largest ratios.
      n = NR; ma = med(a, n); mb = med(b, n); mr = med(r, n); mca = med(ca, n); mcb = med(cb, n)
      printf "  %-34s median %.3f s wall, %.3f s CPU (user+sys)\n  %-34s median %.3f s wall, %.3f s CPU (user+sys)\n  ratio %s / %s: %.2fx (%.2f-%.2f over %d alternating pairs); CPU %.2fx\n",
        la, ma, mca, lb, mb, mcb, la, lb, mr, r[1], r[n], n, mca / mcb }' "$csv.all"
  rm -f "$csv" "$csv.all"
}

# peak CMD... prints the command's peak RSS in MiB (/usr/bin/time -v).
peak() {
  /usr/bin/time -v "$@" 2> "$work/time.v" > /dev/null || { cat "$work/time.v" >&2; return 1; }
  awk -F: '/Maximum resident set size/ {printf "%.1f MiB", $2 / 1024}' "$work/time.v"
}

# start_nginx ROOT: serves ROOT on 127.0.0.1 (sendfile on) as nginx-light
# does by default, and sets URL.
start_nginx() {
  local root=$1 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/nginx/logs"
  cat > "$work/nginx/nginx.conf" <<CONF
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
worker_processes 1;
daemon on;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 64; }
http {
  sendfile on;
  tcp_nopush on;
  access_log off;
  types { application/octet-stream bin; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$port;
    root $root;
  }
}
CONF
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
  URL="http://127.0.0.1:$port"
}

stop_nginx() {
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2> /dev/null || true
}

# record NAME ARGS...: called first thing by a script, with its own
# arguments. The script runs again with what it prints also kept; when
# that run ends well, its output replaces the section NAME of
# bench/RESULTS.md (between "<!-- bench:NAME -->" and "<!-- /bench:NAME -->";
# appended when missing), headed by when, where and how it ran. A failed
# or interrupted run changes nothing. Run from the repository's root.
record() {
  [ -n "${BENCH_RECORDING:-}" ] && return 0
  local name=$1 script status out header
  shift
  script=bench/$(basename "$0")
  header="$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg): bash $script${*:+ $*}"
  out=$(mktemp)
  set +e
  BENCH_RECORDING=1 bash "$script" "$@" | tee "$out"
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -eq 0 ]; then
    results_section "$name" "$header" "$out"
    echo "(recorded in bench/RESULTS.md, section $name)" >&2
  fi
  rm -f "$out"
  exit "$status"
}

# results_section NAME HEADER FILE puts HEADER and FILE's lines, fenced,
# as section NAME of bench/RESULTS.md (see record).
results_section() {
  local name=$1 header=$2 file=$3 results=bench/RESULTS.md sec tmp
  sec=$(mktemp)
  tmp=$(mktemp)
  { echo "<!-- bench:$name -->"; echo '```'; echo "$header"; cat "$file"; echo '```'; echo "<!-- /bench:$name -->"; } > "$sec"
  [ -f "$results" ] || printf '# Speed and memory\n\n## Latest results\n' > "$results"
  awk -v begin="<!-- bench:$name -->" -v end="<!-- /bench:$name -->" -v sec="$sec" '
    $0 == begin { while ((getline l < sec) > 0) print l; skip = 1; done = 1; next }
    skip { if ($0 == end) skip = 0; next }
    { print }
    END { if (!done) { print ""; while ((getline l < sec) > 0) print l } }' "$results" > "$tmp"
  mv "$tmp" "$results"
  rm -f "$sec"
}
