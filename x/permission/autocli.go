package permission

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

// AutoCLIOptions describes `nightshiftd tx|q permission ...`.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "nightshift.permission.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Authority", Use: "authority", Short: "Show the account that approves and removes validators"},
				{RpcMethod: "ApprovedValidators", Use: "validators", Short: "List approved validator operators"},
				{
					RpcMethod:      "ApprovedValidator",
					Use:            "validator [operator]",
					Short:          "Show one operator's approval",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}},
				},
				{RpcMethod: "RevealChains", Use: "reveal-chains", Short: "List the validators' committed hash chains with revealed and missed counts"},
				{RpcMethod: "BlockSeed", Use: "block-seed", Short: "Show the seed of the queried block (--height H) and its source"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "nightshift.permission.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "ApproveValidator",
					Use:            "approve-validator [operator]",
					Short:          "Approve an operator account (signed by the authority, or submitted as a gov proposal)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}},
				},
				{
					RpcMethod:      "RemoveValidator",
					Use:            "remove-validator [operator]",
					Short:          "Remove an operator's approval and jail its validator",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}},
				},
				{
					RpcMethod:      "UpdateAuthority",
					Use:            "update-authority [new-authority]",
					Short:          "Hand the permission authority to another account",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "new_authority"}},
				},
				{
					RpcMethod: "CommitRevealChain",
					Use:       "commit-reveal-chain [tip] [length]",
					Short:     "Commit your validator to a new hash chain (tip in hex: see `nightshiftd reveal-chain show`)",
					Long: "Commit your validator to a new hash chain from the next block on, replacing its current one.\n" +
						"`nightshiftd reveal-chain new` makes the chain in the node's home and prints the command to send.",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "tip"}, {ProtoField: "length"}},
				},
			},
		},
	}
}
