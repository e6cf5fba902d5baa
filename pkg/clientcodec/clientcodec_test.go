package clientcodec

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRegistryHoldsWhatTheWorkerSends: every message the worker signs, and
// every response and account it reads back, resolves by type URL.
func TestRegistryHoldsWhatTheWorkerSends(t *testing.T) {
	cfg, err := New()
	require.NoError(t, err)
	for _, url := range []string{
		"/nightshift.compute.v1.MsgRegisterDevice", "/nightshift.compute.v1.MsgSubmitClaim",
		"/nightshift.compute.v1.MsgSubmitProof", "/nightshift.compute.v1.MsgSubmitProofResponse",
		"/nightshift.compute.v1.MsgWithdrawRewardsResponse",
		"/nightshift.compute.v1.MsgLeaseTasks", "/nightshift.compute.v1.MsgLeaseTasksResponse",
		"/nightshift.compute.v1.MsgSubmitClaims", "/nightshift.compute.v1.MsgSubmitClaimsResponse",
		"/nightshift.compute.v1.MsgSubmitProofs", "/nightshift.compute.v1.MsgSubmitProofsResponse",
		"/cosmos.bank.v1beta1.MsgSend", "/cosmos.bank.v1beta1.MsgSendResponse",
		"/cosmos.auth.v1beta1.BaseAccount", "/cosmos.crypto.secp256k1.PubKey",
	} {
		_, err := cfg.InterfaceRegistry.Resolve(url)
		require.NoError(t, err, url)
	}
	_, err = cfg.InterfaceRegistry.Resolve("/cosmos.staking.v1beta1.MsgDelegate")
	require.Error(t, err, "staking is not the worker's business")
	require.NoError(t, cfg.InterfaceRegistry.SigningContext().Validate())
}
