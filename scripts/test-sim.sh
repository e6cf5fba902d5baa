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
run() { # run NAME SEED TESTS
  local log="$logs/$1-seed$2.log" t0=$SECONDS
  if ! "$bin" -test.run "$3" -test.timeout 30m -test.v -Long -Seed="$2" -NumSeeds=1 \
    -NumBlocks="$BLOCKS" -BlockSize="$SIZE" >"$log" 2>&1; then
    grep -E -- '--- FAIL|Error|differ|invariant|panic' "$log" | head -40 >&2 || tail -40 "$log" >&2
    echo "$1 seed $2 FAILED; full log: $log" >&2
    exit 1
  fi
  printf '%-12s seed %-3d ok in %4ds  %s\n' "$1" "$2" $((SECONDS - t0)) \
    "$(grep -m1 'task records' "$log" | sed 's/^ *//')"
}
echo "determinism: $SEEDS seeds from $FIRST, $BLOCKS blocks of $SIZE operations, each seed run twice"
for seed in $(seq "$FIRST" $((FIRST + SEEDS - 1))); do
  run determinism "$seed" '^TestAppStateDeterminism$'
done
echo "import/export and simulation after import: $IMPORT_SEEDS seeds"
for seed in $(seq "$FIRST" $((FIRST + IMPORT_SEEDS - 1))); do
  run import "$seed" '^(TestAppImportExport|TestAppSimulationAfterImport)$'
done
rm -rf "$logs"
echo "all simulations passed in ${SECONDS}s"
