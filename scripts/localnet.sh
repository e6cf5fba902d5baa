#!/usr/bin/env bash
# Runs a multi-validator Nightshift network on this machine, one process per
# node. Usage:
#   scripts/localnet.sh start  [-d DIR] [-n VALIDATORS] [-p BASE_PORT]   create (if needed) and start
#   scripts/localnet.sh stop   [-d DIR]                                  stop every node of DIR
#   scripts/localnet.sh status [-d DIR]                                  heights and peers
#   scripts/localnet.sh start-node|stop-node [-d DIR] -i INDEX           one node (e.g. to kill and restore)
# Node i listens on BASE_PORT+100*i+{56 p2p, 57 rpc, 17 api, 90 grpc, 60 metrics}.
# Defaults: DIR=.localnet, 4 validators, BASE_PORT=36600. NIGHTSHIFTD picks the binary.
set -euo pipefail

cmd=${1:-}
[ -n "$cmd" ] && shift
DIR=.localnet N=4 BASE=36600 IDX=
while getopts "d:n:p:i:" o; do
  case $o in
    d) DIR=$OPTARG ;; n) N=$OPTARG ;; p) BASE=$OPTARG ;; i) IDX=$OPTARG ;;
    *) echo "usage: $0 start|stop|status|start-node|stop-node [-d DIR] [-n N] [-p BASE_PORT] [-i INDEX]" >&2; exit 2 ;;
  esac
done
BIN=${NIGHTSHIFTD:-$(command -v nightshiftd || echo build/nightshiftd)}
[ -x "$BIN" ] || { echo "nightshiftd not found (set NIGHTSHIFTD or run make build)" >&2; exit 1; }

info() { # reads a field of DIR/localnet.json
  python3 -c "import json,sys;print(json.load(open('$DIR/localnet.json'))['$1'])" 2>/dev/null ||
    sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",]*\).*/\1/p" "$DIR/localnet.json" | head -1
}
rpc_port() { echo $(( $(info base_port) + 100 * $1 + 57 )); }
p2p_port() { echo $(( $(info base_port) + 100 * $1 + 56 )); }
pidfile() { echo "$DIR/node$1/node.pid"; }
alive() { local f; f=$(pidfile "$1"); [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

height() { # latest height of node i, or empty
  { curl -s -m 2 "http://127.0.0.1:$(rpc_port "$1")/status" || true; } |
    sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p'
}

start_node() {
  local i=$1
  if alive "$i"; then echo "node$i already running (pid $(cat "$(pidfile "$i")"))"; return; fi
  for port in "$(rpc_port "$i")" "$(p2p_port "$i")"; do
    port_free "$port" || { echo "node$i: port $port is in use; stop whatever holds it or choose -p" >&2; return 1; }
  done
  nohup "$BIN" start --home "$DIR/node$i" >>"$DIR/node$i/node.log" 2>&1 &
  echo $! >"$(pidfile "$i")"
  echo "node$i started (pid $!, rpc http://127.0.0.1:$(rpc_port "$i"), log $DIR/node$i/node.log)"
}

stop_node() {
  local i=$1 f pid
  f=$(pidfile "$i")
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    echo "node$i stopped"
  fi
  rm -f "$f"
}

nodes() { seq 0 $(( $(info validators) - 1 )); }

case $cmd in
  start)
    if [ ! -f "$DIR/localnet.json" ]; then
      "$BIN" localnet init --dir "$DIR" --validators "$N" --base-port "$BASE" >/dev/null 2>"$DIR.init.log" ||
        { cat "$DIR.init.log" >&2; rm -f "$DIR.init.log"; exit 1; }
      rm -f "$DIR.init.log"
    fi
    for i in $(nodes); do
      start_node "$i" || { echo "stopping the nodes already started" >&2; for j in $(nodes); do stop_node "$j"; done; exit 1; }
    done
    # Wait for blocks: a network that does not make them is stopped, not left half-started.
    for _ in $(seq 120); do
      h=$(height 0); [ -n "$h" ] && [ "$h" -ge 2 ] && { echo "localnet $(info chain_id) is making blocks (height $h)"; exit 0; }
      sleep 1
    done
    echo "no blocks after 120 s; see $DIR/node*/node.log; stopping" >&2
    for i in $(nodes); do stop_node "$i"; done
    exit 1
    ;;
  stop)
    [ -f "$DIR/localnet.json" ] || { echo "no localnet in $DIR" >&2; exit 0; }
    for i in $(nodes); do stop_node "$i"; done
    ;;
  status)
    [ -f "$DIR/localnet.json" ] || { echo "no localnet in $DIR" >&2; exit 1; }
    printf "%-6s %-8s %-8s %-6s %s\n" node pid height peers rpc
    for i in $(nodes); do
      pid=-; alive "$i" && pid=$(cat "$(pidfile "$i")")
      peers=$({ curl -s -m 2 "http://127.0.0.1:$(rpc_port "$i")/net_info" || true; } | sed -n 's/.*"n_peers":"\([0-9]*\)".*/\1/p')
      printf "%-6s %-8s %-8s %-6s %s\n" "node$i" "$pid" "$(height "$i")" "${peers:--}" "http://127.0.0.1:$(rpc_port "$i")"
    done
    ;;
  start-node) [ -n "$IDX" ] || { echo "-i INDEX required" >&2; exit 2; }; start_node "$IDX" ;;
  stop-node) [ -n "$IDX" ] || { echo "-i INDEX required" >&2; exit 2; }; stop_node "$IDX" ;;
  *) sed -n '2,9p' "$0" >&2; exit 2 ;;
esac
