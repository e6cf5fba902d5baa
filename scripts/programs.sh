#!/usr/bin/env bash
# Builds the example programs (pkg/examples/*) from source with fixed flags.
#   scripts/programs.sh build   rebuild and overwrite the committed .wasm (make programs)
#   scripts/programs.sh check   rebuild into a temp dir; fail if a committed .wasm differs
#                               (make programs-check)
# Both fail if a module imports anything or holds a float instruction (Program ABI v1).
# Toolchain (Debian 12): clang 14 + wasm-ld 14 for C, with binaryen's wasm-opt (108):
#   clang runs `wasm-opt -O2` on the linked module whenever wasm-opt is on PATH, so
#   the committed C programs are its output and a build without it differs;
#   rustc 1.63 (/usr/bin/rustc, not rustup's) with libstd-rust-dev-wasm32 for Rust,
#   wabt for wasm-objdump:
#   apt-get install -y clang lld binaryen wabt rustc libstd-rust-dev-wasm32
# Other versions may emit other (still valid) bytes; check then reports a difference.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}
CLANG=${CLANG:-clang} RUSTC=${RUSTC:-/usr/bin/rustc} OBJDUMP=${WASM_OBJDUMP:-wasm-objdump}
for tool in "$CLANG" wasm-opt "$RUSTC" "$OBJDUMP"; do
	command -v "$tool" >/dev/null || { echo "programs.sh: $tool not found (see the header for the toolchain)" >&2; exit 2; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# 2 pages initial (64 KiB stack + heap), 16 at most; no custom sections.
C_FLAGS=(--target=wasm32 -O2 -nostdlib -ffreestanding -fno-builtin -Wall -Wextra -Werror
	-Wl,--no-entry -Wl,--initial-memory=131072 -Wl,--max-memory=1048576 -Wl,--strip-all)
RUST_FLAGS=(--edition 2021 --crate-type cdylib --target wasm32-unknown-unknown -C opt-level=3
	-C panic=abort -C debuginfo=0 -C strip=symbols -C codegen-units=1
	-C link-arg=-zstack-size=65536 -C link-arg=--initial-memory=131072 -C link-arg=--max-memory=1048576)

# Each builds from its own directory with relative paths, so no absolute path can
# reach the output.
(cd pkg/examples/proth && "$CLANG" "${C_FLAGS[@]}" -o "$out/proth.wasm" src/proth.c)
(cd pkg/examples/tiles && "$CLANG" "${C_FLAGS[@]}" -o "$out/tiles.wasm" src/tiles.c)
(cd pkg/examples/montecarlo && "$RUSTC" "${RUST_FLAGS[@]}" -o "$out/montecarlo.wasm" src/lib.rs)

status=0
for name in proth tiles montecarlo; do
	built=$out/$name.wasm committed=pkg/examples/$name/$name.wasm
	if "$OBJDUMP" -d "$built" | grep -E '^\s*[0-9a-f]+:.*\|.*f(32|64)' >/dev/null; then
		echo "$name: float instructions in the module (ABI v1 forbids them)" >&2
		status=1
	fi
	if "$OBJDUMP" -h "$built" | grep -q ' Import '; then
		echo "$name: the module imports something (ABI v1 allows no imports)" >&2
		status=1
	fi
	case $mode in
	build) cp "$built" "$committed"; echo "$committed $(sha256sum <"$built" | cut -c1-16) $(wc -c <"$built") bytes" ;;
	check)
		if cmp -s "$built" "$committed"; then
			echo "$committed: reproduced"
		else
			echo "$committed differs from its rebuild from source (run make programs, or check the toolchain versions)" >&2
			status=1
		fi ;;
	*) echo "usage: $0 build|check" >&2; exit 2 ;;
	esac
done
exit $status
