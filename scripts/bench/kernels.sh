#!/usr/bin/env bash
# Go micro-benchmarks for issue 7: each worker kernel against a bare Go loop of
# the same arithmetic, proof verification per kind (k = 16), Merkle tree build,
# 16-leaf multi-proofs against 16 separate paths (time and bytes),
# and a 1,024-item task through the worker's pool (1 thread and every core)
# against a plain loop of the kind's function.
# Ours and the baseline run in the same `go test` invocation, ROUNDS times, and
# the table reports medians and the median of the per-round ratios.
# Usage: scripts/bench/kernels.sh [ROUNDS] [BENCHTIME]   (default 5 rounds of 1s)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5} BT=${2:-1s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for r in $(seq "$ROUNDS"); do
  go test ./x/compute/kinds/ -run '^$' -bench '^Benchmark(MandelbrotRow|MandelbrotBareLoop|HashcashSearch|HashcashBareLoop)$' -benchtime "$BT" -count 1 | sed "s/^/$r /" >>"$out"
  go test ./x/compute/merkle/ -run '^$' -bench '^Benchmark(NewTree1024|VerifyProof|Proof16of1024)$' -benchtime "$BT" -count 1 | sed "s/^/$r /" >>"$out"
  go test ./x/compute/keeper/ -run '^$' -bench '^BenchmarkProofVerification$' -benchtime "$BT" -count 1 | sed "s/^/$r /" >>"$out"
  go test ./pkg/worker/ -run '^$' -bench '^BenchmarkTask(BareLoop|Pool)$' -benchtime "$BT" -count 1 | sed "s/^/$r /" >>"$out"
done
python3 - "$out" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\d+) (Benchmark\S+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op(.*)", line)
    if not m:
        continue
    rnd, name, _, ns, rest = m.groups()
    extra = dict((k, float(v)) for v, k in re.findall(r"([\d.]+) (\S+/\S+|\S+)", rest))
    rows.setdefault(name, {})[int(rnd)] = (float(ns), extra)
med = lambda xs: statistics.median(xs)
print("| benchmark | median ns/op | extra (median) |")
print("|---|---|---|")
for name in sorted(rows):
    vals = rows[name]
    extra = {}
    for _, e in vals.values():
        for k, v in e.items():
            extra.setdefault(k, []).append(v)
    ex = ", ".join(f"{med(v):.4g} {k}" for k, v in sorted(extra.items()) if k not in ("B/op", "allocs/op"))
    print(f"| {name} | {med([v[0] for v in vals.values()]):.1f} | {ex} |")
print()
print("| kernel | ours / bare loop (median of per-round ratios) | ours as % of bare speed |")
print("|---|---|---|")
for ours, bare in [("BenchmarkMandelbrotRow", "BenchmarkMandelbrotBareLoop"), ("BenchmarkHashcashSearch", "BenchmarkHashcashBareLoop")]:
    rs = [rows[ours][r][0] / rows[bare][r][0] for r in rows[ours] if r in rows.get(bare, {})]
    if rs:
        print(f"| {ours[9:]} | {med(rs):.3f} | {100 / med(rs):.1f}% |")
paths, multi = rows.get("BenchmarkProof16of1024/paths", {}), rows.get("BenchmarkProof16of1024/multiproof", {})
if paths and multi:
    print()
    print("| 16 of 1,024 leaves | multi-proof / separate paths (median of per-round ratios) |")
    print("|---|---|")
    print(f"| verification time | {med([multi[r][0] / paths[r][0] for r in multi if r in paths]):.3f} |")
    print(f"| proof bytes | {med([multi[r][1]['bytes/proof'] / paths[r][1]['bytes/proof'] for r in multi if r in paths]):.3f} |")
pool = sorted(n for n in rows if n.startswith("BenchmarkTaskPool/threads="))
bare = rows.get("BenchmarkTaskBareLoop", {})
if pool and bare:
    print()
    print("| 1,024-item hashcash task | time vs bare loop (median of per-round ratios) | speed as % of bare loop (1 core) |")
    print("|---|---|---|")
    for name in pool:
        rs = [rows[name][r][0] / bare[r][0] for r in rows[name] if r in bare]
        print(f"| worker pool, {name.split('=')[1]} thread(s) | {med(rs):.3f} | {100 / med(rs):.1f}% |")
PY
