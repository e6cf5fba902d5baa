package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"cosmossdk.io/log/v2"
	"cosmossdk.io/math"
	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/cosmos-sdk/baseapp"
	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/app"
	nscmd "github.com/nightshift-network/nightshift/cmd/nightshiftd/cmd"
)

// The derivation is fixed: the genesis patch and every later run must agree
// on the accounts without sharing a keyring.
func TestDeriveAccountsIsDeterministic(t *testing.T) {
	accs := DeriveAccounts("bench", 3)
	require.Equal(t, "night19haptc8szxdfxf5majrqgrx25uulpzlt6s9tsh", accs[0].Bech32)
	require.Equal(t, accs[2].Bech32, DeriveAccounts("bench", 3)[2].Bech32)
	require.NotEqual(t, accs[1].Bech32, accs[2].Bech32)
	require.NotEqual(t, accs[0].Bech32, DeriveAccounts("other", 1)[0].Bech32)
}

// A patched localnet genesis passes `nightshiftd genesis validate`, the app
// starts from it with the accounts funded and the params changed, and a send
// signed offline by a derived key (account number from the patch) is
// accepted by the real ante handler.
func TestPatchedGenesisIsValidAndSignedTxsAreAccepted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	nightshiftd(t, "localnet", "init", "--dir", dir, "--validators", "1", "--base-port", "31700")
	home := filepath.Join(dir, "node0")
	genFile := filepath.Join(home, "config", "genesis.json")

	codecs, err := NewCodecs()
	require.NoError(t, err)
	patch := GenesisPatch{Seed: "test", Accounts: 3, Balance: math.NewInt(5_000_000), Requester: 0, MaxTaskItems: 65536, MaxLiveTasksPerDevice: 32, BlockMaxGas: 400_000_000}
	before, err := PatchGenesisFiles(codecs.Codec, []string{genFile}, patch)
	require.NoError(t, err)
	require.Len(t, patch.Changes(before), 5)
	nightshiftd(t, "genesis", "validate", "--home", home)
	_, err = PatchGenesisFiles(codecs.Codec, []string{genFile}, patch)
	require.ErrorContains(t, err, "already in the genesis", "patching twice must be refused")

	// Start an in-memory app from the patched genesis.
	appGenesis, err := genutiltypes.AppGenesisFromFile(genFile)
	require.NoError(t, err)
	genDoc, err := appGenesis.ToGenesisDoc()
	require.NoError(t, err)
	consensus := genDoc.ConsensusParams.ToProto()
	require.Equal(t, int64(400_000_000), consensus.Block.MaxGas, "--block-max-gas")
	a := app.New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()), baseapp.SetChainID(genDoc.ChainID))
	_, err = a.InitChain(&abci.RequestInitChain{ChainId: genDoc.ChainID, AppStateBytes: genDoc.AppState,
		ConsensusParams: &consensus, InitialHeight: 1, Time: genDoc.GenesisTime})
	require.NoError(t, err)

	accs := DeriveAccounts("test", 3)
	ctx := a.NewContext(false)
	for _, acc := range accs {
		require.Equal(t, int64(5_000_000), a.BankKeeper.GetBalance(ctx, acc.Addr, app.BondDenom).Amount.Int64())
		acc.AccNum = a.AccountKeeper.GetAccount(ctx, acc.Addr).GetAccountNumber()
	}
	params, err := a.ComputeKeeper.Params.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(65536), params.MaxTaskItems)
	require.Equal(t, uint32(32), params.MaxLiveTasksPerDevice)
	approved, err := a.ComputeKeeper.ApprovedRequesters.Has(ctx, accs[0].Addr)
	require.NoError(t, err)
	require.True(t, approved)
	require.NotEqual(t, accs[1].AccNum, accs[2].AccNum)

	signer := &Signer{TxConfig: codecs.TxConfig, ChainID: genDoc.ChainID, FeeDenom: app.BondDenom, Fee: 1000}
	send := &banktypes.MsgSend{FromAddress: accs[1].Bech32, ToAddress: accs[2].Bech32, Amount: sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 7))}
	good, err := signer.Sign(accs[1], 0, gasBank, send)
	require.NoError(t, err)
	wrongNum := *accs[1]
	wrongNum.AccNum++
	bad, err := signer.Sign(&wrongNum, 1, gasBank, send)
	require.NoError(t, err)
	res, err := a.FinalizeBlock(&abci.RequestFinalizeBlock{Height: 1, Time: genDoc.GenesisTime.Add(time.Second), Txs: [][]byte{good, bad}})
	require.NoError(t, err)
	require.Len(t, res.TxResults, 2)
	require.Equal(t, uint32(0), res.TxResults[0].Code, res.TxResults[0].Log)
	require.Equal(t, uint32(4), res.TxResults[1].Code, "a wrong account number must fail signature verification: %s", res.TxResults[1].Log)
}

// nightshiftd runs the CLI in this process.
func nightshiftd(t *testing.T, args ...string) {
	t.Helper()
	root := nscmd.NewRootCmd()
	root.SetArgs(args)
	root.SetOut(os.Stderr)
	require.NoError(t, svrcmd.Execute(root, nscmd.EnvPrefix, t.TempDir()), "nightshiftd %v", args)
}
