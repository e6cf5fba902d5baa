#!/usr/bin/env bash
# Example programs (pkg/examples) on program.Engine against their native Go
# references: BenchmarkExamples in ROUNDS rounds, one process each (GOMAXPROCS=1),
# figures in CPU time (getrusage: on a shared machine wall time counts the waits).
# Prints a markdown table of medians and the median of the per-round ratios.
# Usage: scripts/bench/examples.sh [ROUNDS] [BENCHTIME]   (default 5 rounds of 20x)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5} BT=${2:-20x}
bin=$(mktemp) out=$(mktemp)
trap 'rm -f "$bin" "$out"' EXIT
go test -c -o "$bin" ./pkg/examples/
for r in $(seq "$ROUNDS"); do
  (cd pkg/examples && GOMAXPROCS=1 "$bin" -test.run '^$' -test.bench '^BenchmarkExamples$' -test.benchtime "$BT") | sed "s/^/$r /" >>"$out"
done
python3 - "$out" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\d+) BenchmarkExamples/(\S+?)/(\S+?)(-\d+)?\s+\d+\s+[\d.]+ ns/op(.*)", line)
    if not m:
        continue
    rnd, prog, mode, _, rest = m.groups()
    extra = dict((k, float(v)) for v, k in re.findall(r"([\d.]+) (\S+)", rest))
    rows.setdefault(prog, {}).setdefault(mode, {})[int(rnd)] = extra
med = statistics.median
def ratio(p, a, b):
    x, y = rows[p].get(a, {}), rows[p].get(b, {})
    rs = [x[r]["cpu-ns/op"] / y[r]["cpu-ns/op"] for r in x if r in y]
    return med(rs) if rs else float("nan")
print("| program (item) | engine items/CPU-s | native items/CPU-s | **engine / native** | fuel per item | CPU ns per fuel | plain wazero / native | plain with close-on-ctx / native |")
print("|---|---|---|---|---|---|---|---|")
for p in rows:
    e, n = rows[p]["engine"], rows[p]["native"]
    print(f"| {p} | {med([v['items/cpu-s'] for v in e.values()]):,.0f} | {med([v['items/cpu-s'] for v in n.values()]):,.0f} "
          f"| **{1 / ratio(p, 'engine', 'native'):.2f}** | {med([v['fuel/op'] for v in e.values()]):,.0f} "
          f"| {med([v['cpu-ns/fuel'] for v in e.values()]):.2f} | {1 / ratio(p, 'plain', 'native'):.2f} "
          f"| {1 / ratio(p, 'plain-close-on-ctx', 'native'):.2f} |")
PY
