package workerclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	txsigning "github.com/cosmos/cosmos-sdk/x/tx/signing"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/nightshift-network/nightshift/pkg/clientcodec"
	"github.com/nightshift-network/nightshift/pkg/cometrpc"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// fakeNode is a chain of one account that checks every broadcast with the
// SDK's own decoder and signature verifier, and the fee as the ante handler
// does; it answers simulations with simGas or simErr.
type fakeNode struct {
	t       *testing.T
	enc     clientcodec.Config
	chainID string
	accNum  uint64
	addr    string
	price   math.LegacyDec

	mu          sync.Mutex
	seq         uint64
	simGas      uint64
	simErr      error // a node's answer (status error) or a transport failure
	checkTxFail []uint32
	accountQs   int
	broadcasts  int
	included    map[string]*cometrpc.TxResult
	lastFee     sdk.Coins
	lastGas     uint64
	transport   error
}

// answer is an abci.ResponseQuery as the node's RPC returns it.
func answer(r abci.ResponseQuery) *cometrpc.QueryResponse {
	return &cometrpc.QueryResponse{Code: r.Code, Log: r.Log, Value: r.Value, Height: cometrpc.Int64(r.Height), Codespace: r.Codespace}
}

func (n *fakeNode) ABCIQuery(_ context.Context, path string, data []byte) (*cometrpc.QueryResponse, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.transport != nil {
		return nil, n.transport
	}
	ok := func(m interface{ Marshal() ([]byte, error) }) (*cometrpc.QueryResponse, error) {
		bz, err := m.Marshal()
		if err != nil {
			n.t.Fatal(err)
		}
		return answer(abci.ResponseQuery{Value: bz}), nil
	}
	switch path {
	case accountPath:
		n.accountQs++
		var req authtypes.QueryAccountRequest
		if err := req.Unmarshal(data); err != nil {
			n.t.Fatal(err)
		}
		if req.Address != n.addr {
			return answer(*baseAppNotFound("account " + req.Address + " not found")), nil
		}
		addr, _ := sdk.AccAddressFromBech32(n.addr)
		acc := authtypes.NewBaseAccount(addr, nil, n.accNum, n.seq)
		a, err := codectypes.NewAnyWithValue(acc)
		if err != nil {
			n.t.Fatal(err)
		}
		return ok(&authtypes.QueryAccountResponse{Account: a})
	case "/nightshift.compute.v1.Query/Params":
		p := types.DefaultParams()
		p.MinGasPrice = n.price
		return ok(&types.QueryParamsResponse{Params: p})
	case simulatePath:
		if n.simErr != nil {
			return answer(abci.ResponseQuery{Code: 6, Codespace: "sdk", Log: n.simErr.Error()}), nil
		}
		var req txtypes.SimulateRequest
		if err := req.Unmarshal(data); err != nil {
			n.t.Fatal(err)
		}
		if _, err := n.enc.TxConfig.TxDecoder()(req.TxBytes); err != nil {
			n.t.Errorf("simulated tx does not decode: %v", err)
		}
		return ok(&txtypes.SimulateResponse{GasInfo: &sdk.GasInfo{GasUsed: n.simGas}, Result: &sdk.Result{}})
	}
	return answer(abci.ResponseQuery{Code: 6, Codespace: "sdk", Log: "unknown query path " + path}), nil
}

// BroadcastTxSync runs what the ante handler checks for this transaction:
// decoding, the sequence, the signature (with the SDK's verifier) and the fee.
func (n *fakeNode) BroadcastTxSync(ctx context.Context, tx []byte) (*cometrpc.BroadcastResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.broadcasts++
	if len(n.checkTxFail) > 0 {
		code := n.checkTxFail[0]
		n.checkTxFail = n.checkTxFail[1:]
		return &cometrpc.BroadcastResult{Code: code, Codespace: "sdk", Log: "account sequence mismatch, expected 7, got 6: incorrect account sequence"}, nil
	}
	decoded, err := n.enc.TxConfig.TxDecoder()(tx)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	sigTx := decoded.(authsigning.Tx)
	sigs, err := sigTx.GetSignaturesV2()
	if err != nil || len(sigs) != 1 {
		n.t.Fatalf("signatures %v %v", sigs, err)
	}
	sig := sigs[0]
	if sig.Sequence != n.seq {
		return &cometrpc.BroadcastResult{Code: sdkerrors.ErrWrongSequence.ABCICode(), Codespace: "sdk", Log: "incorrect account sequence"}, nil
	}
	if mode := sig.Data.(*signing.SingleSignatureData).SignMode; mode != signing.SignMode_SIGN_MODE_DIRECT {
		n.t.Errorf("sign mode %v", mode)
	}
	anyPk, _ := codectypes.NewAnyWithValue(sig.PubKey)
	signer := txsigning.SignerData{Address: n.addr, ChainID: n.chainID, AccountNumber: n.accNum, Sequence: sig.Sequence,
		PubKey: &anypb.Any{TypeUrl: anyPk.TypeUrl, Value: anyPk.Value}}
	txData := decoded.(authsigning.V2AdaptableTx).GetSigningTxData()
	if err := authsigning.VerifySignature(ctx, sig.PubKey, signer, sig.Data, n.enc.TxConfig.SignModeHandler(), txData); err != nil {
		return &cometrpc.BroadcastResult{Code: sdkerrors.ErrUnauthorized.ABCICode(), Codespace: "sdk", Log: err.Error()}, nil
	}
	feeTx := decoded.(sdk.FeeTx)
	n.lastFee, n.lastGas = feeTx.GetFee(), feeTx.GetGas()
	need := n.price.MulInt(math.NewIntFromUint64(feeTx.GetGas())).Ceil().TruncateInt()
	if feeTx.GetFee().AmountOf("ushift").LT(need) {
		return &cometrpc.BroadcastResult{Code: sdkerrors.ErrInsufficientFee.ABCICode(), Codespace: "sdk", Log: "insufficient fee"}, nil
	}
	n.seq++
	resp, _ := codectypes.NewAnyWithValue(&types.MsgWithdrawRewardsResponse{Amount: math.NewInt(42)})
	data, _ := (&sdk.TxMsgData{MsgResponses: []*codectypes.Any{resp}}).Marshal()
	hash := cmttypes.Tx(tx).Hash()
	if n.included == nil {
		n.included = map[string]*cometrpc.TxResult{}
	}
	n.included[string(hash)] = &cometrpc.TxResult{Hash: hash, Height: 9, TxResult: cometrpc.ExecResult{
		Data: data, GasUsed: 1234, Events: []cometrpc.Event{{Type: "withdraw", Attributes: []cometrpc.EventAttribute{{Key: "amount", Value: "42ushift"}}}},
	}}
	return &cometrpc.BroadcastResult{Hash: hash}, nil
}

func (n *fakeNode) Tx(_ context.Context, hash []byte) (*cometrpc.TxResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if res, ok := n.included[string(hash)]; ok {
		return res, nil
	}
	return nil, errors.New("tx not found")
}

// notFoundNode answers every query as BaseApp answers a gRPC NotFound.
type notFoundNode struct{ *fakeNode }

func (n *notFoundNode) ABCIQuery(context.Context, string, []byte) (*cometrpc.QueryResponse, error) {
	return answer(*baseAppNotFound("no device registered")), nil
}

// baseAppNotFound is BaseApp's answer to a gRPC query that returned
// codes.NotFound (baseapp.handleQueryGRPC, gRPCErrorToSDKError), built with
// the SDK's own QueryResult.
func baseAppNotFound(msg string) *abci.ResponseQuery {
	return sdkerrors.QueryResult(errorsmod.Wrap(sdkerrors.ErrKeyNotFound, status.Error(codes.NotFound, msg).Error()), false)
}
