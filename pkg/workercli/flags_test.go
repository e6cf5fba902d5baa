package workercli

import (
	"testing"

	"github.com/cosmos/cosmos-sdk/client/flags"
)

// The worker's flag names are the SDK's: `nightshiftd worker` and
// nightshift-worker read the same command lines and client.toml keys.
func TestFlagNamesAreTheSDKs(t *testing.T) {
	for ours, sdk := range map[string]string{
		FlagHome: flags.FlagHome, FlagFrom: flags.FlagFrom, FlagChainID: flags.FlagChainID, FlagNode: flags.FlagNode,
		FlagGasPrices: flags.FlagGasPrices, FlagGasAdjustment: flags.FlagGasAdjustment, FlagOutput: flags.FlagOutput,
		FlagKeyringBackend: flags.FlagKeyringBackend, FlagKeyringDir: flags.FlagKeyringDir,
		OutputFormatText: flags.OutputFormatText, OutputFormatJSON: flags.OutputFormatJSON,
	} {
		if ours != sdk {
			t.Errorf("flag %q, the SDK's is %q", ours, sdk)
		}
	}
}
