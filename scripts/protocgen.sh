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
# Built from go.mod's google.golang.org/protobuf (offline: go install pkg@version
# would ask the proxy), so the generated code matches the runtime linked.
command -v protoc-gen-go >/dev/null || go build -o "$GOBIN/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go

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
# x/compute's protos a second time, as plain google.golang.org/protobuf types
# in pkg/computepb: the same messages for programs that must not link
# cosmos-sdk/types (nightshift-worker; docs/benchmarks.md, "The worker
# binary's size"). protoc-gen-go, not pulsar: no fast-reflection code, 2 MB
# less in the worker. The cosmos imports map to cosmossdk.io/api's packages.
# pkg/computepb's compat_test fails if the two outputs disagree.
pb=github.com/nightshift-network/nightshift/pkg/computepb
go_map=Mgogoproto/gogo.proto=github.com/cosmos/gogoproto/gogoproto,Mcosmos_proto/cosmos.proto=github.com/cosmos/cosmos-proto
go_map+=,Mamino/amino.proto=cosmossdk.io/api/amino,Mcosmos/msg/v1/msg.proto=cosmossdk.io/api/cosmos/msg/v1
go_map+=,Mcosmos/base/query/v1beta1/pagination.proto=cosmossdk.io/api/cosmos/base/query/v1beta1
go_map+=,Mgoogle/api/annotations.proto=google.golang.org/genproto/googleapis/api/annotations
for f in proto/nightshift/compute/v1/*.proto; do go_map+=",M${f#proto/}=$pb;computepb"; done
protoc "${INCLUDES[@]}" --go_out="$go_map":"$out" proto/nightshift/compute/v1/*.proto
# protoc writes by go_package; copy into this module's tree.
cp -r "$out"/github.com/nightshift-network/nightshift/* ./
