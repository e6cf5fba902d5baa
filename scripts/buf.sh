#!/usr/bin/env bash
# buf lint, then buf breaking against the last release, offline. buf reads the
# protos as an image that protoc builds with the imports from the Go module
# cache (the Buf registry is unreachable here), the same includes as
# scripts/protocgen.sh. The base of the breaking check is the newest v* tag;
# before the first release there is none, and the check runs against HEAD (so
# it catches an uncommitted breaking edit). BUF_AGAINST=<git ref> overrides.
set -euo pipefail
cd "$(dirname "$0")/.."

BUF_VERSION=v1.75.0
BUF=$(go env GOPATH)/bin/buf
if ! "$BUF" --version 2>/dev/null | grep -qx "${BUF_VERSION#v}"; then
  go install "github.com/bufbuild/buf/cmd/buf@$BUF_VERSION"
fi
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }

moddir() { go list -m -f '{{.Dir}}' "$1"; }
go mod download github.com/cosmos/cosmos-sdk github.com/cosmos/gogoproto github.com/cosmos/cosmos-proto github.com/grpc-ecosystem/grpc-gateway
INCLUDES=(-I "$(moddir github.com/cosmos/cosmos-sdk)/proto" -I "$(moddir github.com/cosmos/gogoproto)"
  -I "$(moddir github.com/cosmos/cosmos-proto)/proto" -I "$(moddir github.com/grpc-ecosystem/grpc-gateway)/third_party/googleapis")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# image DIR OUT: the protos under DIR/proto as a buf image (a FileDescriptorSet).
image() {
  (cd "$1" && protoc -I proto "${INCLUDES[@]}" --include_imports --include_source_info \
    --descriptor_set_out="$2" $(find proto -name '*.proto' | sed 's#^proto/##' | sort))
}
image . "$tmp/head.binpb"
# Lint and compare only our files; the imports are other projects'.
paths=(--path nightshift)

"$BUF" lint "$tmp/head.binpb" --config buf.yaml "${paths[@]}"
echo "buf lint: ok"

against=${BUF_AGAINST:-$(git tag --list 'v*' --sort=-v:refname | head -1)}
against=${against:-HEAD}
mkdir -p "$tmp/base"
git archive "$against" proto | tar -x -C "$tmp/base"
image "$tmp/base" "$tmp/base.binpb"
"$BUF" breaking "$tmp/head.binpb" --against "$tmp/base.binpb" --config buf.yaml "${paths[@]}"
echo "buf breaking against $against: ok"
