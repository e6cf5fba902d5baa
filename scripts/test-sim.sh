#!/usr/bin/env bash
# Long simulations (make test-sim): TestAppStateDeterminism for SIM_SEEDS
# seeds (each run twice, app hashes compared, invariants after every block),
# then TestAppImportExport and TestAppSimulationAfterImport for
# SIM_IMPORT_SEEDS seeds. Each seed runs in its own process: the simulator's
# stores of finished runs are not freed until the test binary exits, and 40
# runs of 200 blocks in one process exhaust memory.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SIM_SEEDS:-20} FIRST=${SIM_FIRST_SEED:-1} BLOCKS=${SIM_BLOCKS:-200}
SIZE=${SIM_BLOCK_SIZE:-50} IMPORT_SEEDS=${SIM_IMPORT_SEEDS:-4}
bin=$PWD/build/app.test logs=$(mktemp -d)
go test -c -o "$bin" ./app
cd app
run() { # run NAME SEED TESTS; returns 3 when the simulator skipped the seed
  local log="$logs/$1-seed$2.log" t0=$SECONDS
  if ! "$bin" -test.run "$3" -test.timeout 30m -test.v -Long -Seed="$2" -NumSeeds=1 \
    -NumBlocks="$BLOCKS" -BlockSize="$SIZE" >"$log" 2>&1; then
    grep -E -- '--- FAIL|Error|differ|invariant|panic' "$log" | head -40 >&2 || tail -40 "$log" >&2
    echo "$1 seed $2 FAILED; full log: $log" >&2
    exit 1
  fi
  if grep -q -- '--- SKIP' "$log"; then
    printf '%-12s seed %-3d skipped: %s\n' "$1" "$2" "$(grep -m1 -o 'skipping: .*\|all validators unbonded' "$log")"
    return 3
  fi
  local h
  h=$(sed -n 's/^+++ nightshift (seed [0-9]*, height \([0-9]*\)).*/\1/p' "$log" | sort -n | head -1)
  if [ "${h:-0}" -lt "$BLOCKS" ]; then # the simulator stops early when nobody is left to propose
    printf '%-12s seed %-3d stopped early at height %s\n' "$1" "$2" "${h:-?}"
    return 3
  fi
  printf '%-12s seed %-3d ok in %4ds  %s\n' "$1" "$2" $((SECONDS - t0)) \
    "$(grep -m1 'task records' "$log" | sed 's/^ *//')"
}
# A seed whose random staking activity empties the validator set is skipped by
# the simulator before its last block; such seeds do not count, the next seed
# is run instead (at most twice as many seeds as asked).
seeds() { # seeds NAME COUNT TESTS
  local done=0 seed=$FIRST skipped=0
  while [ "$done" -lt "$2" ]; do
    [ $((seed - FIRST)) -lt $((2 * $2)) ] || { echo "only $done of $2 $1 seeds ran to the end" >&2; exit 1; }
    if run "$1" "$seed" "$3"; then done=$((done + 1)); else skipped=$((skipped + 1)); fi
    seed=$((seed + 1))
  done
  echo "$1: $done seeds ran all $BLOCKS blocks ($skipped skipped)"
}
echo "determinism: $SEEDS seeds from $FIRST, $BLOCKS blocks of $SIZE operations, each seed run twice"
seeds determinism "$SEEDS" '^TestAppStateDeterminism$'
echo "import/export and simulation after import: $IMPORT_SEEDS seeds"
seeds import "$IMPORT_SEEDS" '^(TestAppImportExport|TestAppSimulationAfterImport)$'
rm -rf "$logs"
echo "all simulations passed in ${SECONDS}s"
