#!/usr/bin/env bash
# Load benchmark of vigil serve, for the README's speed section: starts a
# fresh server (built-in pack, embedded NATS JetStream, SQLite) on a free
# loopback port and drives its HTTPS ingest API with bench/load from a
# separate process, then reports the server's peak memory and stops it
# with SIGTERM. Run from anywhere:
#
#   bench/serve.sh [bench/load flags]      # default: -duration 30s -batch 500 -conns 8
#   bench/serve.sh -duration 60s -gzip     # flags given here override the defaults
#   PROFILE=bench/out/serve.cpu.prof TRACE=bench/out/serve.trace bench/serve.sh
#
# With PROFILE=FILE or TRACE=FILE the server is started with VIGIL_PPROF
# on a loopback port, and a CPU profile of PROFILE_SECONDS (default 20)
# or an execution trace of TRACE_SECONDS (default 5) is taken while the
# load runs: go tool pprof -top bench/out/vigil FILE; go tool trace FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"

echo "== machine"
go version
nproc | sed 's/^/cores: /'
grep -m1 'model name' /proc/cpuinfo || true
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  rev="$rev, with uncommitted changes"
fi
echo "tree: $rev"

go build -o "$out/vigil" ./cmd/vigil
go build -o "$out/load" ./bench/load

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-serve-bench.XXXXXX")
data="$tmp/data"
pid=
lpid=
tpid=

# stop ends the server with SIGTERM, waiting up to 60s for it to finish
# the work in hand, then with SIGKILL.
stop() {
  [ -n "$pid" ] || return 0
  local t0 status=0
  t0=$(date +%s.%N)
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "serve.sh: vigil serve still running 60s after SIGTERM: killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || status=$?
  awk -v a="$t0" -v b="$(date +%s.%N)" -v s="$status" 'BEGIN{printf "stopped: SIGTERM, exited with status %d after %.1fs\n", s, b-a}'
  pid=
  return "$status"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for p in $lpid $tpid; do kill "$p" 2>/dev/null || true; done
  stop >/dev/null 2>&1 || true
  if [ "$rc" -ne 0 ] && [ -s "$tmp/serve.log" ]; then
    echo "== last lines of the server's log" >&2
    tail -n 20 "$tmp/serve.log" >&2
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# logged prints the value of a string key of the first JSON log line of
# the server whose msg is $1.
logged() {
  sed -n "s/.*\"msg\":\"$1\".*\"$2\":\"\([^\"]*\)\".*/\1/p" "$tmp/serve.log" | sed -n 1p
}

pprof=
if [ -n "${PROFILE:-}${TRACE:-}" ]; then
  pprof=127.0.0.1:0
fi
echo "== vigil serve --data-dir $data --listen 127.0.0.1:0"
VIGIL_PPROF=$pprof "$out/vigil" serve --data-dir "$data" --listen 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.log" &
pid=$!
addr=
for _ in $(seq 600); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "serve.sh: vigil serve exited while starting" >&2
    exit 1
  fi
  addr=$(logged "vigil serving" listen)
  [ -z "$addr" ] || break
  sleep 0.1
done
if [ -z "$addr" ]; then
  echo "serve.sh: vigil serve did not start within 60s" >&2
  exit 1
fi
admin=$(grep -o 'vgl_[A-Za-z0-9_-]*' "$tmp/serve.log" | sed -n 1p)
if [ -z "$admin" ]; then
  echo "serve.sh: no admin token in the server's output" >&2
  exit 1
fi
created=$("$out/vigil" token create --data-dir "$data" --role ingest --name bench-load)
ingest=${created%%$'\n'*}
rules=$(grep -o '"rules":[0-9]*' "$tmp/serve.log" | sed -n 1p | cut -d: -f2)
echo "serving on $addr: $rules rules (the built-in pack), store $(logged "vigil serving" store), NATS $(logged "vigil serving" nats)"

"$out/load" -url "https://$addr" -token "$ingest" -metrics-token "$admin" -cacert "$data/tls/cert.pem" \
  -duration 30s -batch 500 -conns 8 "$@" >"$tmp/load.out" 2>&1 &
lpid=$!
tail -n +1 -f --pid="$lpid" "$tmp/load.out" &
tpid=$!

# profile FILE KIND SECONDS NOTE takes a profile from the server's pprof
# listener into FILE, noting it for the report.
profile() {
  if curl -sf --max-time "$(($3 + 30))" -o "$1" "http://$paddr/debug/pprof/$2?seconds=$3"; then
    echo "$4" >>"$tmp/profile.note"
  else
    echo "$2: could not take one from $paddr" >>"$tmp/profile.note"
  fi
}
ppids=()
if [ -n "$pprof" ]; then
  paddr=$(logged "pprof listening" addr)
  for _ in $(seq 1200); do # the load generates its batches before sending
    grep -q '^offered:' "$tmp/load.out" && break
    kill -0 "$lpid" 2>/dev/null || break
    sleep 0.1
  done
  sleep 2
  if [ -n "${PROFILE:-}" ]; then
    secs=${PROFILE_SECONDS:-20}
    profile "$PROFILE" profile "$secs" "profile: ${secs}s of the server's CPU during the load in $PROFILE (go tool pprof -top $out/vigil $PROFILE)" &
    ppids+=($!)
  fi
  if [ -n "${TRACE:-}" ]; then
    secs=${TRACE_SECONDS:-5}
    profile "$TRACE" trace "$secs" "trace: ${secs}s of the server's execution during the load in $TRACE (go tool trace $TRACE; go tool trace -pprof=sync|syscall|net $TRACE for where goroutines wait)" &
    ppids+=($!)
  fi
  for p in "${ppids[@]}"; do wait "$p" || true; done
fi

status=0
wait "$lpid" || status=$?
lpid=
wait "$tpid" 2>/dev/null || true
tpid=
[ ! -f "$tmp/profile.note" ] || cat "$tmp/profile.note"
if [ "$status" -ne 0 ]; then
  echo "serve.sh: bench/load failed (status $status)" >&2
  exit "$status"
fi

echo "== server process"
grep -E '^(VmHWM|VmRSS)' "/proc/$pid/status" | awk '{printf "%s %.0f MiB\n", ($1 == "VmHWM:" ? "peak RSS (VmHWM):" : "RSS now (VmRSS):  "), $2/1024}'
warns=$(grep '"level":"WARN"' "$tmp/serve.log" | grep -vc '"msg":"pprof listening"' || true)
errs=$(grep -c '"level":"ERROR"' "$tmp/serve.log" || true)
echo "log: $warns warnings, $errs errors"
grep -E '"level":"(WARN|ERROR)"' "$tmp/serve.log" | grep -v '"msg":"pprof listening"' |
  sed 's/^{"time":"[^"]*",//' | sort | uniq -c | sort -rn | head -n 5 || true
stop
