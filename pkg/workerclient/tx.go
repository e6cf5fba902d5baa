package workerclient

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/nightshift-network/nightshift/pkg/cometrpc"
)

// simulatePath is the SDK's tx service Simulate, answered as an ABCI query.
const simulatePath = "/cosmos.tx.v1beta1.Service/Simulate"

// encodeBody is the transaction body's bytes: the messages as Anys, no memo.
func encodeBody(msgs []gogoproto.Message) ([]byte, error) {
	anys := make([]anyMsg, len(msgs))
	for i, m := range msgs {
		bz, err := marshal(m)
		if err != nil {
			return nil, err
		}
		anys[i] = anyMsg{TypeURL: typeURL(m), Value: bz}
	}
	return txBodyBytes(anys, ""), nil
}

// authInfo is the signer (DIRECT mode, its public key, its sequence) and the fee.
func (c *Client) authInfo(seq, gas uint64, fee []coin) []byte {
	return authInfoBytes(anyMsg{TypeURL: c.key.PubKeyType, Value: c.key.PubKeyValue}, seq, gas, fee)
}

// simulate runs the transaction unsigned (an empty signature, as client/tx's
// BuildSimTx sends it) and returns the gas it used.
func (c *Client) simulate(ctx context.Context, body []byte, acc account) (uint64, error) {
	txBytes := txRawBytes(body, c.authInfo(acc.Sequence, 0, nil), [][]byte{{}})
	res, err := c.conn.query(ctx, simulatePath, simulateRequestBytes(txBytes))
	if err != nil {
		return 0, c.chainError(err)
	}
	used, found, err := simulatedGasUsed(res)
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, fmt.Errorf("simulation answered no gas")
	}
	return used, nil
}

// sign returns the signed transaction: SIGN_MODE_DIRECT signs the SignDoc of
// the body, the auth info, the chain ID and the account number.
func (c *Client) sign(body []byte, acc account, gas uint64, fee []coin) ([]byte, error) {
	info := c.authInfo(acc.Sequence, gas, fee)
	sig, err := c.key.Sign(signDocBytes(body, info, c.chainID, acc.Number))
	if err != nil {
		return nil, fmt.Errorf("sign with key %s: %w", c.keyName, err)
	}
	return txRawBytes(body, info, [][]byte{sig}), nil
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
	responses, err := msgResponses(data)
	if err != nil {
		return nil, fmt.Errorf("tx %s: response data %s: %w", hash, hex.EncodeToString(data), err)
	}
	for _, a := range responses {
		m, err := newMessage(a.TypeURL)
		if err != nil {
			return nil, fmt.Errorf("tx %s: %w", hash, err)
		}
		if err := unmarshal(a.Value, m); err != nil {
			return nil, fmt.Errorf("tx %s: response %s: %w", hash, a.TypeURL, err)
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
