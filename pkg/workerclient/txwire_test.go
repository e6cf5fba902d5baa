package workerclient

import (
	"context"
	"testing"

	"cosmossdk.io/math"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	"github.com/cosmos/cosmos-sdk/version"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/pkg/clientcodec"
	"github.com/nightshift-network/nightshift/pkg/computepb"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestEnvelopeIsTheSDKs builds and signs the same transaction twice, with the
// SDK's tx factory, builder and keyring signer and with the protowire
// envelope and pkg/workerkeys, and requires the same bytes: body, auth info,
// signature, TxRaw, and the simulation tx (empty signature, no fee).
func TestEnvelopeIsTheSDKs(t *testing.T) {
	dir := t.TempDir()
	sdkKr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, dir, nil, clientcodec.KeyCodec())
	require.NoError(t, err)
	rec, _, err := sdkKr.NewMnemonic("device1", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	require.NoError(t, err)
	addr, err := rec.GetAddress()
	require.NoError(t, err)
	kr, err := OpenKeyring(keyring.BackendTest, dir, nil)
	require.NoError(t, err)
	key, err := kr.Key("device1")
	require.NoError(t, err)
	enc, err := clientcodec.New()
	require.NoError(t, err)

	msgs := []gogoproto.Message{
		&types.MsgWithdrawRewards{Operator: addr.String()},
		&banktypes.MsgSend{FromAddress: addr.String(), ToAddress: addr.String(), Amount: sdk.NewCoins(sdk.NewCoin("ushift", math.NewInt(5)))},
	}
	const (
		chainID = "nightshift-test"
		accNum  = uint64(11)
		seq     = uint64(6)
		gas     = uint64(120_000)
		memo    = "night shift"
	)
	fee := []coin{{Denom: "ushift", Amount: "39960"}}

	anys := make([]anyMsg, len(msgs))
	for i, m := range msgs {
		bz, err := marshal(m)
		require.NoError(t, err)
		anys[i] = anyMsg{TypeURL: typeURL(m), Value: bz}
	}
	body := txBodyBytes(anys, memo)
	pk := anyMsg{TypeURL: key.PubKeyType, Value: key.PubKeyValue}
	info := authInfoBytes(pk, seq, gas, fee)
	sig, err := key.Sign(signDocBytes(body, info, chainID, accNum))
	require.NoError(t, err)
	ours := txRawBytes(body, info, [][]byte{sig})

	txf := clienttx.Factory{}.WithTxConfig(enc.TxConfig).WithKeybase(sdkKr).WithChainID(chainID).
		WithAccountNumber(accNum).WithSequence(seq).WithGas(gas).WithFees("39960ushift").WithMemo(memo).
		WithSignMode(signing.SignMode_SIGN_MODE_DIRECT)
	sdkMsgs := make([]sdk.Msg, len(msgs))
	for i, m := range msgs {
		sdkMsgs[i] = m
	}
	builder, err := txf.BuildUnsignedTx(sdkMsgs...)
	require.NoError(t, err)
	require.NoError(t, clienttx.Sign(context.Background(), txf, "device1", builder, true))
	theirs, err := enc.TxConfig.TxEncoder()(builder.GetTx())
	require.NoError(t, err)

	var raw txtypes.TxRaw
	require.NoError(t, raw.Unmarshal(theirs))
	require.Equal(t, raw.BodyBytes, body, "TxBody")
	require.Equal(t, raw.AuthInfoBytes, info, "AuthInfo")
	require.Equal(t, raw.Signatures, [][]byte{sig}, "signature")
	require.Equal(t, theirs, ours, "TxRaw")

	// The simulation: no gas, no fee, an empty signature.
	sim, err := txf.WithGas(0).WithFees("").WithMemo("").WithFromName("device1").WithSimulateAndExecute(true).BuildSimTx(sdkMsgs...)
	require.NoError(t, err)
	require.Equal(t, sim, txRawBytes(txBodyBytes(anys, ""), authInfoBytes(pk, seq, 0, nil), [][]byte{{}}), "simulation tx")
	var req txtypes.SimulateRequest
	require.NoError(t, req.Unmarshal(simulateRequestBytes(sim)))
	require.Equal(t, sim, req.TxBytes)
}

// TestReadsTheSDKsResponses decodes what the node answers, encoded by the
// SDK's types: the simulated gas (with a result that must be skipped) and a
// delivered tx's message responses; a truncated answer is an error.
func TestReadsTheSDKsResponses(t *testing.T) {
	bz, err := (&txtypes.SimulateResponse{GasInfo: &sdk.GasInfo{GasWanted: 9, GasUsed: 80_001},
		Result: &sdk.Result{Data: []byte{1, 2}, Log: "ok"}}).Marshal()
	require.NoError(t, err)
	used, found, err := simulatedGasUsed(bz)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, uint64(80_001), used)
	_, found, err = simulatedGasUsed(nil)
	require.NoError(t, err)
	require.False(t, found, "no gas_info")
	_, _, err = simulatedGasUsed(bz[:len(bz)-1])
	require.Error(t, err)

	got, err := msgResponses(nil)
	require.NoError(t, err)
	require.Empty(t, got)
	resp := &types.MsgWithdrawRewardsResponse{Amount: math.NewInt(42)}
	a, err := marshal(resp)
	require.NoError(t, err)
	anyResp, err := codectypes.NewAnyWithValue(resp)
	require.NoError(t, err)
	data, err := (&sdk.TxMsgData{MsgResponses: []*codectypes.Any{anyResp}}).Marshal()
	require.NoError(t, err)
	got, err = msgResponses(data)
	require.NoError(t, err)
	require.Equal(t, []anyMsg{{TypeURL: "/nightshift.compute.v1.MsgWithdrawRewardsResponse", Value: a}}, got)
	_, err = msgResponses(data[:len(data)-1])
	require.Error(t, err)
}

// TestKeyringServiceName: the keyring's service name is the SDK's, with and
// without a version.Name set at link time.
func TestKeyringServiceName(t *testing.T) {
	saved := version.Name
	t.Cleanup(func() { version.Name = saved })
	for _, name := range []string{"", "nightshift-worker"} {
		version.Name = name
		require.Equal(t, sdk.KeyringServiceName(), keyringServiceName(), name)
	}
}

// TestLegacyDecFromWire reads a LegacyDec as gogoproto writes it.
func TestLegacyDecFromWire(t *testing.T) {
	for _, s := range []string{"0.333", "0", "12.000000000000000001"} {
		d := math.LegacyMustNewDecFromStr(s)
		bz, err := d.Marshal()
		require.NoError(t, err)
		got, err := legacyDecFromWire(string(bz))
		require.NoError(t, err)
		require.True(t, d.Equal(got), s)
	}
	got, err := legacyDecFromWire("")
	require.NoError(t, err)
	require.True(t, got.IsZero())
	_, err = legacyDecFromWire("0.5")
	require.Error(t, err)
}

// TestParamsFieldNumbers ties the fee's wire reading to the generated types.
func TestParamsFieldNumbers(t *testing.T) {
	res := (&computepb.QueryParamsResponse{}).ProtoReflect().Descriptor()
	require.EqualValues(t, paramsResponseParams, res.Fields().ByName("params").Number())
	require.EqualValues(t, paramsMinGasPrice, (&computepb.Params{}).ProtoReflect().Descriptor().Fields().ByName("min_gas_price").Number())
}
