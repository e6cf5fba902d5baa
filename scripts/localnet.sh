#!/usr/bin/env bash
# Runs a multi-validator Nightshift network on this machine, one process per
# node. Usage:
#   scripts/localnet.sh start  [-d DIR] [-n VALIDATORS] [-p BASE_PORT]   create (if needed) and start every node
#   scripts/localnet.sh stop   [-d DIR]                                  stop every node of DIR
#   scripts/localnet.sh status [-d DIR]                                  pid, height, peers and voting power of each node
#   scripts/localnet.sh join   [-d DIR] [-s]                             add a full node, start it, wait until it caught up (-s: state sync)
#   scripts/localnet.sh start-node|stop-node [-d DIR] -i INDEX           one node (e.g. to kill and restore)
# Node i listens on BASE_PORT+100*i+{56 p2p, 57 rpc, 17 api, 90 grpc, 60 metrics}.
# Defaults: DIR=.localnet, 4 validators, BASE_PORT=36600. NIGHTSHIFTD picks the binary;
# join gives up on a node whose height stands still for LOCALNET_STALL_SECONDS (90).
set -euo pipefail

usage() { sed -n '2,11p' "$0" >&2; exit 2; }
cmd=${1:-}
[ -n "$cmd" ] && shift
DIR=.localnet N=4 BASE=36600 IDX= STATESYNC= SHAPE_GIVEN=
while getopts "d:n:p:i:s" o; do
  case $o in
    d) DIR=${OPTARG%/} ;; n) N=$OPTARG SHAPE_GIVEN=1 ;; p) BASE=$OPTARG SHAPE_GIVEN=1 ;;
    i) IDX=$OPTARG ;; s) STATESYNC=1 ;; *) usage ;;
  esac
done
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac # pid checks match the --home of the processes
BIN=${NIGHTSHIFTD:-$(command -v nightshiftd || echo build/nightshiftd)}
[ -x "$BIN" ] || { echo "nightshiftd not found (set NIGHTSHIFTD or run make build)" >&2; exit 1; }
STALL=${LOCALNET_STALL_SECONDS:-90}
[[ $STALL =~ ^[1-9][0-9]*$ ]] || { echo "LOCALNET_STALL_SECONDS must be a positive number of seconds, not '$STALL'" >&2; exit 2; }

# localnet.json is written by `nightshiftd localnet`, one field a line.
field() { sed -n "s/^ *\"$1\": *\"\{0,1\}\([^\",]*\).*/\1/p" "$DIR/localnet.json" | head -1; }
load() {
  [ -f "$DIR/localnet.json" ] || { echo "no localnet in $DIR (create one with: $0 start -d $DIR)" >&2; return 1; }
  CHAIN=$(field chain_id) PORTS=$(field base_port) COUNT=$(field nodes)
  [ -n "$COUNT" ] || COUNT=$(field validators) # written before add-node existed
  [ -n "$CHAIN" ] && [ -n "$PORTS" ] && [ -n "$COUNT" ] ||
    { echo "$DIR/localnet.json lacks chain_id, base_port or validators" >&2; return 1; }
}
nodes() { seq 0 $((COUNT - 1)); }
port() { echo $((PORTS + 100 * $1 + $2)); } # port INDEX OFFSET
rpc() { echo "http://127.0.0.1:$(port "$1" 57)"; }
pidfile() { echo "$DIR/node$1/node.pid"; }

# alive: node i's recorded pid runs nightshiftd on node i's home (a stale pid
# file naming some other process does not count).
alive() {
  local f pid
  f=$(pidfile "$1")
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  case "$(ps -ww -o args= -p "$pid" 2>/dev/null)" in *"--home $DIR/node$1") return 0 ;; esac
  return 1
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ports_in_use prints node i's ports that something else listens on.
ports_in_use() {
  local name off
  for name in p2p:56 rpc:57 api:17 grpc:90 metrics:60; do
    off=${name#*:}
    port_free "$(port "$1" "$off")" || echo "node$1: port $(port "$1" "$off") (${name%:*}) is in use"
  done
}

status_field() { # status_field JSON KEY: a string, number or boolean field
  sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$1" | head -1
}
node_status() { curl -s -m 2 "$(rpc "$1")/status" || true; }
height() { status_field "$(node_status "$1")" latest_block_height; }

start_node() {
  local i=$1 busy
  if alive "$i"; then echo "node$i already running (pid $(cat "$(pidfile "$i")"))"; return 0; fi
  busy=$(ports_in_use "$i")
  if [ -n "$busy" ]; then
    echo "$busy" >&2
    echo "node$i not started: stop whatever holds those ports, or create the localnet elsewhere with other ports (-d DIR -p BASE_PORT)" >&2
    return 1
  fi
  echo "=== localnet.sh start-node $i $(date -u +%FT%TZ)" >>"$DIR/node$i/node.log"
  nohup "$BIN" start --log_no_color --home "$DIR/node$i" >>"$DIR/node$i/node.log" 2>&1 &
  echo $! >"$(pidfile "$i")"
  echo "node$i started (pid $!, rpc $(rpc "$i"), log $DIR/node$i/node.log)"
}

# stop_nodes signals every given node, then waits up to 10 s for each before SIGKILL.
stop_nodes() {
  local i f pid
  local -a pids=() names=()
  for i in "$@"; do
    f=$(pidfile "$i")
    [ -f "$f" ] || continue
    if alive "$i"; then
      pid=$(cat "$f")
      kill "$pid" 2>/dev/null || true
      pids+=("$pid") names+=("node$i")
    fi
    rm -f "$f"
  done
  for i in "${!pids[@]}"; do
    pid=${pids[$i]}
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
      echo "${names[$i]} killed (did not stop within 10 s)"
    else
      echo "${names[$i]} stopped"
    fi
  done
}

log_tail() { echo "--- last lines of $DIR/node$1/node.log:" >&2; tail -n "${2:-15}" "$DIR/node$1/node.log" >&2 || true; }

# exit_reason shows why node i exited, from its log since its last start: a
# panic's first line and the end of its message, else the last lines (without
# the usage text the command prints before its error).
exit_reason() {
  local log="$DIR/node$1/node.log" from run
  from=$(grep -n '^=== localnet.sh' "$log" | tail -1 | cut -d: -f1)
  run=$(tail -n +"${from:-1}" "$log")
  echo "--- node$1 exited; from $log:" >&2
  if grep -q '^panic:' <<<"$run"; then # the panic's message, long ones shortened in the middle
    awk '/^panic:/{p=1} /^goroutine /{exit} p{gsub(/[ \t]+/," "); m=m $0} END{
      print (length(m) > 500 ? substr(m, 1, 200) " … " substr(m, length(m) - 250) : m)}' <<<"$run" >&2
  else
    awk '/^Usage:$/{u=1} u && /^Global Flags:$/{g=1} u && g && /^$/{u=g=0; next} !u' <<<"$run" | tail -n 15 >&2
  fi
  # A genesis edited to another chain-id fails on its own gentxs' signatures.
  local gchain
  gchain=$(grep -o -m1 '"chain_id": *"[^"]*"' "$DIR/node$1/config/genesis.json" 2>/dev/null | head -1 | sed 's/.*"\([^"]*\)"$/\1/' || true)
  if [ -n "$gchain" ] && [ "$gchain" != "$CHAIN" ]; then
    echo "node$1's genesis is for chain $gchain but this localnet is $CHAIN: give it the network's genesis (config/genesis.json of a running node)" >&2
  fi
}

# explain_no_sync says why node i has no peers or does not follow, from its log.
explain_no_sync() {
  local i=$1 log="$DIR/node$1/node.log" peers
  peers=$(status_field "$({ curl -s -m 2 "$(rpc "$i")/net_info" || true; })" n_peers)
  echo "node$i has ${peers:-no} peers and is at height $(height "$i") (the network is at $(max_height "$i"))" >&2
  if grep -q "different network" "$log" 2>/dev/null; then
    # CometBFT logs "peer is on a different network. Got THEIRS, expected OURS".
    local theirs ours
    read -r theirs ours < <(grep -o "different network. Got [^,]*, expected [^ \"]*" "$log" | tail -1 |
      sed 's/.*Got \([^,]*\), expected \(.*\)/\1 \2/')
    echo "node$i's genesis is for chain ${ours:-?} but its peers run ${theirs:-?}: give it the network's genesis (config/genesis.json of a running node)" >&2
  elif [ "${peers:-0}" = 0 ]; then
    echo "no peer reachable: are the nodes in its persistent_peers running? ($0 status -d $DIR)" >&2
    grep '^persistent_peers = ' "$DIR/node$i/config/config.toml" >&2 || true
  fi
}

max_height() { # highest height among the running nodes other than $1
  local j h best=0
  for j in $(nodes); do
    [ "$j" = "$1" ] && continue
    alive "$j" || continue
    h=$(height "$j"); [ -n "$h" ] && [ "$h" -gt "$best" ] && best=$h
  done
  echo "$best"
}

# wait_caught_up waits until node i has left block sync and reached the
# height the others had when it started; it gives up when the node's height
# stands still for $STALL s or its peers are on another chain.
wait_caught_up() {
  local i=$1 target st h cu last=-1 since=$SECONDS
  target=$(max_height "$i")
  while :; do
    alive "$i" || { exit_reason "$i"; return 1; }
    st=$(node_status "$i") h=$(status_field "$st" latest_block_height) cu=$(status_field "$st" catching_up)
    if [ "$cu" = false ] && [ -n "$h" ] && [ "$h" -ge "$target" ]; then
      echo "node$i caught up (height $h)"
      return 0
    fi
    if grep -q "different network" "$DIR/node$i/node.log" 2>/dev/null; then
      explain_no_sync "$i"
      return 1
    fi
    [ "${h:-}" = "$last" ] || since=$SECONDS last=${h:-}
    if [ $((SECONDS - since)) -ge "$STALL" ]; then
      echo "node$i made no progress for $STALL s" >&2
      explain_no_sync "$i"
      log_tail "$i" 5
      return 1
    fi
    sleep 1
  done
}

case $cmd in
  start)
    if [ ! -f "$DIR/localnet.json" ]; then
      initlog=$(mktemp)
      "$BIN" localnet init --dir "$DIR" --validators "$N" --base-port "$BASE" >/dev/null 2>"$initlog" ||
        { cat "$initlog" >&2; rm -f "$initlog"; exit 1; }
      rm -f "$initlog"
    fi
    load
    if [ -n "$SHAPE_GIVEN" ] && { [ "$BASE" != "$PORTS" ] || [ "$N" != "$(field validators)" ]; }; then
      echo "$DIR already holds a localnet ($(field validators) validators, base port $PORTS); -n and -p apply only to a new one" >&2
    fi
    # Check every port first, so that a busy one leaves nothing running.
    busy=$(for i in $(nodes); do alive "$i" || ports_in_use "$i"; done)
    if [ -n "$busy" ]; then
      echo "$busy" >&2
      echo "nothing was started: stop whatever holds those ports, or create the localnet elsewhere with other ports (-d DIR -p BASE_PORT)" >&2
      exit 1
    fi
    started=()
    for i in $(nodes); do
      alive "$i" && { echo "node$i already running"; continue; }
      start_node "$i" || { echo "stopping the nodes started" >&2; stop_nodes "${started[@]}"; exit 1; }
      started+=("$i")
    done
    [ ${#started[@]} -gt 0 ] || { echo "every node of $DIR is already running"; exit 0; }
    # Wait for blocks and for the RPC of every node started (a node that fails
    # while loading its state exits before its RPC answers, also when the
    # others of a restarted network are long past height 2): a network that
    # does not get there is stopped, not left half-started.
    for _ in $(seq 120); do
      quiet=
      for i in "${started[@]}"; do
        alive "$i" || { exit_reason "$i"; stop_nodes "${started[@]}"; exit 1; }
        [ -n "$(height "$i")" ] || quiet="$quiet node$i"
      done
      h=$(max_height -1)
      [ -z "$quiet" ] && [ "$h" -ge 2 ] && { echo "localnet $CHAIN is making blocks (height $h)"; exit 0; }
      sleep 1
    done
    if [ "$h" -lt 2 ]; then
      echo "no blocks after 120 s; see $DIR/node*/node.log; stopping" >&2
    else
      echo "the RPC of$quiet does not answer after 120 s; see $DIR/node*/node.log; stopping" >&2
    fi
    stop_nodes "${started[@]}"
    exit 1
    ;;
  stop)
    [ -f "$DIR/localnet.json" ] || { echo "no localnet in $DIR" >&2; exit 0; }
    load
    stop_nodes $(nodes)
    ;;
  status)
    load
    printf "%-6s %-8s %-8s %-8s %-6s %-14s %s\n" node pid height syncing peers voting_power rpc
    for i in $(nodes); do
      pid=-; alive "$i" && pid=$(cat "$(pidfile "$i")")
      st=$(node_status "$i") peers=
      net=$(status_field "$st" network)
      if [ -n "$net" ] && [ "$net" != "$CHAIN" ]; then
        echo "node$i: port $(port "$i" 57) answers for chain $net, not this localnet" >&2
        st=
      elif [ -n "$st" ]; then
        peers=$(status_field "$({ curl -s -m 2 "$(rpc "$i")/net_info" || true; })" n_peers)
      fi
      printf "%-6s %-8s %-8s %-8s %-6s %-14s %s\n" "node$i" "$pid" "$(status_field "$st" latest_block_height)" \
        "$(status_field "$st" catching_up)" "${peers:--}" "$(status_field "$st" voting_power)" "$(rpc "$i")"
    done
    ;;
  join)
    load
    [ "$(max_height -1)" -gt 0 ] || { echo "the localnet in $DIR is not running (start it with: $0 start -d $DIR); nothing was added" >&2; exit 1; }
    "$BIN" localnet add-node --dir "$DIR" ${STATESYNC:+--state-sync} | grep -v '^start it with' || exit 1
    load
    i=$((COUNT - 1))
    start_node "$i" || { echo "node$i was added but not started; start it with: $0 start-node -d $DIR -i $i" >&2; exit 1; }
    wait_caught_up "$i" || { stop_nodes "$i"; echo "once that is fixed, start it with: $0 start-node -d $DIR -i $i" >&2; exit 1; }
    ;;
  start-node)
    [ -n "$IDX" ] || usage
    load
    alive "$IDX" && { start_node "$IDX"; exit 0; }
    start_node "$IDX"
    # Wait for its RPC, so that a node that exits at once is reported here.
    for _ in $(seq 60); do
      alive "$IDX" || { exit_reason "$IDX"; rm -f "$(pidfile "$IDX")"; exit 1; }
      [ -n "$(height "$IDX")" ] && exit 0
      sleep 0.5
    done
    echo "node$IDX runs but its RPC does not answer after 30 s; see $DIR/node$IDX/node.log" >&2
    ;;
  stop-node) [ -n "$IDX" ] || usage; load; stop_nodes "$IDX" ;;
  *) usage ;;
esac
