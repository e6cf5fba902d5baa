package proth

import _ "embed"

// Wasm is proth.wasm, built from src/proth.c by scripts/programs.sh (make programs).
//
//go:embed proth.wasm
var Wasm []byte
