#!/usr/bin/env bash
# Measures vigil on a generated CloudTrail corpus and prints the figures the
# README reports. Run from the repository root: bench/run.sh [RECORDS]
#
#   (a) the engine alone, one core: the built-in pack, 1,000 and 10,000
#       generated patterns (go test -bench BenchmarkEngine);
#   (b) vigil scan end to end on NDJSON: the real binary, one core and all
#       cores, and BenchmarkScan in-process;
#   (a') Sigma: the SigmaHQ AWS rules, and the AWS, Kubernetes, Linux and
#       web rules together (BenchmarkSigma; needs a SigmaHQ checkout, see
#       $VIGIL_SIGMA in bench_test.go);
#   (c) the yardstick: reading the same file and parsing every line with
#       fastjson (BenchmarkParseFile), and parsing alone (BenchmarkParse).
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-500000}
out=bench/out
mkdir -p "$out"

echo "== machine"
go version
nproc | sed 's/^/cores: /'
grep -m1 'model name' /proc/cpuinfo || true

echo "== corpus: $records records"
go build -o "$out/vigil" ./cmd/vigil
go run ./bench/corpus/gen -n "$records" -seed 1 -o "$out/corpus.ndjson"
ls -l "$out/corpus.ndjson" | awk '{printf "%s bytes, %.0f bytes per record\n", $5, $5/'"$records"'}'

echo "== (a), (c): go test -bench, one core"
go test -run '^$' -bench 'Engine|Parse|Scan|Sigma' -benchmem -cpu 1 -benchtime 3s ./bench/ | grep -E '^Benchmark'

scan() { # $1: GOMAXPROCS, $2: workers
  local t0 t1
  t0=$(date +%s.%N)
  if [ -x /usr/bin/time ]; then
    GOMAXPROCS=$1 /usr/bin/time -f 'peak memory %M KiB' "$out/vigil" scan --workers "$2" --format json --out /dev/null "$out/corpus.ndjson"
  else
    GOMAXPROCS=$1 "$out/vigil" scan --workers "$2" --format json --out /dev/null "$out/corpus.ndjson"
  fi
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v n="$records" 'BEGIN{printf "wall %.2fs, %.0f events/s\n", b-a, n/(b-a)}'
}
echo "== (b): vigil scan, one core"
scan 1 1
echo "== (b): vigil scan, all cores"
scan "$(nproc)" 0
