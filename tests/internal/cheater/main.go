// Command cheater is a test-only device that fakes outputs of a wasm job: it
// leases a task, computes it honestly, replaces some outputs with forgeries,
// claims the forged Merkle root and answers the challenge with the forged
// outputs. The programs e2e test runs it to show that the chain's
// re-execution catches the forgery and slashes the bond. It is nightshiftd's
// command tree plus one command, so it reads keys, flags and codecs exactly
// as nightshiftd does; it is never part of a shipped binary.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/app"
	"github.com/nightshift-network/nightshift/cmd/nightshiftd/cmd"
	"github.com/nightshift-network/nightshift/pkg/txclient"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/program"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// result is what the cheat printed as JSON on stdout.
type result struct {
	JobID     uint64   `json:"job_id"`
	TaskIndex uint64   `json:"task_index"`
	Items     uint64   `json:"items"`
	Forged    []uint64 `json:"forged"`
	Sampled   []uint64 `json:"sampled"`
	Accepted  bool     `json:"accepted"`
	Paid      string   `json:"paid"`
	Slashed   string   `json:"slashed"`
}

func main() {
	root := cmd.NewRootCmd()
	root.AddCommand(cheatCmd())
	if err := svrcmd.Execute(root, cmd.EnvPrefix, app.DefaultNodeHome); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func cheatCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "cheat --job ID --forge N --bond USHIFT --from KEY",
		Short: "Lease a task of a wasm job, fake N of its outputs, claim and prove them",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			clientCtx, err := client.GetClientTxContext(c)
			if err != nil {
				return err
			}
			txf, err := tx.NewFactoryCLI(clientCtx, c.Flags())
			if err != nil {
				return err
			}
			jobID, _ := c.Flags().GetUint64("job")
			forge, _ := c.Flags().GetUint64("forge")
			bond, _ := c.Flags().GetInt64("bond")
			res, err := cheat(c.Context(), clientCtx, txclient.New(clientCtx, txf, types.Errors()...), jobID, forge, math.NewInt(bond))
			if err != nil {
				return err
			}
			return json.NewEncoder(c.OutOrStdout()).Encode(res)
		},
	}
	flags.AddTxFlagsToCmd(c)
	c.Flags().Uint64("job", 0, "the wasm job (without inputs) to cheat on")
	c.Flags().Uint64("forge", 1, "outputs to fake, from the task's first item")
	c.Flags().Int64("bond", 2_100_000_000, "bond to register the device with, in ushift")
	return c
}

func cheat(ctx context.Context, clientCtx client.Context, txc *txclient.Client, jobID, forge uint64, bond math.Int) (result, error) {
	q := types.NewQueryClient(clientCtx)
	operator := clientCtx.GetFromAddress().String()
	if _, err := txc.Submit(ctx, &types.MsgRegisterDevice{Operator: operator, Moniker: "cheater", Bond: bond}); err != nil {
		return result{}, fmt.Errorf("register: %w", err)
	}
	jobRes, err := q.Job(ctx, &types.QueryJobRequest{JobId: jobID})
	if err != nil {
		return result{}, err
	}
	job := jobRes.Job
	spec, err := kinds.ParseWasmSpec([]byte(job.Spec), job.Items)
	if err != nil {
		return result{}, err
	}
	if spec.HasInputRoot {
		return result{}, errors.New("the cheater takes jobs without inputs")
	}
	params, err := q.Params(ctx, &types.QueryParamsRequest{})
	if err != nil {
		return result{}, err
	}
	code, err := q.ProgramCode(ctx, &types.QueryProgramCodeRequest{Id: fmt.Sprintf("%x", spec.Program)})
	if err != nil {
		return result{}, err
	}
	if sha256.Sum256(code.Code) != spec.Program {
		return result{}, errors.New("program code does not match its id")
	}
	engine := program.NewEngine(program.EngineConfig{CacheEntries: 1})
	defer func() { _ = engine.Close() }()
	prog := spec.Bind(code.Code, engine, params.Params.GasPerKilofuel)

	out, err := txc.Submit(ctx, &types.MsgLeaseTask{Operator: operator, JobId: jobID})
	if err != nil {
		return result{}, fmt.Errorf("lease: %w", err)
	}
	lease := out.Responses[0].(*types.MsgLeaseTaskResponse)
	r := result{JobID: jobID, TaskIndex: lease.TaskIndex, Items: lease.ItemCount}
	outputs := make([][]byte, lease.ItemCount)
	for i := range outputs {
		item := lease.FirstItem + uint64(i)
		if outputs[i], _, err = prog.ComputeOutput(kinds.Item{JobID: jobID, Index: item}); err != nil {
			return result{}, err
		}
		if uint64(i) < forge {
			// A well-formed success record with the payload's bytes flipped:
			// as cheap to make as any fake, and wrong.
			fake := append([]byte(nil), outputs[i]...)
			for j := 1; j < len(fake); j++ {
				fake[j] ^= 0xff
			}
			outputs[i] = fake
			r.Forged = append(r.Forged, item)
		}
	}
	tree, err := merkle.TaskTree(jobID, lease.FirstItem, outputs)
	if err != nil {
		return result{}, err
	}
	root := tree.Root()
	if _, err := txc.Submit(ctx, &types.MsgSubmitClaim{Operator: operator, JobId: jobID, TaskIndex: lease.TaskIndex, Root: root[:]}); err != nil {
		return result{}, fmt.Errorf("claim: %w", err)
	}
	var task *types.QueryTaskResponse
	for task == nil || !task.ChallengeReady {
		select {
		case <-ctx.Done():
			return result{}, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
		if task, err = q.Task(ctx, &types.QueryTaskRequest{JobId: jobID, TaskIndex: lease.TaskIndex}); err != nil {
			return result{}, err
		}
	}
	items := make([]types.ChallengeItem, len(task.ChallengeIndices))
	offsets := make([]uint64, len(task.ChallengeIndices))
	for i, idx := range task.ChallengeIndices {
		items[i] = types.ChallengeItem{Index: idx, Output: outputs[idx-lease.FirstItem]}
		offsets[i] = idx - lease.FirstItem
	}
	r.Sampled = task.ChallengeIndices
	nodes, err := tree.MultiProofBytes(offsets)
	if err != nil {
		return result{}, err
	}
	out, err = txc.Submit(ctx, &types.MsgSubmitProof{Operator: operator, JobId: jobID, TaskIndex: lease.TaskIndex, Items: items, Nodes: nodes})
	if err != nil {
		return result{}, fmt.Errorf("proof: %w", err)
	}
	proof := out.Responses[0].(*types.MsgSubmitProofResponse)
	r.Accepted, r.Paid, r.Slashed = proof.Accepted, proof.Paid.String(), proof.Slashed.String()
	return r, nil
}
