#!/usr/bin/env bash
# Regenerates every *.pb.go and *.pb.gw.go from proto/ offline: imports come
# from the Go module cache (cosmos-sdk, gogoproto, cosmos-proto, grpc-gateway's
# googleapis) and protoc's own well-known types, never from the Buf registry.
set -euo pipefail
cd "$(dirname "$0")/.."

GOBIN=$(go env GOPATH)/bin
export PATH="$GOBIN:$PATH"
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
command -v protoc-gen-gocosmos >/dev/null || go install github.com/cosmos/gogoproto/protoc-gen-gocosmos@v1.7.2
command -v protoc-gen-grpc-gateway >/dev/null || go install github.com/grpc-ecosystem/grpc-gateway/protoc-gen-grpc-gateway@v1.16.0

moddir() { go list -m -f '{{.Dir}}' "$1"; }
go mod download github.com/cosmos/cosmos-sdk github.com/cosmos/gogoproto github.com/cosmos/cosmos-proto github.com/grpc-ecosystem/grpc-gateway
SDK=$(moddir github.com/cosmos/cosmos-sdk)
GOGO=$(moddir github.com/cosmos/gogoproto)
CPROTO=$(moddir github.com/cosmos/cosmos-proto)
GW=$(moddir github.com/grpc-ecosystem/grpc-gateway)
INCLUDES=(-I proto -I "$SDK/proto" -I "$GOGO" -I "$CPROTO/proto" -I "$GW/third_party/googleapis")

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for dir in $(find proto -name '*.proto' -exec dirname {} \; | sort -u); do
  protoc "${INCLUDES[@]}" \
    --gocosmos_out=plugins=grpc,Mgoogle/protobuf/any.proto=github.com/cosmos/gogoproto/types/any:"$out" \
    --grpc-gateway_out=logtostderr=true,allow_colon_final_segments=true:"$out" \
    "$dir"/*.proto
done
# protoc writes by go_package; copy into this module's tree.
cp -r "$out"/github.com/nightshift-network/nightshift/* ./
