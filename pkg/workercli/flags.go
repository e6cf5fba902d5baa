package workercli

// The SDK's names of the flags the worker shares with nightshiftd, and its
// output formats (client/flags), so both binaries take the same flags without
// the worker importing client/flags, which imports the SDK's crypto/keyring
// and its codec. flags_test.go checks each against the SDK's.
const (
	FlagHome           = "home"
	FlagFrom           = "from"
	FlagChainID        = "chain-id"
	FlagNode           = "node"
	FlagGasPrices      = "gas-prices"
	FlagGasAdjustment  = "gas-adjustment"
	FlagOutput         = "output"
	FlagKeyringBackend = "keyring-backend"
	FlagKeyringDir     = "keyring-dir"
	OutputFormatText   = "text"
	OutputFormatJSON   = "json"
)
