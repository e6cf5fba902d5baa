package workerclient

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/app/params"
	"github.com/nightshift-network/nightshift/pkg/clientcodec"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

func init() { params.SetSDKConfig() }

// newTestClient makes a key in an SDK test-backend keyring under dir (what
// `nightshiftd keys add --keyring-backend test` writes) and a client for it
// against a fake node.
func newTestClient(t *testing.T, price string, onChain math.LegacyDec) (*Client, *fakeNode) {
	t.Helper()
	dir := t.TempDir()
	sdkKr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, dir, nil, clientcodec.KeyCodec())
	require.NoError(t, err)
	rec, _, err := sdkKr.NewMnemonic("device1", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	require.NoError(t, err)
	addr, err := rec.GetAddress()
	require.NoError(t, err)

	enc, err := clientcodec.New()
	require.NoError(t, err)
	node := &fakeNode{t: t, enc: enc, chainID: "nightshift-test", accNum: 11, seq: 6, addr: addr.String(), price: onChain, simGas: 80_000}
	kr, err := OpenKeyring(keyring.BackendTest, dir, nil)
	require.NoError(t, err)
	c, err := New(Options{Node: node, Keyring: kr, From: "device1", ChainID: "nightshift-test", GasPrices: price, Known: types.Errors()})
	require.NoError(t, err)
	c.PollInterval = 0
	require.Equal(t, addr.String(), c.Address())
	return c, node
}

// The transaction the client builds is what the SDK decodes and verifies:
// DIRECT signature over the chain ID and account number, the account's
// sequence, gas = simulated × 1.5, fee = ceil(gas × the chain's min_gas_price).
func TestSubmitSignsWhatTheSDKVerifies(t *testing.T) {
	c, node := newTestClient(t, "", math.LegacyMustNewDecFromStr("0.333"))
	res, err := c.Submit(context.Background(), &types.MsgWithdrawRewards{Operator: c.Address()})
	require.NoError(t, err)
	require.Equal(t, uint64(7), node.seq, "the node accepted the signed tx")
	require.Equal(t, uint64(120_000), node.lastGas)
	// 120,000 × 0.333 = 39,960 exactly; an attacker-free rounding check below.
	require.Equal(t, "39960ushift", node.lastFee.String())
	require.Equal(t, int64(9), res.Height)
	require.Equal(t, int64(1234), res.GasUsed)
	require.Len(t, res.Responses, 1)
	require.Equal(t, math.NewInt(42), res.Responses[0].(*types.MsgWithdrawRewardsResponse).Amount)
	require.Equal(t, []EventAttr{{Type: "withdraw", Key: "amount", Value: "42ushift"}}, res.Events)
}

// A fee below gas × price is refused by the chain (app/min_gas_price.go), so
// the fee is rounded up, never down; --gas-prices overrides the chain's price.
func TestFeeIsGasTimesPriceRoundedUp(t *testing.T) {
	p, err := parseGasPrice("0.0001ushift")
	require.NoError(t, err)
	require.Equal(t, []coin{{"ushift", "1"}}, p.fee(1), "a fraction of a ushift rounds up")
	require.Equal(t, []coin{{"ushift", "13"}}, p.fee(120_001))
	require.Empty(t, gasPrice{perGas: math.LegacyZeroDec()}.fee(1_000_000), "no fee at a zero price")
	for _, bad := range []string{"0.1stake", "-1ushift", "ushift", "abc"} {
		_, err := parseGasPrice(bad)
		require.Error(t, err, bad)
	}

	// The flag wins over the chain: paying 2/gas when the chain asks 1.
	c, node := newTestClient(t, "2ushift", math.LegacyOneDec())
	_, err = c.Submit(context.Background(), &types.MsgWithdrawRewards{Operator: c.Address()})
	require.NoError(t, err)
	require.Equal(t, "240000ushift", node.lastFee.String())

	// A flag price below the chain's is refused by the chain, not hidden.
	c, _ = newTestClient(t, "0.5ushift", math.LegacyOneDec())
	_, err = c.Submit(context.Background(), &types.MsgWithdrawRewards{Operator: c.Address()})
	require.ErrorIs(t, err, sdkerrors.ErrInsufficientFee)
}

// A wrong sequence (another process used the key, or a tx is pending) is
// retried with the sequence read again; after four it is returned as such.
func TestSubmitRetriesWrongSequence(t *testing.T) {
	c, node := newTestClient(t, "", math.LegacyZeroDec())
	node.checkTxFail = []uint32{sdkerrors.ErrWrongSequence.ABCICode(), sdkerrors.ErrWrongSequence.ABCICode()}
	_, err := c.Submit(context.Background(), &types.MsgWithdrawRewards{Operator: c.Address()})
	require.NoError(t, err)
	require.Equal(t, 3, node.broadcasts)
	require.Equal(t, 3, node.accountQs, "the sequence is read again before each attempt")

	node.checkTxFail = []uint32{32, 32, 32, 32}
	node.broadcasts = 0
	_, err = c.Submit(context.Background(), &types.MsgWithdrawRewards{Operator: c.Address()})
	require.ErrorIs(t, err, sdkerrors.ErrWrongSequence)
	require.Equal(t, 4, node.broadcasts)
}

// Failures keep the kinds the worker branches on: the module's registered
// errors (from a simulation's text or a CheckTx code), the SDK's wrong
// sequence and insufficient funds, and ErrUnavailable for a node out of reach.
func TestErrorKinds(t *testing.T) {
	c, node := newTestClient(t, "", math.LegacyZeroDec())
	submit := func() error {
		_, err := c.Submit(context.Background(), &types.MsgRegisterDevice{Operator: c.Address(), Moniker: "m", Bond: math.NewInt(1)})
		return err
	}
	node.simErr = errors.New("failed to execute message; message index: 0: device night1xyz: device already registered with gas used: '1000'")
	require.ErrorIs(t, submit(), types.ErrDeviceExists)
	node.simErr = errors.New("account sequence mismatch, expected 7, got 6: incorrect account sequence")
	require.ErrorIs(t, submit(), sdkerrors.ErrWrongSequence)
	node.simErr = errors.New("spendable balance 0ushift is smaller than 1ushift: insufficient funds")
	err := submit()
	require.True(t, errors.Is(err, types.ErrInsufficientFunds) || errors.Is(err, sdkerrors.ErrInsufficientFunds), err)
	node.simErr = errors.New("something the worker does not know")
	err = submit()
	require.Error(t, err)
	require.False(t, errors.Is(err, ErrUnavailable), "a chain's answer is not an outage")
	node.simErr = nil

	node.transport = errors.New("dial tcp 127.0.0.1:26657: connect: connection refused")
	require.ErrorIs(t, submit(), ErrUnavailable)
	node.transport = nil

	// A query of a missing object keeps codes.NotFound (the worker registers its device on it).
	_, err = types.NewQueryClient(Conn{Node: &notFoundNode{node}}).Device(context.Background(), &types.QueryDeviceRequest{Operator: c.Address()})
	require.Equal(t, codes.NotFound, status.Code(err))

	// An account the chain does not know yet says so.
	node.addr = "night1other"
	err = submit()
	require.ErrorContains(t, err, "does not exist on chain")
	require.False(t, errors.Is(err, ErrUnavailable))
}

// Keys from the SDK's file backend (passphrase-encrypted) sign too.
func TestFileKeyringKeys(t *testing.T) {
	dir := t.TempDir()
	pass := strings.NewReader("secret-pass\nsecret-pass\n")
	sdkKr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendFile, dir, pass, clientcodec.KeyCodec())
	require.NoError(t, err)
	_, _, err = sdkKr.NewMnemonic("k", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	require.NoError(t, err)
	kr, err := OpenKeyring(keyring.BackendFile, dir, strings.NewReader("secret-pass\n"))
	require.NoError(t, err)
	key, err := kr.Key("k")
	require.NoError(t, err)
	sig, err := key.Sign([]byte("doc"))
	require.NoError(t, err)
	rec, err := sdkKr.Key("k")
	require.NoError(t, err)
	pub, err := rec.GetPubKey()
	require.NoError(t, err)
	require.True(t, pub.VerifySignature([]byte("doc"), sig), "the SDK's key verifies the worker's signature")
}

func TestReadClientConfig(t *testing.T) {
	home := t.TempDir()
	conf, err := ReadClientConfig(home)
	require.NoError(t, err)
	require.Equal(t, DefaultClientConfig(), conf, "no file: the SDK's defaults")
	_, err = os.Stat(filepath.Join(home, "config"))
	require.True(t, os.IsNotExist(err), "reading writes nothing")

	require.NoError(t, os.MkdirAll(filepath.Join(home, "config"), 0o700))
	// As `nightshiftd config set client ...` writes it (keys it leaves out keep the defaults).
	require.NoError(t, os.WriteFile(filepath.Join(home, "config", "client.toml"), []byte(`
# This is a TOML config file.
chain-id = "nightshift-1"
keyring-backend = "test"
node = "tcp://10.0.0.2:26657"
broadcast-mode = "sync"
grpc-address = ""
grpc-insecure = false
`), 0o600))
	conf, err = ReadClientConfig(home)
	require.NoError(t, err)
	require.Equal(t, ClientConfig{ChainID: "nightshift-1", KeyringBackend: "test", Output: "text", Node: "tcp://10.0.0.2:26657", BroadcastMode: "sync"}, conf)

	require.NoError(t, os.WriteFile(filepath.Join(home, "config", "client.toml"), []byte(`chain-id = [`), 0o600))
	_, err = ReadClientConfig(home)
	require.ErrorContains(t, err, "client.toml")
}

// The verifier above can fail: a signature over another chain's ID (a replay
// to this chain) is refused.
func TestSignatureForAnotherChainIsRefused(t *testing.T) {
	c, node := newTestClient(t, "", math.LegacyZeroDec())
	c.chainID = "other-chain"
	_, err := c.Submit(context.Background(), &types.MsgWithdrawRewards{Operator: c.Address()})
	require.ErrorIs(t, err, sdkerrors.ErrUnauthorized)
	require.Equal(t, uint64(6), node.seq, "nothing was accepted")
}
