package cli

import (
	"fmt"

	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/client/v2/autocli/flag"
	"github.com/cosmos/cosmos-sdk/client"
	sdkflags "github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	computetypes "github.com/nightshift-network/nightshift/x/compute/types"
)

// paramsName is x/compute's Params, the argument of update-params.
var paramsName = protoreflect.FullName(proto.MessageName(&computetypes.Params{}))

// EnhanceRootCommand adds the autocli commands as autocli.AppOptions'
// EnhanceRootCommand does (the same builder), with one type of our own: the
// x/compute Params argument of update-params takes min_gas_price as the
// decimal `q compute params` prints (DecJSONFor).
func EnhanceRootCommand(opts autocli.AppOptions, rootCmd *cobra.Command) error {
	var files flag.FileResolver
	files, err := proto.MergedRegistry()
	if err != nil {
		files = opts.ClientCtx.InterfaceRegistry // as autocli does
	}
	builder := &autocli.Builder{
		Builder: flag.Builder{
			TypeResolver:          protoregistry.GlobalTypes,
			FileResolver:          files,
			AddressCodec:          opts.AddressCodec,
			ValidatorAddressCodec: opts.ValidatorAddressCodec,
			ConsensusAddressCodec: opts.ConsensusAddressCodec,
		},
		GetClientConn: func(cmd *cobra.Command) (grpc.ClientConnInterface, error) {
			return client.GetClientQueryContext(cmd)
		},
		AddQueryConnFlags: func(c *cobra.Command) {
			sdkflags.AddQueryFlagsToCmd(c)
			sdkflags.AddKeyringFlags(c.Flags())
		},
		AddTxConnFlags: sdkflags.AddTxFlagsToCmd,
	}
	// The descriptor comes from the registry the builder reads (gogo's files
	// merged in), not from a second, pulsar-generated copy of x/compute's types.
	d, err := files.FindDescriptorByName(paramsName)
	if err != nil {
		return fmt.Errorf("autocli: %s: %w", paramsName, err)
	}
	params, ok := d.(protoreflect.MessageDescriptor)
	if !ok {
		return fmt.Errorf("autocli: %s is a %T, not a message", paramsName, d)
	}
	builder.DefineMessageFlagType(params.FullName(), DecJSONFor(params))
	return opts.EnhanceRootCommandWithBuilder(rootCmd, builder)
}
