package workerclient

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// accountPath is x/auth's Account query, answered as an ABCI query.
const accountPath = "/cosmos.auth.v1beta1.Query/Account"

const baseAccountURL = "/cosmos.auth.v1beta1.BaseAccount"

// account is what signing needs of an x/auth account.
type account struct {
	Number, Sequence uint64
}

// queryAccount reads the signer's account number and sequence. The request
// (QueryAccountRequest{address = 1}) and the answer (QueryAccountResponse
// {account = 1: Any}, BaseAccount{account_number = 3, sequence = 4}) are
// decoded from their wire format here, so the worker does not link x/auth's
// types (and, through them, the SDK's client and store).
func (c *Client) queryAccount(ctx context.Context) (account, error) {
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	req = protowire.AppendString(req, c.address)
	reqMsg := rawBytes(req)
	var raw rawBytes
	if err := c.conn.Invoke(ctx, accountPath, &reqMsg, &raw); err != nil {
		return account{}, err
	}
	return decodeAccount(raw)
}

// decodeAccount reads a QueryAccountResponse holding a BaseAccount.
func decodeAccount(bz []byte) (account, error) {
	anyBz, err := field(bz, 1)
	if err != nil || anyBz == nil {
		return account{}, fmt.Errorf("account query answer: no account (%v)", err)
	}
	url, err := field(anyBz, 1)
	if err != nil {
		return account{}, fmt.Errorf("account query answer: %w", err)
	}
	if string(url) != baseAccountURL {
		return account{}, fmt.Errorf("account is a %s; the worker signs for base accounts only", url)
	}
	value, err := field(anyBz, 2)
	if err != nil {
		return account{}, fmt.Errorf("account query answer: %w", err)
	}
	var a account
	for len(value) > 0 {
		num, typ, n := protowire.ConsumeTag(value)
		if n < 0 {
			return account{}, fmt.Errorf("base account: %w", protowire.ParseError(n))
		}
		value = value[n:]
		if typ == protowire.VarintType && (num == 3 || num == 4) {
			v, m := protowire.ConsumeVarint(value)
			if m < 0 {
				return account{}, fmt.Errorf("base account: %w", protowire.ParseError(m))
			}
			if num == 3 {
				a.Number = v
			} else {
				a.Sequence = v
			}
			value = value[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, value)
		if m < 0 {
			return account{}, fmt.Errorf("base account: %w", protowire.ParseError(m))
		}
		value = value[m:]
	}
	return a, nil
}

// field returns the last occurrence of the length-delimited field num of a
// message (nil if absent), as protobuf's merge semantics read it.
func field(bz []byte, num protowire.Number) ([]byte, error) {
	var out []byte
	for len(bz) > 0 {
		n, typ, l := protowire.ConsumeTag(bz)
		if l < 0 {
			return nil, protowire.ParseError(l)
		}
		bz = bz[l:]
		if n == num && typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(bz)
			if m < 0 {
				return nil, protowire.ParseError(m)
			}
			out, bz = v, bz[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(n, typ, bz)
		if m < 0 {
			return nil, protowire.ParseError(m)
		}
		bz = bz[m:]
	}
	return out, nil
}

// rawBytes is an already encoded message, for requests and answers decoded by hand.
type rawBytes []byte

func (r *rawBytes) Marshal() ([]byte, error) { return *r, nil }
func (r *rawBytes) Unmarshal(bz []byte) error {
	*r = append((*r)[:0], bz...)
	return nil
}
