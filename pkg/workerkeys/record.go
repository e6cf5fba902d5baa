package workerkeys

// The keyring record (cosmos.crypto.keyring.v1.Record) and the secp256k1 key
// messages, encoded field by field with protowire. Not through generated
// types: the SDK's crypto/keyring registers its Record with
// google.golang.org/protobuf's global registry, so a second Go type of that
// name (cosmossdk.io/api's) in the same binary panics at start, and
// nightshiftd links both this package (its `worker` commands) and the SDK's
// keyring (its `keys`).

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Record field numbers (cosmos/crypto/keyring/v1/record.proto).
const (
	recName    = 1
	recPubKey  = 2
	recLocal   = 3
	recLedger  = 4
	recMulti   = 5
	recOffline = 6
	localPriv  = 1 // Record.Local.priv_key
	anyURL     = 1 // google.protobuf.Any
	anyValue   = 2
	keyBytes   = 1 // cosmos.crypto.secp256k1.PubKey / PrivKey .key
)

// anyMsg is a google.protobuf.Any.
type anyMsg struct {
	TypeURL string
	Value   []byte
}

// record is what a Record holds that the worker reads.
type record struct {
	Name   string
	PubKey anyMsg
	Kind   string  // local, ledger, multi, offline
	Priv   *anyMsg // a local key's private key
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func (a anyMsg) marshal() []byte {
	b := appendBytes(nil, anyURL, []byte(a.TypeURL))
	return appendBytes(b, anyValue, a.Value)
}

// marshal encodes a local key's record as the SDK's codec does (fields in
// number order, nothing empty written).
func (r record) marshal() []byte {
	b := appendBytes(nil, recName, []byte(r.Name))
	b = appendBytes(b, recPubKey, r.PubKey.marshal())
	return appendBytes(b, recLocal, appendBytes(nil, localPriv, r.Priv.marshal()))
}

// fields calls f with each length-delimited field of b and skips the rest.
func fields(b []byte, f func(num protowire.Number, v []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if typ != protowire.BytesType {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := f(num, v); err != nil {
			return err
		}
	}
	return nil
}

func unmarshalAny(b []byte) (anyMsg, error) {
	var a anyMsg
	err := fields(b, func(num protowire.Number, v []byte) error {
		switch num {
		case anyURL:
			a.TypeURL = string(v)
		case anyValue:
			a.Value = append([]byte(nil), v...)
		}
		return nil
	})
	return a, err
}

func unmarshalRecord(b []byte) (record, error) {
	var r record
	err := fields(b, func(num protowire.Number, v []byte) error {
		var err error
		switch num {
		case recName:
			r.Name = string(v)
		case recPubKey:
			r.PubKey, err = unmarshalAny(v)
		case recLocal:
			r.Kind = "local"
			err = fields(v, func(num protowire.Number, v []byte) error {
				if num != localPriv {
					return nil
				}
				a, err := unmarshalAny(v)
				r.Priv = &a
				return err
			})
		case recLedger:
			r.Kind = "ledger"
		case recMulti:
			r.Kind = "multi"
		case recOffline:
			r.Kind = "offline"
		}
		return err
	})
	if err == nil && (r.Kind == "" || r.PubKey.TypeURL == "") {
		err = errors.New("no public key or no kind")
	}
	return r, err
}

// keyOf is the key bytes of a secp256k1 PubKey or PrivKey message.
func keyOf(b []byte) ([]byte, error) {
	var key []byte
	err := fields(b, func(num protowire.Number, v []byte) error {
		if num == keyBytes {
			key = append([]byte(nil), v...)
		}
		return nil
	})
	if err == nil && key == nil {
		err = fmt.Errorf("no key bytes")
	}
	return key, err
}

func keyMessage(key []byte) []byte { return appendBytes(nil, keyBytes, key) }
