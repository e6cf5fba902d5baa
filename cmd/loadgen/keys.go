package main

import (
	"context"
	"fmt"
	"os"

	"cosmossdk.io/log/v2"
	"cosmossdk.io/math"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/cosmos-sdk/client"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"

	"github.com/nightshift-network/nightshift/app"
)

// DeriveKey returns bench account i's key: secp256k1 from a fixed secret, so
// the genesis patch and the load generator agree without sharing a keyring.
func DeriveKey(seed string, i int) *secp256k1.PrivKey {
	return secp256k1.GenPrivKeyFromSecret(fmt.Appendf(nil, "nightshift-bench/%s/%d", seed, i))
}

// Account is a bench account; only its owner goroutine touches Seq.
type Account struct {
	Index  int
	Priv   *secp256k1.PrivKey
	Addr   sdk.AccAddress
	Bech32 string
	AccNum uint64
	Seq    uint64
}

// DeriveAccounts returns accounts [0, n) of seed (account numbers unset).
func DeriveAccounts(seed string, n int) []*Account {
	accs := make([]*Account, n)
	for i := range accs {
		priv := DeriveKey(seed, i)
		addr := sdk.AccAddress(priv.PubKey().Address())
		accs[i] = &Account{Index: i, Priv: priv, Addr: addr, Bech32: addr.String()}
	}
	return accs
}

// Codecs are the app's codec and tx config, taken from a throwaway in-memory app.
type Codecs struct {
	Codec    codec.Codec
	TxConfig client.TxConfig
	App      *app.App
}

// NewCodecs builds an in-memory app for its codecs; its home is a temp dir
// that is removed again.
func NewCodecs() (*Codecs, error) {
	home, err := os.MkdirTemp("", "loadgen-app-*")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(home) }()
	a := app.New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(home))
	return &Codecs{Codec: a.AppCodec(), TxConfig: a.TxConfig(), App: a}, nil
}

// Signer builds and signs transactions offline (SIGN_MODE_DIRECT) with a
// fixed gas limit and fee: Fee, raised to gas × GasPrice (the chain's
// min_gas_price, which every node's ante handler requires) when that is more.
type Signer struct {
	TxConfig client.TxConfig
	ChainID  string
	FeeDenom string
	Fee      int64
	GasPrice math.LegacyDec
}

// FeeFor is the fee a transaction of gas limit gas pays.
func (s *Signer) FeeFor(gas uint64) math.Int {
	fee := math.NewInt(s.Fee)
	if !s.GasPrice.IsNil() {
		fee = math.MaxInt(fee, s.GasPrice.MulInt(math.NewIntFromUint64(gas)).Ceil().TruncateInt())
	}
	return fee
}

// Sign returns the encoded tx of msgs signed by acc at sequence seq.
func (s *Signer) Sign(acc *Account, seq, gas uint64, msgs ...sdk.Msg) ([]byte, error) {
	b := s.TxConfig.NewTxBuilder()
	if err := b.SetMsgs(msgs...); err != nil {
		return nil, err
	}
	b.SetGasLimit(gas)
	b.SetFeeAmount(sdk.NewCoins(sdk.NewCoin(s.FeeDenom, s.FeeFor(gas))))
	mode := signing.SignMode_SIGN_MODE_DIRECT
	pub := acc.Priv.PubKey()
	// DIRECT signs the auth info, so the signer info goes in first, empty.
	empty := signing.SignatureV2{PubKey: pub, Data: &signing.SingleSignatureData{SignMode: mode}, Sequence: seq}
	if err := b.SetSignatures(empty); err != nil {
		return nil, err
	}
	sig, err := clienttx.SignWithPrivKey(context.Background(), mode, authsigning.SignerData{
		Address: acc.Bech32, ChainID: s.ChainID, AccountNumber: acc.AccNum, Sequence: seq, PubKey: pub,
	}, b, acc.Priv, s.TxConfig, seq)
	if err != nil {
		return nil, err
	}
	if err := b.SetSignatures(sig); err != nil {
		return nil, err
	}
	return s.TxConfig.TxEncoder()(b.GetTx())
}
