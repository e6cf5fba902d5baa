#!/usr/bin/env bash
# What each dependency of nightshift-worker costs on linux/arm64 (stripped, as
# `make release` builds it): a series of probe binaries, each adding one
# dependency to the one before and calling what the worker calls from it (a
# blank import links only init-reachable code), then the worker itself with
# and without the Makefile's WORKER_TAGS. Prints a markdown table of bytes and
# each step's increment. Usage: scripts/bench/worker-size.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d ./worker-size.XXXXXX) out=$(mktemp)
trap 'rm -rf "$dir" "$out"' EXIT
tags=$(sed -n 's/^WORKER_TAGS ?= //p' Makefile)
# build [go build flags] PACKAGE: the stripped linux/arm64 size of PACKAGE.
build() { CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -trimpath -ldflags "-s -w -buildid=" "${@:1:$#-1}" -o "$out" "${@: -1}" && stat -c %s "$out"; }
python3 - "$dir" <<'PY' | while IFS='|' read -r name label; do printf "%s|%s\n" "$label" "$(build "$dir/$name")"; done > "$dir/rows"
import os, sys
N = "github.com/nightshift-network/nightshift"
steps = [  # label, imports, statements: cumulative
    ("Go runtime, fmt, os", ['"fmt"', '"os"'], ['fmt.Fprintln(os.Stdout, len(os.Args))']),
    ("+ cobra", ['"github.com/spf13/cobra"'], ['fmt.Println((&cobra.Command{Use: "x"}).Execute())']),
    ("+ wazero (`program.Engine.Run`)", ['"context"', f'"{N}/x/compute/program"'],
     ['fmt.Println(program.NewEngine(program.EngineConfig{}).Run(context.Background(), []byte(os.Args[0]), program.Call{}))']),
    ("+ `x/compute/kinds`, `merkle`", [f'"{N}/x/compute/kinds"', f'"{N}/x/compute/merkle"'],
     ['fmt.Println(kinds.DefaultRegistry())', 'fmt.Println(merkle.InputRoot(nil))']),
    ("+ `pkg/cometrpc`, gorilla/websocket (status, ABCI query, broadcast, tx, subscribe)",
     [f'"{N}/pkg/cometrpc"', '"github.com/gorilla/websocket"'],
     ['h, _ := cometrpc.New(os.Args[1])', 'fmt.Println(h.Status(context.Background()))',
      'fmt.Println(h.ABCIQuery(context.Background(), "/x", nil))', 'fmt.Println(h.BroadcastTxSync(context.Background(), nil))',
      'fmt.Println(h.Tx(context.Background(), nil))', 'fmt.Println(websocket.DefaultDialer.Dial(os.Args[1], nil))']),
    ("+ gogoproto, `math`, jose2go (the file keyring's JWE), secp256k1, bech32",
     ['"github.com/cosmos/gogoproto/proto"', '"cosmossdk.io/math"', 'jose "github.com/dvsekhvalnov/jose2go"',
      '"github.com/decred/dcrd/dcrec/secp256k1/v4"', '"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"', '"github.com/cosmos/cosmos-sdk/types/bech32"'],
     ['fmt.Println(proto.Marshal(nil))', 'fmt.Println(math.NewIntFromString(os.Args[2]))', 'fmt.Println(jose.Decode(os.Args[3], []byte(os.Args[4])))',
      'fmt.Println(ecdsa.SignCompact(secp256k1.PrivKeyFromBytes([]byte(os.Args[5])), []byte(os.Args[6]), false))',
      'fmt.Println(bech32.DecodeAndConvert(os.Args[7]))']),
    ("+ `cosmos-sdk/types` (coins, addresses)", ['sdk "github.com/cosmos/cosmos-sdk/types"'],
     ['fmt.Println(sdk.ParseCoinsNormalized(os.Args[2]))', 'fmt.Println(sdk.AccAddressFromBech32(os.Args[3]))']),
    ("+ `codec`, `codec/types`, `crypto/codec`, `types/tx`",
     ['"github.com/cosmos/cosmos-sdk/codec"', 'codectypes "github.com/cosmos/cosmos-sdk/codec/types"',
      'cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"', '"github.com/cosmos/cosmos-sdk/types/tx"'],
     ['reg := codectypes.NewInterfaceRegistry()', 'cryptocodec.RegisterInterfaces(reg)', 'cdc := codec.NewProtoCodec(reg)',
      'var raw tx.TxRaw', 'fmt.Println(cdc.Unmarshal([]byte(os.Args[4]), &raw))']),
    ("+ `x/compute/types`", [f'ct "{N}/x/compute/types"'],
     ['ct.RegisterInterfaces(reg)', 'var jobs ct.QueryJobsResponse', 'fmt.Println(cdc.Unmarshal(raw.BodyBytes, &jobs))']),
    ("+ `pkg/workerkeys` (`Open`, `Key`, `Sign`, `NewAccount`)", [f'"{N}/pkg/workerkeys"'],
     ['kr, err := workerkeys.Open("n", os.Args[6], os.Args[5], os.Stdin)', 'fmt.Println(err)', 'k, err := kr.Key("a")', 'fmt.Println(err)',
      'fmt.Println(k.Sign([]byte("x")))', 'fmt.Println(kr.NewAccount("b", os.Args[7], "", os.Args[8]))']),
]
def write(name, imports, body):
    os.makedirs(os.path.join(sys.argv[1], name))
    with open(os.path.join(sys.argv[1], name, "main.go"), "w") as f:
        f.write("package main\n\nimport (\n" + "".join(f"\t{i}\n" for i in imports) + ")\n\nfunc main() {\n" + "".join(f"\t{s}\n" for s in body) + "}\n")
imps, body = [], []
for n, (label, i, b) in enumerate(steps):
    imps += i; body += b
    write(f"p{n}", imps, body); print(f"p{n}|{label}")
# cosmos-sdk/types on its own (cobra and wazero under it): what it weighs without the rest.
write("sdkonly", steps[0][1] + steps[1][1] + steps[2][1] + steps[6][1], steps[0][2] + steps[1][2] + steps[2][2] + steps[6][2])
print("sdkonly|(side probe) cobra, wazero and `cosmos-sdk/types` alone")
PY
{
  cat "$dir/rows"
  printf '%s|%s\n' "nightshift-worker, no tags" "$(build ./cmd/nightshift-worker)"
  printf '%s|%s\n' "nightshift-worker, -tags $tags (\`make release\`)" "$(build -tags "$tags" ./cmd/nightshift-worker)"
} | python3 -c '
import sys
print("| build (linux/arm64, stripped) | bytes | step |"); print("|---|---|---|")
prev = None
for line in sys.stdin:
    label, size = line.rstrip("\n").rsplit("|", 1); size = int(size)
    side = label.startswith("(side")
    step = "" if prev is None or side else f"{size - prev:+,}"
    print(f"| {label} | {size:,} | {step} |")
    if not side: prev = size
'
