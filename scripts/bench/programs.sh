#!/usr/bin/env bash
# Program runtime benchmarks (x/compute/program): the mix and echo kernels
# (testdata/*.wat; see benchKernels in bench_test.go) instrumented through Engine.Run
# against the same module uninstrumented on a bare wazero runtime, on the compiler and
# the interpreter.
# Each round runs all of them side by side in one process (GOMAXPROCS=1); the figures
# are CPU time (getrusage), since on a shared machine wall time counts the waits.
# The table reports medians over ROUNDS and the median of the per-round ratios.
# Usage: scripts/bench/programs.sh [ROUNDS] [BENCHTIME]   (default 7 rounds of 50x)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-7} BT=${2:-50x}
bin=$(mktemp) out=$(mktemp)
trap 'rm -f "$bin" "$out"' EXIT
go test -c -o "$bin" ./x/compute/program/
for r in $(seq "$ROUNDS"); do
  (cd x/compute/program && GOMAXPROCS=1 "$bin" -test.run '^$' -test.bench '^BenchmarkProgram$' -test.benchtime "$BT") | sed "s/^/$r /" >>"$out"
done
python3 - "$out" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\d+) BenchmarkProgram/(\S+?)(-\d+)?\s+\d+\s+[\d.]+ ns/op(.*)", line)
    if not m:
        continue
    rnd, name, _, rest = m.groups()
    extra = dict((k, float(v)) for v, k in re.findall(r"([\d.]+) (\S+)", rest))
    rows.setdefault(name, {})[int(rnd)] = extra
med = statistics.median
print("| kernel | engine | instrumented CPU µs/item | plain CPU µs/item | instrumented / plain | CPU ns per fuel |")
print("|---|---|---|---|---|---|")
kernels = sorted({n.split("/")[0] for n in rows}, key=lambda k: (k != "mix", k))
for k in kernels:
    for eng in ("compiler", "interpreter"):
        ins, plain = rows.get(f"{k}/{eng}/instrumented", {}), rows.get(f"{k}/{eng}/plain", {})
        if not ins or not plain:
            continue
        ratios = [ins[r]["cpu-ns/op"] / plain[r]["cpu-ns/op"] for r in ins if r in plain]
        print(f"| {k} | {eng} | {med([v['cpu-ns/op'] for v in ins.values()]) / 1e3:.0f} | {med([v['cpu-ns/op'] for v in plain.values()]) / 1e3:.0f} "
              f"| {med(ratios):.2f}× | {med([v['cpu-ns/fuel'] for v in ins.values()]):.2f} |")
print()
for k in kernels:
    c, i = rows.get(f"{k}/compiler/instrumented", {}), rows.get(f"{k}/interpreter/instrumented", {})
    rs = [i[r]["cpu-ns/op"] / c[r]["cpu-ns/op"] for r in c if r in i]
    if rs:
        print(f"{k}: interpreter / compiler, instrumented: {med(rs):.1f}× (median of {len(rs)} per-round ratios).")
PY
