package montecarlo

import _ "embed"

// Wasm is montecarlo.wasm, built from src/lib.rs by scripts/programs.sh (make programs).
//
//go:embed montecarlo.wasm
var Wasm []byte
