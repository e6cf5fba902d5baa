package compute

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

// AutoCLIOptions describes `nightshiftd tx|q compute ...`. Proofs are built by
// the worker (`nightshiftd worker`), not by hand, but submit-proof still takes
// them as JSON for scripts and debugging.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	pos := func(fields ...string) []*autocliv1.PositionalArgDescriptor {
		out := make([]*autocliv1.PositionalArgDescriptor, len(fields))
		for i, f := range fields {
			out[i] = &autocliv1.PositionalArgDescriptor{ProtoField: f}
		}
		return out
	}
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "nightshift.compute.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Show the market params"},
				{RpcMethod: "Job", Use: "job [job-id]", Short: "Show a job", PositionalArgs: pos("job_id")},
				{RpcMethod: "Jobs", Use: "jobs", Short: "List jobs (filters: --requester ADDR, --status open|completed|cancelled|expired)"},
				{RpcMethod: "Device", Use: "device [operator]", Short: "Show a device", PositionalArgs: pos("operator")},
				{RpcMethod: "Devices", Use: "devices", Short: "List devices"},
				{RpcMethod: "DeviceTasks", Use: "device-tasks [operator]", Short: "List a device's live leases and claims", PositionalArgs: pos("operator")},
				{RpcMethod: "JobTasks", Use: "job-tasks [job-id]", Short: "List the leased, claimed and verified tasks of a job", PositionalArgs: pos("job_id")},
				{RpcMethod: "Task", Use: "task [job-id] [task-index]", Short: "Show a task, its claim and (once fixed) its challenge indices", PositionalArgs: pos("job_id", "task_index")},
				{RpcMethod: "Rewards", Use: "rewards [operator]", Short: "Show a device's withdrawable emission", PositionalArgs: pos("operator")},
				{RpcMethod: "Epoch", Use: "epoch", Short: "Show the running epoch and emission totals"},
				{RpcMethod: "Requesters", Use: "requesters", Short: "List approved requesters"},
				{RpcMethod: "DeliveryDemands", Use: "delivery-demands [operator]", Short: "List the open delivery demands a device must answer", PositionalArgs: pos("operator")},
				{RpcMethod: "Program", Use: "program [id]", Short: "Show a stored program's record (id: 64 hex digits)", PositionalArgs: pos("id")},
				{RpcMethod: "Programs", Use: "programs", Short: "List stored programs"},
				{RpcMethod: "ProgramCode", Use: "program-code [id]", Short: "Show a stored program's code", PositionalArgs: pos("id")},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "nightshift.compute.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "RegisterDevice", Use: "register-device [moniker] [bond]", Short: "Bond ushift and register the signer's device (bond as an integer amount of ushift)", PositionalArgs: pos("moniker", "bond")},
				{RpcMethod: "UpdateDevice", Use: "update-device", Short: "Rename the device (--moniker) and/or add bond (--add-bond)"},
				{RpcMethod: "UnbondDevice", Use: "unbond-device", Short: "Start returning the device's bond (no live task allowed)"},
				{
					RpcMethod: "PostJob", Use: "post-job [kind] [spec-json] [items] [items-per-task] [price-per-item] [deadline-blocks]",
					Short:          "Post a job and escrow items × price-per-item ushift",
					Example:        `nightshiftd tx compute post-job hashcash '{"difficulty_bits":12}' 64 8 1000 500 --from requester`,
					PositionalArgs: pos("kind", "spec", "items", "items_per_task", "price_per_item", "deadline_blocks"),
				},
				{RpcMethod: "CancelJob", Use: "cancel-job [job-id]", Short: "Cancel a job; refund the escrow no live task holds", PositionalArgs: pos("job_id")},
				{RpcMethod: "LeaseTask", Use: "lease-task [job-id]", Short: "Lease the next open task of a job", PositionalArgs: pos("job_id")},
				{RpcMethod: "SubmitClaim", Use: "submit-claim [job-id] [task-index] [root]", Short: "Commit to a task's outputs by their 32-byte Merkle root (hex or base64)", PositionalArgs: pos("job_id", "task_index", "root")},
				{RpcMethod: "SubmitProof", Use: "submit-proof [job-id] [task-index]", Short: "Answer a claim's challenge (--items JSON and --nodes, the Merkle multi-proof; the worker does this for you)", PositionalArgs: pos("job_id", "task_index")},
				{RpcMethod: "WithdrawRewards", Use: "withdraw-rewards", Short: "Withdraw the device's emission from settled epochs"},
				{RpcMethod: "DemandDelivery", Use: "demand-delivery [job-id] [task-index] [items]", Short: "Demand items of a verified task you did not receive, within its dispute window (items comma-separated; pays the demand fee)", PositionalArgs: pos("job_id", "task_index", "items")},
				{RpcMethod: "DeliverOutputs", Use: "deliver-outputs [job-id] [task-index]", Short: "Answer a delivery demand (--items JSON and --nodes, the Merkle multi-proof; the worker does this for you)", PositionalArgs: pos("job_id", "task_index")},
				{RpcMethod: "ReportFraud", Use: "report-fraud [job-id] [task-index] [item] [output]", Short: "Prove an item of a verified task wrong within its dispute window (output base64, --proof the Merkle path; for a wasm job with inputs also --input and --input-proof, its path against the input root)", PositionalArgs: pos("job_id", "task_index", "item", "output")},
				{RpcMethod: "ApproveRequester", Use: "approve-requester [requester]", Short: "Let a requester's jobs earn emission (authority)", PositionalArgs: pos("requester")},
				{RpcMethod: "RevokeRequester", Use: "revoke-requester [requester]", Short: "Revoke a requester's approval (authority)", PositionalArgs: pos("requester")},
				{RpcMethod: "ReleaseTask", Use: "release-task [job-id] [task-index]", Short: "Hand a leased, unclaimed task back at once (charged pro rata to the lease blocks held, less than a lapse; barred from it for lease_cooldown_blocks)", PositionalArgs: pos("job_id", "task_index")},
				{RpcMethod: "UpdateParams", Use: "update-params [params-json]", Short: "Replace the params (authority): JSON inline or a .json file, as `q compute params --output json` prints them (min_gas_price as a decimal)", PositionalArgs: pos("params")},
				{RpcMethod: "StoreProgram", Use: "store-program [code]", Short: "Store a WebAssembly program (code in hex or base64; `nightshiftd requester store-program FILE` reads a .wasm file)", PositionalArgs: pos("code")},
				{RpcMethod: "LeaseTasks", Use: "lease-tasks [job-id...]", Short: "Lease one task of each listed job in one tx (a job listed twice: two tasks); good leases settle, bad ones are reported", PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "job_ids", Varargs: true}}},
				{RpcMethod: "SubmitClaims", Use: "submit-claims", Short: "Claim several leased tasks in one tx (--claims JSON: [{job_id, task_index, root}]); good claims settle, bad ones are reported"},
				{RpcMethod: "SubmitProofs", Use: "submit-proofs", Short: "Answer several challenges in one tx (--proofs JSON, each as submit-proof's; the worker does this for you)"},
				{RpcMethod: "LeaseAndClaim", Use: "lease-and-claim", Short: "Lease and claim tasks computed before leasing (--claims JSON: [{job_id, task_index, root}]; the lease must give the named task)"},
			},
		},
	}
}
