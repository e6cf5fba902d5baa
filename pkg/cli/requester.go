package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/input"
	"github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nightshift-network/nightshift/pkg/coin"
	"github.com/nightshift-network/nightshift/pkg/collector"
	"github.com/nightshift-network/nightshift/pkg/txclient"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

const (
	flagJob            = "job"
	flagListen         = "listen"
	flagOut            = "out"
	flagUploadGrace    = "upload-grace"
	flagWaitForJob     = "wait-for-job"
	flagWidth          = "width"
	flagHeight         = "height"
	flagMaxIter        = "max-iter"
	flagCenterRe       = "center-re"
	flagCenterIm       = "center-im"
	flagScale          = "scale"
	flagItems          = "items"
	flagDifficultyBits = "difficulty-bits"
	flagItemsPerTask   = "items-per-task"
	flagPricePerItem   = "price-per-item"
	flagDeadlineBlocks = "deadline-blocks"
	flagResultURL      = "result-url"

	// targetTasks is how many tasks a job is cut into by default, so that
	// several devices can work on it at once.
	targetTasks = 16
)

// RequesterCmd is `nightshiftd requester`: post jobs without writing specs by
// hand, and collect their verified outputs.
func RequesterCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "requester",
		Short: "Post compute jobs and collect their verified outputs",
		Long: `Post a job with its spec built and checked for you, then run a result endpoint
that workers upload outputs to. The collector accepts only outputs that hash to
the Merkle root the device claimed on chain and assembles them once the job is
verified.`,
		RunE: client.ValidateCmd,
	}
	cmd.AddCommand(requesterCollectCmd(), requesterPostRenderCmd(), requesterPostHashcashCmd(),
		requesterStoreProgramCmd(), requesterPostProgramCmd())
	return cmd
}

func requesterCollectCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "collect --job ID --listen HOST:PORT --out DIR",
		Short: "Receive a job's outputs from workers, check them against the chain and assemble the results",
		Long: `Serves the upload endpoint a job names in its result_url and polls the chain
until the job is over. An upload is accepted only from the device holding the
task and only if its outputs hash to the root claimed on chain; accepted uploads
are kept under DIR/tasks, so the collector can be stopped and started again.
Outputs a device delivered on chain, in answer to "tx compute demand-delivery",
are read from the node's transactions and kept the same way.

When every task is verified and collected it writes DIR/job.json, DIR/outputs.bin
and DIR/render.png (mandelbrot) or DIR/nonces.json (hashcash), and exits. A wasm
job's items go to DIR/outputs/ (one file per item: the recorded output, status
byte first) with DIR/items.json naming each trap; for an example program its
result too (primes.json, estimate.json or image.png). With --inputs DIR the
collector also serves a wasm job's inputs to workers, after checking that DIR
is the dataset the job's input root commits to. If the
job is cancelled or expires, what was verified is assembled, the gaps are listed
in DIR/missing.json and the command fails naming the missing tasks.

The collector may be started before the job is posted: it waits for the job to
appear (up to --wait-for-job). A job that closed with nothing verified is
refused, since nothing can be collected for it.`,
		Example: `  nightshiftd requester collect --job 4 --listen 0.0.0.0:8090 --out ./job-4 --node tcp://NODE:26657`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SilenceUsage = true
			clientCtx, err := client.GetClientQueryContext(cmd)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			jobID, _ := f.GetUint64(flagJob)
			if jobID == 0 {
				return errors.New("--job must be a job id (job ids start at 1)")
			}
			listen, _ := f.GetString(flagListen)
			outDir, _ := f.GetString(flagOut)
			if outDir == "" {
				outDir = fmt.Sprintf("job-%d", jobID)
			}
			grace, _ := f.GetDuration(flagUploadGrace)

			waitFor, _ := f.GetDuration(flagWaitForJob)

			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			query := types.NewQueryClient(clientCtx)
			errOut := cmd.ErrOrStderr()
			job, err := collector.WaitForJob(ctx, query, jobID, 2*time.Second, waitFor, func(reason string) {
				limit := "until interrupted"
				if waitFor > 0 {
					limit = "for up to " + waitFor.String() + " (--" + flagWaitForJob + ")"
				}
				fmt.Fprintf(errOut, "Waiting: %s; polling %s.\n", reason, limit)
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(errOut, "Collecting job %d (%s, %d items in %d tasks, %s) on %s into %s\n",
				job.Id, job.Kind, job.Items, job.NumTasks, job.Status, listen, outDir)
			if job.ResultUrl == "" {
				fmt.Fprintln(errOut, "Warning: the job names no result_url, so workers will not upload to this collector.")
			} else {
				fmt.Fprintf(errOut, "Workers upload to %s: make sure it reaches %s.\n", job.ResultUrl, listen)
			}

			// Outputs demanded on chain (tx compute demand-delivery) are read back
			// from the node's transactions.
			var delivered collector.DeliveredSource
			if clientCtx.Client != nil {
				delivered = collector.NewCometDelivered(clientCtx.Client)
			}
			inputsPath, _ := f.GetString(flagInputs)
			inputs, err := jobInputs(job, inputsPath, errOut)
			if err != nil {
				return err
			}
			c, err := collector.New(collector.Config{
				JobID:       jobID,
				OutDir:      outDir,
				Query:       query,
				Logger:      slog.New(slog.NewTextHandler(errOut, nil)),
				UploadGrace: grace,
				Delivered:   delivered,
				Inputs:      inputs,
			})
			if err != nil {
				return err
			}
			runErr := c.Run(ctx, listen)
			if runErr != nil && ctx.Err() != nil {
				return runErr
			}
			return printCollected(cmd.OutOrStdout(), clientCtx.OutputFormat == flags.OutputFormatJSON, jobID, outDir, runErr)
		},
	}
	flags.AddQueryFlagsToCmd(cmd)
	cmd.Flags().Uint64(flagJob, 0, "the job whose outputs to collect")
	cmd.Flags().String(flagListen, "0.0.0.0:8090", "address to serve uploads on; the job's result_url must reach it")
	cmd.Flags().String(flagOut, "", "directory for uploads and results (default ./job-ID)")
	cmd.Flags().Duration(flagWaitForJob, 10*time.Minute, "how long to wait for a job that does not exist yet (start the collector, then post); 0 waits until interrupted")
	cmd.Flags().String(flagInputs, "", "a wasm job's inputs directory (what post-program --inputs read or wrote), served to workers at /v1/inputs/ROOT/ITEM beside the uploads")
	cmd.Flags().Duration(flagUploadGrace, 0, "once the job is over, how long to wait for uploads of verified tasks before assembling without them (0: wait until interrupted)")
	_ = cmd.MarkFlagRequired(flagJob)
	return cmd
}

// printCollected lists the result files written to outDir; runErr, if any, says
// what is missing and is returned so the command fails.
func printCollected(w io.Writer, asJSON bool, jobID uint64, outDir string, runErr error) error {
	var files []string
	for _, name := range collectedFiles(outDir) {
		if _, err := os.Stat(filepath.Join(outDir, name)); err == nil {
			files = append(files, filepath.Join(outDir, name))
		}
	}
	if asJSON {
		out := struct {
			JobID    uint64   `json:"job_id"`
			OutDir   string   `json:"out_dir"`
			Complete bool     `json:"complete"`
			Files    []string `json:"files"`
			Error    string   `json:"error,omitempty"`
		}{JobID: jobID, OutDir: outDir, Complete: runErr == nil, Files: files}
		if runErr != nil {
			out.Error = runErr.Error()
		}
		if err := json.NewEncoder(w).Encode(out); err != nil {
			return err
		}
		return runErr
	}
	if runErr == nil {
		fmt.Fprintf(w, "Job %d: every task verified and collected.\n", jobID)
	} else {
		fmt.Fprintf(w, "Job %d: partial results.\n", jobID)
	}
	for _, file := range files {
		fmt.Fprintf(w, "  %s\n", file)
	}
	return runErr
}

// jobOrder is what a post command asks the chain to compute.
type jobOrder struct {
	kind  string
	spec  []byte
	items uint64
	// summary describes the job in a line, for the confirmation.
	summary string
	// maxWork is an item's verification bound, from a spec already checked
	// (wasm jobs); zero parses the spec with the built-in kinds.
	maxWork uint64
	// posted, when set, prints what to do next once the job is posted.
	posted func(w io.Writer, jobID uint64)
}

// jobBuilder builds a post command's job from its flags and the chain's params.
type jobBuilder func(ctx context.Context, clientCtx client.Context, params types.Params, f *pflag.FlagSet, w io.Writer) (jobOrder, error)

// builtinJob adapts a builder of a built-in kind's job, which needs no chain state.
func builtinJob(build func(*pflag.FlagSet) (jobOrder, error)) jobBuilder {
	return func(_ context.Context, _ client.Context, _ types.Params, f *pflag.FlagSet, _ io.Writer) (jobOrder, error) {
		return build(f)
	}
}

func requesterPostRenderCmd() *cobra.Command {
	cmd := postJobCmd(
		"post-render --from KEY --width W --height H --max-iter N",
		"Post a Mandelbrot rendering job (one item per image row)",
		`  nightshiftd requester post-render --from requester --width 1920 --height 1080 --max-iter 500 \
    --price-per-item 1000ushift --result-url http://my-host:8090
  nightshiftd requester post-render --from requester --width 800 --height 800 --max-iter 2000 \
    --center-re -0.743643887 --center-im 0.131825904 --scale 0.0001`,
		builtinJob(func(f *pflag.FlagSet) (jobOrder, error) {
			width, _ := f.GetUint32(flagWidth)
			height, _ := f.GetUint32(flagHeight)
			maxIter, _ := f.GetUint32(flagMaxIter)
			re, _ := f.GetString(flagCenterRe)
			im, _ := f.GetString(flagCenterIm)
			scale, _ := f.GetString(flagScale)
			spec, err := json.Marshal(struct {
				Width    uint32 `json:"width"`
				Height   uint32 `json:"height"`
				CenterRe string `json:"center_re"`
				CenterIm string `json:"center_im"`
				Scale    string `json:"scale"`
				MaxIter  uint32 `json:"max_iter"`
			}{width, height, re, im, scale, maxIter})
			return jobOrder{
				kind:    kinds.Mandelbrot{}.Name(),
				spec:    spec,
				items:   uint64(height),
				summary: fmt.Sprintf("Mandelbrot render %d×%d pixels, max_iter %d, centre %s %s i, scale %s", width, height, maxIter, re, signed(im), scale),
			}, err
		}),
	)
	f := cmd.Flags()
	f.Uint32(flagWidth, 0, "image width in pixels (1-4096)")
	f.Uint32(flagHeight, 0, "image height in pixels (1-4096); one item per row")
	f.Uint32(flagMaxIter, 0, "iterations before a pixel counts as inside the set (1-65535)")
	f.String(flagCenterRe, "-0.5", "real part of the view's centre, a decimal in [-4, 4]")
	f.String(flagCenterIm, "0", "imaginary part of the view's centre, a decimal in [-4, 4]")
	f.String(flagScale, "3", "width of the view on the real axis, a decimal in (0, 8]")
	for _, name := range []string{flagWidth, flagHeight, flagMaxIter} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// signed writes an imaginary part with its sign: "+ 0.1", "- 0.1".
func signed(v string) string {
	if rest, ok := strings.CutPrefix(v, "-"); ok {
		return "- " + rest
	}
	return "+ " + v
}

func requesterPostHashcashCmd() *cobra.Command {
	cmd := postJobCmd(
		"post-hashcash --from KEY --items N --difficulty-bits D",
		"Post a hashcash job: find a nonce with D leading zero hash bits for each item",
		`  nightshiftd requester post-hashcash --from requester --items 256 --difficulty-bits 20 --price-per-item 500ushift`,
		builtinJob(func(f *pflag.FlagSet) (jobOrder, error) {
			items, _ := f.GetUint64(flagItems)
			bits, _ := f.GetUint32(flagDifficultyBits)
			spec, err := json.Marshal(struct {
				DifficultyBits uint32 `json:"difficulty_bits"`
			}{bits})
			return jobOrder{
				kind:    kinds.Hashcash{}.Name(),
				spec:    spec,
				items:   items,
				summary: fmt.Sprintf("hashcash, %d items at %d difficulty bits (about 2^%d hashes each)", items, bits, bits),
			}, err
		}),
	)
	f := cmd.Flags()
	f.Uint64(flagItems, 0, "number of nonces to find")
	f.Uint32(flagDifficultyBits, 0, "leading zero bits each hash must have (1-32)")
	for _, name := range []string{flagItems, flagDifficultyBits} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// postJobCmd builds a command that validates the job build returns, shows what
// it costs, asks for confirmation and posts it.
func postJobCmd(use, short, example string, build jobBuilder) *cobra.Command {
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SilenceUsage = true
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			if clientCtx.FromName == "" {
				return errors.New("--from is required: the key that pays the job's escrow")
			}
			if clientCtx.GenerateOnly || clientCtx.Simulate {
				return errors.New("--generate-only and --dry-run are not supported here; use `nightshiftd tx compute post-job`")
			}
			txf, err := tx.NewFactoryCLI(clientCtx, cmd.Flags())
			if err != nil {
				return err
			}
			f := cmd.Flags()
			res, err := types.NewQueryClient(clientCtx).Params(cmd.Context(), &types.QueryParamsRequest{})
			if err != nil {
				return fmt.Errorf("reading the market's params: %w", err)
			}
			order, err := build(cmd.Context(), clientCtx, res.Params, f, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if order.maxWork == 0 {
				spec, err := kinds.DefaultRegistry().Parse(order.kind, order.spec, order.items)
				if err != nil {
					return fmt.Errorf("the job would be refused: %w", err)
				}
				order.maxWork = spec.MaxWorkPerItem()
			}
			msg, err := postJobMsg(cmd.ErrOrStderr(), clientCtx, f, res.Params, order)
			if err != nil {
				return err
			}
			escrow := msg.PricePerItem.Mul(math.NewIntFromUint64(msg.Items))
			if !clientCtx.SkipConfirm {
				ok, err := input.GetConfirmation(fmt.Sprintf("Post this job and escrow %s?", coin.FormatWithBase(escrow)),
					bufio.NewReader(clientCtx.Input), cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				if !ok {
					return errors.New("not posted")
				}
			}
			txRes, err := txclient.New(clientCtx, txf, types.Errors()...).Submit(cmd.Context(), msg)
			if err != nil {
				return explainPostRefusal(err)
			}
			var jobID uint64
			for _, r := range txRes.Responses {
				if posted, ok := r.(*types.MsgPostJobResponse); ok {
					jobID = posted.JobId
				}
			}
			if jobID == 0 {
				return fmt.Errorf("tx %s carried no job id", txRes.TxHash)
			}
			out := cmd.OutOrStdout()
			if clientCtx.OutputFormat == flags.OutputFormatJSON {
				return json.NewEncoder(out).Encode(struct {
					JobID  uint64 `json:"job_id"`
					TxHash string `json:"tx_hash"`
					Height int64  `json:"height"`
				}{jobID, txRes.TxHash, txRes.Height})
			}
			fmt.Fprintf(out, "Job %d posted (tx %s, height %d).\n", jobID, txRes.TxHash, txRes.Height)
			if order.posted != nil {
				order.posted(out, jobID)
			} else if msg.ResultUrl != "" {
				fmt.Fprintf(out, "Collect its outputs with: nightshiftd requester collect --job %d --listen HOST:PORT --out job-%d\n", jobID, jobID)
			}
			return nil
		},
	}
	addTxFlags(cmd)
	f := cmd.Flags()
	f.Uint64(flagItemsPerTask, 0, fmt.Sprintf("items per task (default: items/%d, at least 1, so about %d devices can share the job)", targetTasks, targetTasks))
	f.String(flagPricePerItem, "1000ushift", "price of one item, e.g. 1000ushift or 0.001SHIFT (a bare number is ushift)")
	f.Uint64(flagDeadlineBlocks, 1000, "blocks from now after which no new task is leased and the unspent escrow is refunded")
	f.String(flagResultURL, "", "http(s) URL of your result collector (requester collect); without one workers do not upload outputs")
	return cmd
}

// postJobMsg reads the market flags, checks the job against the chain's params
// and prints to w what it will cost.
func postJobMsg(w io.Writer, clientCtx client.Context, f *pflag.FlagSet, params types.Params, order jobOrder) (*types.MsgPostJob, error) {
	priceStr, _ := f.GetString(flagPricePerItem)
	price, err := coin.Parse(priceStr)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flagPricePerItem, err)
	}
	if !price.IsPositive() {
		return nil, fmt.Errorf("--%s must be positive", flagPricePerItem)
	}
	deadline, _ := f.GetUint64(flagDeadlineBlocks)
	resultURL, _ := f.GetString(flagResultURL)
	if err := types.ValidateResultURL(resultURL); err != nil {
		return nil, fmt.Errorf("--%s: %w", flagResultURL, err)
	}
	perTask, _ := f.GetUint64(flagItemsPerTask)
	if perTask == 0 {
		perTask = min(max(1, order.items/targetTasks), params.MaxTaskItems)
	}
	switch {
	case order.items > params.MaxJobItems:
		return nil, fmt.Errorf("%d items: the chain allows at most %d per job", order.items, params.MaxJobItems)
	case perTask > params.MaxTaskItems:
		return nil, fmt.Errorf("--%s %d: the chain allows at most %d", flagItemsPerTask, perTask, params.MaxTaskItems)
	case deadline == 0 || deadline > params.MaxDeadlineBlocks:
		return nil, fmt.Errorf("--%s %d: must be 1..%d", flagDeadlineBlocks, deadline, params.MaxDeadlineBlocks)
	case order.maxWork > params.MaxVerifyGasPerItem:
		return nil, fmt.Errorf("one item can cost up to %d gas to verify, the chain allows %d: make items smaller (e.g. fewer iterations or a narrower image)",
			order.maxWork, params.MaxVerifyGasPerItem)
	}
	msg := &types.MsgPostJob{
		Requester:      clientCtx.GetFromAddress().String(),
		Kind:           order.kind,
		Spec:           string(order.spec),
		Items:          order.items,
		ItemsPerTask:   perTask,
		PricePerItem:   price,
		DeadlineBlocks: deadline,
		ResultUrl:      resultURL,
	}
	numTasks := (order.items + perTask - 1) / perTask
	escrow := price.Mul(math.NewIntFromUint64(order.items))
	fmt.Fprintf(w, "%s\n", order.summary)
	fmt.Fprintf(w, "  spec      %s\n", order.spec)
	fmt.Fprintf(w, "  items     %d in %d tasks of up to %d\n", order.items, numTasks, perTask)
	fmt.Fprintf(w, "  price     %sushift per item; devices are paid as each task is verified, less the %s protocol fee\n",
		price, formatBps(params.ProtocolFeeBps))
	fmt.Fprintf(w, "  escrow    %s, taken from %s now; what is not spent is refunded if you cancel or the deadline passes\n",
		coin.FormatWithBase(escrow), msg.Requester)
	fmt.Fprintf(w, "  deadline  %d blocks\n", deadline)
	if resultURL == "" {
		fmt.Fprintf(w, "  results   none: without --%s workers do not upload outputs\n", flagResultURL)
	} else {
		fmt.Fprintf(w, "  results   uploaded to %s (run `nightshiftd requester collect` there)\n", resultURL)
	}
	return msg, nil
}

// formatBps writes basis points as a percentage: 200 → "2%", 125 → "1.25%".
func formatBps(bps uint32) string {
	if bps%100 == 0 {
		return fmt.Sprintf("%d%%", bps/100)
	}
	return strings.TrimRight(fmt.Sprintf("%d.%02d", bps/100, bps%100), "0") + "%"
}

// addTxFlags adds the SDK's tx flags with human output by default (they default
// to JSON); --output json still gives machine output.
func addTxFlags(cmd *cobra.Command) {
	flags.AddTxFlagsToCmd(cmd)
	if o := cmd.Flags().Lookup(flags.FlagOutput); o != nil {
		o.DefValue = flags.OutputFormatText
		_ = o.Value.Set(flags.OutputFormatText)
	}
}
