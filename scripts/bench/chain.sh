#!/usr/bin/env bash
# Chain bench (issue 7): for each topology, a fresh network in a temp dir on
# high ports (1q: plus a query node, a full node with no mempool where exchanges
# would query), funded bench accounts patched into every node's genesis before
# start, then cmd/loadgen drives it (idle queries, bank-send
# baseline, compute workload with queries and a CPU profile of node0, the wasm
# workload (the montecarlo example stored once, its jobs leased, claimed and
# proved like hashcash's; not on 1q), a round of large tasks) and writes docs/bench-results/chain-<topology>.{json,md},
# profile-compute.txt and chain-summary.md (the topologies side by side).
# Every node started here is stopped on exit, whatever happens.
#
# Usage: scripts/bench/chain.sh [1] [1b] [1s] [4] [1q]   1: one validator, 1b: the same with the compute
#        workload in batches of 16 tasks per tx, 1s: 1b with lease and claim in one MsgLeaseAndClaim (computed
#        speculatively), 4: the 4-node localnet, 1q: one validator and a query node, for the query figures
#        (default: 1 1b 1s 4 1q)
# Env:   NIGHTSHIFTD   binary (default build/nightshiftd)
#        ACCOUNTS      bench accounts (default 1300: bank senders, the devices and the requester)
#        BENCH_PORT    base port (default 46600; node i of the 4-node net uses BENCH_PORT+500+100*i+{56,57,17,90,60};
#                      the query node comes after the validators)
#        BENCH_OUT     results directory (default docs/bench-results)
#        LOADGEN_FLAGS extra flags for `loadgen run` (e.g. "--bank-window 20s --compute-window 30s --wasm-window 20s")
#        BENCH_BLOCK_MAX_GAS  consensus block max_gas of the genesis (default: the binary's app.BlockMaxGas, 200M)
#        BENCH_PRUNING app.toml pruning of the nodes (default: the localnet's, "default")
#        BENCH_KEEP=1  keep the temp dir (node homes and logs)
#        BENCH_NODE_ENV  environment of the node processes (e.g. "GOMAXPROCS=8")
#        BENCH_TX_INDEX  config.toml tx_index.indexer of the validators (default: null, as docs/operators.md
#                        recommends; "kv" indexes on the validators too; the query node always indexes)
#        BENCH_APP_DB    app.toml app-db-backend of the nodes (default: CometBFT's db_backend, goleveldb)
#        BENCH_MEMPOOL_RECHECK  config.toml mempool.recheck of the nodes (default: CometBFT's, true; "false":
#                        CheckTx on admission only, no re-check of every pending tx after each block)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath "${NIGHTSHIFTD:-build/nightshiftd}")
OUT=${BENCH_OUT:-docs/bench-results}
PORT=${BENCH_PORT:-46600}
TOPOLOGIES=${*:-1 1b 1s 4 1q}
SEED=bench ACCOUNTS=${ACCOUNTS:-1300}
[ -x "$BIN" ] || { echo "no nightshiftd at $BIN (make build)" >&2; exit 1; }

TMP=$(mktemp -d -t nightshift-bench-XXXXXX)
PIDS=()
stop_nodes() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$p" 2>/dev/null; then kill -9 "$p" 2>/dev/null || true; fi
  done
  PIDS=()
}
cleanup() {
  stop_nodes
  if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
height() { { curl -s -m 2 "http://127.0.0.1:$1/status" || true; } | sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p'; }

echo "chain bench: building the load generator"
go build -o "$TMP/loadgen" ./cmd/loadgen
mkdir -p "$OUT"
results=()
printf '# CPU profile of node0 during the compute window (go tool pprof -top, 25 functions), from scripts/bench/chain.sh\n\n' >"$OUT/profile-compute.txt"

for topo in $TOPOLOGIES; do
  n=${topo%q} query=
  [ "$topo" = "${n}q" ] && query=1
  case $topo in
    # --outstanding: txs kept accepted but not yet in a block, the same for
    # both workloads of a topology: about 5 s of the topology's bank rate, so
    # blocks find a backlog yet stay short enough for a window to hold many
    # (a node reaps its whole mempool into a block; 4 validators on 2 cores
    # turn a bigger backlog into a few huge blocks and empty ones between).
    1) base=$PORT name=chain-1-validator label="1 validator" flags="--outstanding 3000 --compute-warmup 25s" ;;
    4) base=$((PORT + 500)) name=chain-4-validators label="4-node localnet" flags="--outstanding 1000 --compute-warmup 35s" ;;
    # 1b: 1 validator, the compute workload in batches of 16 tasks per lease,
    # claim and proof tx (MsgLeaseTasks, MsgSubmitClaims, MsgSubmitProofs):
    # tasks settled per second against the same network's bank TPS, and proof
    # bytes per task, beside 1's unbatched figures (issue 16). 512 devices: a
    # device holds at most max_live_tasks_per_device (16) tasks, so 256 devices
    # hold 4,096, which at ~10 blocks from lease to payment caps tasks/s below
    # what batches let the chain settle.
    1b) n=1 base=$((PORT + 1500)) name=chain-1-validator-batch16 label="1 validator, batches of 16"
      flags="--outstanding 3000 --compute-warmup 25s --large-tasks 0 --batch 16 --devices 512 --wasm-window 0" ;;
    # 1s: 1b with speculative lease+claim (--speculate): each device computes
    # the tasks of its own job before leasing them and sends one
    # MsgLeaseAndClaim per batch, so a task costs two batch txs, not three.
    1s) n=1 base=$((PORT + 2000)) name=chain-1-validator-speculative label="1 validator, batches of 16, lease+claim"
      flags="--outstanding 3000 --compute-warmup 25s --large-tasks 0 --batch 16 --speculate --devices 512 --wasm-window 0" ;;
    # 1q: 1 validator plus a query node for the query figures only: the query
    # node replays every block on the same 2 cores and takes CPU from the
    # validator, so its throughput figures are not the topology's.
    1q) base=$((PORT + 1000)) name=chain-1-validator-query-node label="1 validator + query node"
      flags="--outstanding 3000 --compute-warmup 25s --bank-window 10s --compute-window 45s --large-tasks 0 --wasm-window 0" ;;
    *) echo "unknown topology $topo (1, 1b, 1s, 4 or 1q)" >&2; exit 2 ;;
  esac
  dir=$TMP/net$topo
  echo "== $label: network in $dir, base port $base"
  "$BIN" localnet init --dir "$dir" --validators "$n" --base-port "$base" >"$TMP/init$topo.log" 2>&1 ||
    { cat "$TMP/init$topo.log" >&2; exit 1; }
  # node$n (1q): a query node, as exchanges run one: a full node following
  # the chain, not a validator, with no mempool (it neither checks nor gossips
  # the load's transactions) and the tx index on.
  qn=
  if [ -n "$query" ]; then
    "$BIN" localnet add-node --dir "$dir" >>"$TMP/init$topo.log" 2>&1 || { cat "$TMP/init$topo.log" >&2; exit 1; }
    qn=$dir/node$n
    sed -i 's/^type = "flood"/type = "nop"/' "$qn/config/config.toml"
  fi
  vals=()
  for i in $(seq 0 $((n - 1))); do vals+=("$dir/node$i"); done
  "$TMP/loadgen" genesis --seed "$SEED" --accounts "$ACCOUNTS" --max-task-items 65536 ${BENCH_BLOCK_MAX_GAS:+--block-max-gas "$BENCH_BLOCK_MAX_GAS"} \
    --changes-out "$dir/changes.json" "$dir"/node*/config/genesis.json
  "$BIN" genesis validate --home "$dir/node0" >/dev/null
  # No state-sync snapshots (they would land in the disk-growth figure); node0 serves pprof.
  sed -i 's/^snapshot-interval = .*/snapshot-interval = 0/' "$dir"/node*/config/app.toml
  [ -z "${BENCH_PRUNING:-}" ] || sed -i "s/^pruning = .*/pruning = \"$BENCH_PRUNING\"/" "$dir"/node*/config/app.toml
  # Validators only: the query node keeps its index for exchanges.
  txindex=${BENCH_TX_INDEX-null}
  [ -z "$txindex" ] || for v in "${vals[@]}"; do sed -i "s/^indexer = .*/indexer = \"$txindex\"/" "$v/config/config.toml"; done
  [ -z "${BENCH_APP_DB:-}" ] || sed -i "s/^app-db-backend = .*/app-db-backend = \"$BENCH_APP_DB\"/" "$dir"/node*/config/app.toml
  [ -z "${BENCH_MEMPOOL_RECHECK:-}" ] || sed -i "s/^recheck = .*/recheck = $BENCH_MEMPOOL_RECHECK/" "$dir"/node*/config/config.toml
  pprof=$((base + 61))
  sed -i "s/^pprof_laddr = .*/pprof_laddr = \"127.0.0.1:$pprof\"/" "$dir/node0/config/config.toml"
  qo=$((base + 100 * n))
  # The query node serves pprof too (diagnosis: curl 127.0.0.1:$((qo + 61))/debug/pprof/...).
  [ -z "$qn" ] || sed -i "s/^pprof_laddr = .*/pprof_laddr = \"127.0.0.1:$((qo + 61))\"/" "$qn/config/config.toml"
  last=$((n - 1))
  [ -z "$qn" ] || last=$n
  rpcs=() grpcs=()
  for i in $(seq 0 "$last"); do
    o=$((base + 100 * i))
    for p in $((o + 56)) $((o + 57)) $((o + 17)) $((o + 90)) $((o + 60)) $pprof; do
      port_free "$p" || { echo "port $p is in use: set BENCH_PORT to a free range" >&2; exit 1; }
    done
    [ "$i" = "$n" ] || rpcs+=("http://127.0.0.1:$((o + 57))") grpcs+=("127.0.0.1:$((o + 90))")
  done
  vpids=()
  for i in $(seq 0 "$last"); do
    # shellcheck disable=SC2086
    env ${BENCH_NODE_ENV:-} "$BIN" start --home "$dir/node$i" --log_no_color >"$dir/node$i.log" 2>&1 &
    PIDS+=($!)
    [ "$i" = "$n" ] || vpids+=($!)
  done
  for _ in $(seq 120); do
    for p in "${PIDS[@]}"; do
      kill -0 "$p" 2>/dev/null || { echo "a node exited; see $dir/node*.log" >&2; tail -n 20 "$dir"/node*.log >&2; exit 1; }
    done
    h=$(height $((base + 57))) hq=$h
    [ -z "$qn" ] || hq=$(height $((qo + 57)))
    [ -n "$h" ] && [ "$h" -ge 2 ] && [ -n "$hq" ] && [ "$hq" -ge 2 ] && break
    sleep 1
  done
  [ -n "$h" ] && [ "$h" -ge 2 ] && [ -n "$hq" ] && [ "$hq" -ge 2 ] ||
    { echo "no blocks on node0 (and the query node) after 120 s" >&2; exit 1; }
  qflags=()
  [ -z "$qn" ] || qflags=(--query-rpc "http://127.0.0.1:$((qo + 57))" --query-grpc "127.0.0.1:$((qo + 90))")
  pids=$(IFS=,; echo "${vpids[*]}")
  # shellcheck disable=SC2086
  "$TMP/loadgen" run --topology "$label" --chain-id nightshift-localnet-1 --seed "$SEED" --accounts "$ACCOUNTS" \
    --rpc "$(IFS=,; echo "${rpcs[*]}")" --grpc "$(IFS=,; echo "${grpcs[*]}")" --pids "$pids" --home0 "$dir/node0" \
    "${qflags[@]}" --pprof "http://127.0.0.1:$pprof" --binary "$BIN" --profile-out "$OUT/profile-compute.txt" --profile-raw "$TMP/profile-$topo.pprof" \
    --changes "$dir/changes.json" --out "$OUT/$name" --command "make bench (scripts/bench/chain.sh $topo)" $flags ${LOADGEN_FLAGS:-} ||
    { echo "load generator failed; last node log lines:" >&2; tail -n 20 "$dir/node0.log" >&2; exit 1; }
  stop_nodes
  results+=("$OUT/$name.json")
  echo "== $label: wrote $OUT/$name.md and .json"
done
"$TMP/loadgen" summary --out "$OUT/chain-summary.md" "${results[@]}"
echo "== summary: $OUT/chain-summary.md"
cat "$OUT/chain-summary.md"
