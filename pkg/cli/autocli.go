package cli

import (
	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/client/v2/autocli/flag"
	"github.com/cosmos/cosmos-sdk/client"
	sdkflags "github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/reflect/protoregistry"

	computev1 "github.com/nightshift-network/nightshift/api/nightshift/compute/v1"
)

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
	params := (&computev1.Params{}).ProtoReflect().Descriptor()
	builder.DefineMessageFlagType(params.FullName(), DecJSONFor(params))
	return opts.EnhanceRootCommandWithBuilder(rootCmd, builder)
}
