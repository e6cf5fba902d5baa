package simulation

import _ "embed" // the test program's code

// MixerProgram is the tiny Program ABI v1 module the simulation stores and
// runs wasm jobs with (testdata/mixer.wat: an integer mix of job id, item,
// params and input whose fuel varies by item). The keeper tests use it too.
//
//go:embed testdata/mixer.wasm
var MixerProgram []byte
