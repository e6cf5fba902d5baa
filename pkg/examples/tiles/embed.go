package tiles

import _ "embed"

// Wasm is tiles.wasm, built from src/tiles.c by scripts/programs.sh (make programs).
//
//go:embed tiles.wasm
var Wasm []byte
