#!/usr/bin/env bash
# Long simulations (make test-sim): TestAppStateDeterminism for SIM_SEEDS
# seeds (each run twice, app hashes compared, invariants after every block),
# then TestAppImportExport and TestAppSimulationAfterImport for
# SIM_IMPORT_SEEDS seeds. Every run must reach its last block and exercise
# the market (-Coverage: at least SIM_MIN_VERIFIED verified tasks and each
# outcome of app/sim_events_test.go's requiredOutcomes); a seed is never
# skipped. Each seed runs in its own process (the simulator's stores of
# finished runs are not freed until the test binary exits), SIM_JOBS at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SIM_SEEDS:-20} FIRST=${SIM_FIRST_SEED:-1} BLOCKS=${SIM_BLOCKS:-200}
SIZE=${SIM_BLOCK_SIZE:-50} IMPORT_SEEDS=${SIM_IMPORT_SEEDS:-4}
MIN_VERIFIED=${SIM_MIN_VERIFIED:-100} JOBS=${SIM_JOBS:-$(nproc)}
bin=$PWD/build/app.test logs=$(mktemp -d)
go test -c -o "$bin" ./app
export bin logs BLOCKS SIZE MIN_VERIFIED

# run NAME SEED TESTS: one seed; prints its line, or its errors and fails.
run() {
  local log="$logs/$1-seed$2.log" t0=$SECONDS
  if ! (cd app && "$bin" -test.run "$3" -test.timeout 30m -test.v -Long -Coverage -MinVerified="$MIN_VERIFIED" \
    -Seed="$2" -NumSeeds=1 -NumBlocks="$BLOCKS" -BlockSize="$SIZE") >"$log" 2>&1; then
    grep -E -- '--- FAIL|Error|differ|invariant|panic|did not exercise|stopped|skipped' "$log" | head -40 >&2 || tail -40 "$log" >&2
    echo "$1 seed $2 FAILED; full log: $log" >&2
    return 1
  fi
  grep -o '^+++ seed .*' "$log" | sed "s/^+++ /$1 /; s/\$/ ($((SECONDS - t0))s)/"
}
export -f run

# seeds NAME COUNT TESTS: the seeds FIRST.. in parallel; fails if one does.
seeds() {
  seq "$FIRST" $((FIRST + $2 - 1)) | xargs -P "$JOBS" -I{} bash -c "run $1 {} '$3'" | tee "$logs/$1.txt"
}

# summary NAME: min and median of each count over the runs.
summary() {
  grep -o '[a-z_]*=[0-9]*' "$logs/$1.txt" | tr '=' ' ' | sort -k1,1 -k2,2n |
    awk '{ v[$1] = v[$1] " " $2; n[$1]++ }
      END { for (k in v) { split(substr(v[k], 2), a, " ")
        printf "  %-22s min %5d  median %5d  (%d runs)\n", k, a[1], a[int((n[k] + 1) / 2)], n[k] } }' | sort
}

echo "determinism: $SEEDS seeds from $FIRST, $BLOCKS blocks of $SIZE operations, each seed run twice"
seeds determinism "$SEEDS" '^TestAppStateDeterminism$'
echo "import/export and simulation after import: $IMPORT_SEEDS seeds"
seeds import "$IMPORT_SEEDS" '^(TestAppImportExport|TestAppSimulationAfterImport)$'
echo "per-run counts (determinism):"; summary determinism
echo "per-run counts (import):"; summary import
rm -rf "$logs"
echo "all simulations passed in ${SECONDS}s"
