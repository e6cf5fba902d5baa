package keeper

// The proof's input checks, for BenchmarkProofVerification's wasm rows.
var (
	CheckProofInputs  = checkProofInputs
	VerifyProofInputs = verifyProofInputs
)
