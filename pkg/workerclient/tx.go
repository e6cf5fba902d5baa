package workerclient

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/nightshift-network/nightshift/pkg/cometrpc"
)

// simulatePath is the SDK's tx service Simulate, answered as an ABCI query.
const simulatePath = "/cosmos.tx.v1beta1.Service/Simulate"

// encodeBody is the transaction body's bytes: the messages as Anys.
func encodeBody(msgs []gogoproto.Message) ([]byte, error) {
	body := txtypes.TxBody{Messages: make([]*codectypes.Any, len(msgs))}
	for i, m := range msgs {
		bz, err := marshal(m)
		if err != nil {
			return nil, err
		}
		body.Messages[i] = &codectypes.Any{TypeUrl: typeURL(m), Value: bz}
	}
	return body.Marshal()
}

// authInfo is the signer (DIRECT mode, its public key, its sequence) and the fee.
func (c *Client) authInfo(seq, gas uint64, fee sdk.Coins) ([]byte, error) {
	pk := &codectypes.Any{TypeUrl: c.key.PubKeyType, Value: c.key.PubKeyValue}
	info := txtypes.AuthInfo{
		SignerInfos: []*txtypes.SignerInfo{{
			PublicKey: pk,
			ModeInfo:  &txtypes.ModeInfo{Sum: &txtypes.ModeInfo_Single_{Single: &txtypes.ModeInfo_Single{Mode: signing.SignMode_SIGN_MODE_DIRECT}}},
			Sequence:  seq,
		}},
		Fee: &txtypes.Fee{Amount: fee, GasLimit: gas},
	}
	return info.Marshal()
}

// simulate runs the transaction unsigned (an empty signature, as client/tx's
// BuildSimTx sends it) and returns the gas it used.
func (c *Client) simulate(ctx context.Context, body []byte, acc account) (uint64, error) {
	info, err := c.authInfo(acc.Sequence, 0, nil)
	if err != nil {
		return 0, err
	}
	raw := txtypes.TxRaw{BodyBytes: body, AuthInfoBytes: info, Signatures: [][]byte{{}}}
	txBytes, err := raw.Marshal()
	if err != nil {
		return 0, err
	}
	var res txtypes.SimulateResponse
	if err := c.conn.Invoke(ctx, simulatePath, &txtypes.SimulateRequest{TxBytes: txBytes}, &res); err != nil {
		return 0, c.chainError(err)
	}
	if res.GasInfo == nil {
		return 0, fmt.Errorf("simulation answered no gas")
	}
	return res.GasInfo.GasUsed, nil
}

// sign returns the signed transaction: SIGN_MODE_DIRECT signs the SignDoc of
// the body, the auth info, the chain ID and the account number.
func (c *Client) sign(body []byte, acc account, gas uint64, fee sdk.Coins) ([]byte, error) {
	info, err := c.authInfo(acc.Sequence, gas, fee)
	if err != nil {
		return nil, err
	}
	doc := txtypes.SignDoc{BodyBytes: body, AuthInfoBytes: info, ChainId: c.chainID, AccountNumber: acc.Number}
	signBytes, err := doc.Marshal()
	if err != nil {
		return nil, err
	}
	sig, err := c.key.Sign(signBytes)
	if err != nil {
		return nil, fmt.Errorf("sign with key %s: %w", c.keyName, err)
	}
	raw := txtypes.TxRaw{BodyBytes: body, AuthInfoBytes: info, Signatures: [][]byte{sig}}
	return raw.Marshal()
}

// result reads an included transaction: its message responses (TxMsgData)
// and its events.
func result(hash string, height, gasUsed int64, data []byte, events []cometrpc.Event) (*Result, error) {
	out := &Result{TxHash: strings.ToUpper(hash), Height: height, GasUsed: gasUsed}
	for _, ev := range events {
		for _, a := range ev.Attributes {
			out.Events = append(out.Events, EventAttr{Type: ev.Type, Key: a.Key, Value: a.Value})
		}
	}
	var msgData sdk.TxMsgData
	if err := msgData.Unmarshal(data); err != nil {
		return nil, fmt.Errorf("tx %s: response data %s: %w", hash, hex.EncodeToString(data), err)
	}
	for _, a := range msgData.MsgResponses {
		m, err := newMessage(a.TypeUrl)
		if err != nil {
			return nil, fmt.Errorf("tx %s: %w", hash, err)
		}
		if err := unmarshal(a.Value, m); err != nil {
			return nil, fmt.Errorf("tx %s: response %s: %w", hash, a.TypeUrl, err)
		}
		out.Responses = append(out.Responses, m)
	}
	return out, nil
}

// newMessage returns an empty message of the type an Any names: a gogoproto
// type (x/compute's) or, failing that, one of the SDK's pulsar types.
func newMessage(url string) (gogoproto.Message, error) {
	name := strings.TrimPrefix(url, "/")
	if t := gogoproto.MessageType(name); t != nil {
		if m, ok := newOf(t).(gogoproto.Message); ok {
			return m, nil
		}
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(name))
	if err != nil {
		return nil, fmt.Errorf("response %s: unknown type", url)
	}
	m, ok := mt.New().Interface().(gogoproto.Message)
	if !ok {
		return nil, fmt.Errorf("response %s: not a message", url)
	}
	return m, nil
}
