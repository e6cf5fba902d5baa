package workerclient

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// The transaction envelope (cosmos.tx.v1beta1's TxBody, AuthInfo, SignDoc,
// TxRaw) written field by field with protowire instead of the SDK's
// types/tx, which would link cosmos-sdk/types into the worker, or
// cosmossdk.io/api's tx package, whose service.proto pulls the abci and
// tendermint protos (+3.5 MB); a private generated copy would collide with
// the SDK's full names in nightshiftd. Fields are written in field-number
// order and zero scalars are left out, as gogoproto's Marshal writes them, so
// the bytes are the SDK's (TestEnvelopeIsTheSDKs signs both and compares).
// Field numbers: cosmos/tx/v1beta1/tx.proto, cosmos/base/v1beta1/coin.proto,
// google/protobuf/any.proto.

// signModeDirect is signing.SignMode_SIGN_MODE_DIRECT.
const signModeDirect = 1

// anyMsg is a google.protobuf.Any: a message's type URL and its bytes.
type anyMsg struct {
	TypeURL string
	Value   []byte
}

// coin is a cosmos.base.v1beta1.Coin; Amount is the integer's decimal text.
type coin struct{ Denom, Amount string }

func (c coin) String() string { return c.Amount + c.Denom }

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

// appendMessage writes an embedded message even when empty: gogoproto writes
// a set (non-nil) message field whatever it holds.
func appendMessage(b []byte, num protowire.Number, m []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func encodeAny(a anyMsg) []byte {
	return appendBytes(appendString(nil, 1, a.TypeURL), 2, a.Value)
}

// txBodyBytes is TxBody{messages: 1, memo: 2}.
func txBodyBytes(msgs []anyMsg, memo string) []byte {
	var b []byte
	for _, m := range msgs {
		b = appendMessage(b, 1, encodeAny(m))
	}
	return appendString(b, 2, memo)
}

// authInfoBytes is AuthInfo{signer_infos: 1 [SignerInfo{public_key: 1,
// mode_info: 2 {single: 1 {mode: 1}}, sequence: 3}], fee: 2 {amount: 1,
// gas_limit: 2}} for one DIRECT signer.
func authInfoBytes(pubKey anyMsg, seq, gas uint64, fee []coin) []byte {
	single := appendVarint(nil, 1, signModeDirect)
	modeInfo := appendMessage(nil, 1, single)
	signer := appendMessage(nil, 1, encodeAny(pubKey))
	signer = appendMessage(signer, 2, modeInfo)
	signer = appendVarint(signer, 3, seq)
	var feeBytes []byte
	for _, c := range fee {
		feeBytes = appendMessage(feeBytes, 1, appendString(appendString(nil, 1, c.Denom), 2, c.Amount))
	}
	feeBytes = appendVarint(feeBytes, 2, gas)
	b := appendMessage(nil, 1, signer)
	return appendMessage(b, 2, feeBytes)
}

// signDocBytes is SignDoc{body_bytes: 1, auth_info_bytes: 2, chain_id: 3,
// account_number: 4}: what SIGN_MODE_DIRECT signs.
func signDocBytes(body, authInfo []byte, chainID string, accountNumber uint64) []byte {
	b := appendBytes(nil, 1, body)
	b = appendBytes(b, 2, authInfo)
	b = appendString(b, 3, chainID)
	return appendVarint(b, 4, accountNumber)
}

// txRawBytes is TxRaw{body_bytes: 1, auth_info_bytes: 2, signatures: 3};
// every signature is written, an empty one too (a simulation's).
func txRawBytes(body, authInfo []byte, sigs [][]byte) []byte {
	b := appendBytes(nil, 1, body)
	b = appendBytes(b, 2, authInfo)
	for _, s := range sigs {
		b = appendMessage(b, 3, s)
	}
	return b
}

// simulateRequestBytes is SimulateRequest{tx_bytes: 2}.
func simulateRequestBytes(tx []byte) []byte { return appendBytes(nil, 2, tx) }

// fields calls f with each field of the message in b; f returns how many
// bytes of the value it consumed (protowire.ConsumeFieldValue for a skip).
func fields(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte) int) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		m := f(num, typ, b)
		if m < 0 {
			return protowire.ParseError(m)
		}
		b = b[m:]
	}
	return nil
}

// bytesField consumes a length-delimited value into *dst, or reports a wire
// type mismatch.
func bytesField(typ protowire.Type, v []byte, dst *[]byte) int {
	if typ != protowire.BytesType {
		return protowire.ConsumeFieldValue(0, typ, v)
	}
	val, n := protowire.ConsumeBytes(v)
	if n >= 0 {
		*dst = val
	}
	return n
}

// simulatedGasUsed reads SimulateResponse{gas_info: 1 {gas_used: 2}}.
func simulatedGasUsed(b []byte) (used uint64, found bool, err error) {
	err = fields(b, func(num protowire.Number, typ protowire.Type, v []byte) int {
		if num != 1 || typ != protowire.BytesType {
			return protowire.ConsumeFieldValue(num, typ, v)
		}
		var info []byte
		n := bytesField(typ, v, &info)
		if n < 0 {
			return n
		}
		found = true
		if ierr := fields(info, func(num protowire.Number, typ protowire.Type, v []byte) int {
			if num != 2 || typ != protowire.VarintType {
				return protowire.ConsumeFieldValue(num, typ, v)
			}
			x, m := protowire.ConsumeVarint(v)
			if m >= 0 {
				used = x
			}
			return m
		}); ierr != nil {
			return -1
		}
		return n
	})
	if err != nil {
		return 0, false, fmt.Errorf("simulation response: %w", err)
	}
	return used, found, nil
}

// msgResponses reads TxMsgData{msg_responses: 2 [Any]}, a delivered tx's data.
func msgResponses(b []byte) ([]anyMsg, error) {
	var out []anyMsg
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte) int {
		if num != 2 || typ != protowire.BytesType {
			return protowire.ConsumeFieldValue(num, typ, v)
		}
		var raw []byte
		n := bytesField(typ, v, &raw)
		if n < 0 {
			return n
		}
		var a anyMsg
		if aerr := fields(raw, func(num protowire.Number, typ protowire.Type, v []byte) int {
			var val []byte
			switch num {
			case 1:
				m := bytesField(typ, v, &val)
				a.TypeURL = string(val)
				return m
			case 2:
				m := bytesField(typ, v, &val)
				a.Value = val
				return m
			}
			return protowire.ConsumeFieldValue(num, typ, v)
		}); aerr != nil {
			return -1
		}
		out = append(out, a)
		return n
	})
	return out, err
}
