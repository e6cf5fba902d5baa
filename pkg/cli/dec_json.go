package cli

// JSON message arguments whose LegacyDec fields take the decimal a query
// prints. autocli takes a message argument (update-params' params) as
// protojson, where a cosmos.Dec string goes to the chain verbatim and the
// chain's LegacyDec reads it as an integer of 10^-18 units: the
// "0.025000000000000000" that `q compute params` prints was refused. The
// SDK's flag for a top-level cosmos.Dec field converts the decimal; this does
// the same inside JSON messages.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"cosmossdk.io/client/v2/autocli/flag"
	"cosmossdk.io/math"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// decJSONType is the flag type of a JSON argument of one message.
type decJSONType struct {
	desc protoreflect.MessageDescriptor
}

// DecJSONFor is the flag type of a JSON message argument of message desc
// (inline or a .json file, as autocli's own) that takes each cosmos.Dec field
// as a decimal ("0.025") and, as before, as an integer of 10^-18 units
// written without a decimal point ("25000000000000000").
func DecJSONFor(desc protoreflect.MessageDescriptor) flag.Type { return decJSONType{desc} }

func (t decJSONType) NewValue(_ *context.Context, b *flag.Builder) flag.Value {
	var mt protoreflect.MessageType = dynamicpb.NewMessageType(t.desc)
	if b.TypeResolver != nil {
		if found, err := b.TypeResolver.FindMessageByName(t.desc.FullName()); err == nil {
			mt = found
		}
	}
	v := &decJSONValue{messageType: mt}
	if b.TypeResolver != nil {
		v.unmarshal.Resolver, v.marshal.Resolver = b.TypeResolver, b.TypeResolver
	}
	return v
}

func (decJSONType) DefaultValue() string { return "" }

type decJSONValue struct {
	messageType protoreflect.MessageType
	unmarshal   protojson.UnmarshalOptions
	marshal     protojson.MarshalOptions
	message     proto.Message
}

func (v *decJSONValue) Get(protoreflect.Value) (protoreflect.Value, error) {
	if v.message == nil {
		return protoreflect.Value{}, nil
	}
	return protoreflect.ValueOfMessage(v.message.ProtoReflect()), nil
}

func (v *decJSONValue) String() string {
	if v.message == nil {
		return ""
	}
	bz, err := v.marshal.Marshal(v.message)
	if err != nil {
		return err.Error()
	}
	return string(bz)
}

func (v *decJSONValue) Set(s string) error {
	bz := []byte(s)
	if strings.HasSuffix(s, ".json") {
		var err error
		if bz, err = os.ReadFile(s); err != nil {
			return err
		}
	}
	bz, err := DecimalsToLegacyDec(v.messageType.Descriptor(), bz)
	if err != nil {
		return err
	}
	msg := v.messageType.New().Interface()
	if err := v.unmarshal.Unmarshal(bz, msg); err != nil {
		return err
	}
	v.message = msg
	return nil
}

func (v *decJSONValue) Type() string {
	return fmt.Sprintf("%s (json)", v.messageType.Descriptor().FullName())
}

// DecimalsToLegacyDec rewrites, in the protojson of a desc message, each
// cosmos.Dec field given as a decimal ("0.025") to the integer of 10^-18
// units the chain decodes ("25000000000000000"), in nested messages too. A
// value without a decimal point is that integer already and is kept, so JSON
// written for the old form still means what it meant.
func DecimalsToLegacyDec(desc protoreflect.MessageDescriptor, bz []byte) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(bz, &obj); err != nil {
		return bz, nil //nolint:nilerr // not a JSON object: protojson reports it
	}
	changed, err := decimalsInObject(desc, obj)
	if err != nil || !changed {
		return bz, err
	}
	return json.Marshal(obj)
}

func decimalsInObject(desc protoreflect.MessageDescriptor, obj map[string]json.RawMessage) (bool, error) {
	changed := false
	fields := desc.Fields()
	for i := 0; i < fields.Len(); i++ {
		f := fields.Get(i)
		names := []string{string(f.Name())}
		if f.JSONName() != names[0] {
			names = append(names, f.JSONName())
		}
		for _, name := range names {
			raw, ok := obj[name]
			if !ok {
				continue
			}
			switch {
			case f.Kind() == protoreflect.MessageKind && !f.IsList() && !f.IsMap():
				var sub map[string]json.RawMessage
				if json.Unmarshal(raw, &sub) != nil {
					continue
				}
				c, err := decimalsInObject(f.Message(), sub)
				if err != nil {
					return false, err
				}
				if c {
					if obj[name], err = json.Marshal(sub); err != nil {
						return false, err
					}
					changed = true
				}
			case f.Kind() == protoreflect.StringKind && !f.IsList() && !f.IsMap() && isDec(f):
				var s string
				if json.Unmarshal(raw, &s) != nil || !strings.Contains(s, ".") {
					continue
				}
				dec, err := math.LegacyNewDecFromStr(s)
				if err != nil {
					return false, fmt.Errorf("%s: %q is not a decimal: %w", f.Name(), s, err)
				}
				if obj[name], err = json.Marshal(dec.BigInt().String()); err != nil {
					return false, err
				}
				changed = true
			}
		}
	}
	return changed, nil
}

func isDec(f protoreflect.FieldDescriptor) bool {
	scalar, ok := flag.GetScalarType(f)
	return ok && scalar == flag.DecScalarType
}
