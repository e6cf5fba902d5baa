package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/pkg/collector"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
	"github.com/nightshift-network/nightshift/pkg/programjob"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/program"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

const (
	flagProgram        = "program"
	flagParams         = "params"
	flagInputs         = "inputs"
	flagInputsOut      = "inputs-out"
	flagInputsURL      = "inputs-url"
	flagTileSize       = "tile-size"
	flagFuelLimit      = "fuel-limit"
	flagMemoryPages    = "memory-pages"
	flagMaxOutputBytes = "max-output-bytes"
)

func requesterPostProgramCmd() *cobra.Command {
	cmd := postJobCmd(
		"post-program --from KEY --program ID|FILE --items N [--params HEX] [--inputs DIR|FILE]",
		"Post a job of a stored WebAssembly program (kind wasm) over N items",
		`  nightshiftd requester post-program --from requester --program pkg/examples/proth/proth.wasm \
    --items 64 --params 7f000000010000000000000004000000 --result-url http://my-host:8090
  nightshiftd requester post-program --from requester --program proth --proth-n 127 --k-per-item 4 \
    --items 64 --result-url http://my-host:8090
  nightshiftd requester post-program --from requester --program tiles --filter edges \
    --inputs photo.png --tile-size 64 --result-url http://my-host:8090`,
		buildProgramJob,
	)
	f := cmd.Flags()
	f.String(flagProgram, "", "the program: its id (64 hex digits), its .wasm file, or an example's name (proth, montecarlo, tiles); it must be stored (requester store-program)")
	f.Uint64(flagItems, 0, "number of items (with --inputs: one per input, the default)")
	f.String(flagParams, "", "the program's params in hex, the same for every item (at most 256 bytes); for an example, its typed flags below build them instead")
	f.String(flagInputs, "", "per-item inputs: a directory (item i = the i-th file by name) or, for an example that takes data, one file it splits (tiles: an image)")
	f.Int(flagTileSize, 64, "with --inputs IMAGE for tiles: the tile side in pixels")
	f.String(flagInputsOut, "", "with --inputs FILE: the directory the split inputs are written to, for requester collect --inputs (default ./inputs-ROOT)")
	f.String(flagInputsURL, "", "where workers fetch the inputs (GET URL/ITEM); default RESULT-URL/v1/inputs/ROOT, served by requester collect --inputs")
	f.Uint64(flagFuelLimit, 0, fmt.Sprintf("fuel per item (default: %d× the most any of up to %d items spread over the job used locally, within the chain's limit)", programjob.FuelMargin, programjob.MeasuredItems))
	f.Uint32(flagMemoryPages, 0, "memory cap per item in 64 KiB pages (default: the module's declared maximum, within the chain's max_program_memory_pages)")
	f.Uint32(flagMaxOutputBytes, 0, "output cap per item in bytes (default: the chain's max_item_output_bytes)")
	addExampleParamFlags(f)
	_ = cmd.MarkFlagRequired(flagProgram)
	return cmd
}

// buildProgramJob resolves the program, reads the inputs, measures items and
// builds the canonical spec, checked against the chain's params.
func buildProgramJob(ctx context.Context, clientCtx client.Context, params types.Params, f *pflag.FlagSet, w io.Writer) (jobOrder, error) {
	progArg, _ := f.GetString(flagProgram)
	prog, err := programjob.ResolveProgram(progArg)
	if err != nil {
		return jobOrder{}, fmt.Errorf("--%s: %w", flagProgram, err)
	}
	rec, err := readStoredProgram(ctx, clientCtx, &prog)
	if err != nil {
		return jobOrder{}, err
	}
	progParams, err := programParams(f, prog)
	if err != nil {
		return jobOrder{}, err
	}
	if len(progParams) > kinds.WasmMaxParamsBytes {
		return jobOrder{}, fmt.Errorf("--%s: %d bytes, at most %d", flagParams, len(progParams), kinds.WasmMaxParamsBytes)
	}
	items, _ := f.GetUint64(flagItems)
	req := programjob.Request{Program: prog, Record: rec, Params: progParams, Items: items}
	req.FuelLimit, _ = f.GetUint64(flagFuelLimit)
	req.MemoryPages, _ = f.GetUint32(flagMemoryPages)
	req.MaxOutputBytes, _ = f.GetUint32(flagMaxOutputBytes)

	inputsDir, err := readInputs(f, prog, params.MaxItemInputBytes, &req)
	if err != nil {
		return jobOrder{}, err
	}
	if req.Dataset == nil && items == 0 {
		return jobOrder{}, fmt.Errorf("--%s is required without --%s", flagItems, flagInputs)
	}

	engine := program.NewEngine(program.EngineConfig{CacheEntries: 1})
	defer func() { _ = engine.Close() }()
	plan, err := programjob.Build(ctx, engine, req, programjob.LimitsOf(params))
	if err != nil {
		return jobOrder{}, fmt.Errorf("the job would be refused: %w", err)
	}
	s := plan.Spec
	name := ""
	if prog.Example != nil {
		name = " (example " + prog.Example.Name + ")"
	}
	summary := fmt.Sprintf("program %s%s, %d items\n  limits    %d fuel per item (%d items run locally used at most %d), %d memory pages, %d output bytes",
		prog.IDHex(), name, s.Items(), s.FuelLimit, plan.Measured, plan.MaxFuel, s.MemoryPages, s.MaxOutputBytes)
	if s.HasInputRoot {
		summary += fmt.Sprintf("\n  inputs    %d from %s, root %x, served at %s/ITEM", s.Items(), inputsDir, s.InputRoot, s.InputsURL)
	}
	order := jobOrder{
		kind:    kinds.WasmKindName,
		spec:    plan.Encoded,
		items:   s.Items(),
		summary: summary,
		maxWork: kinds.WasmItemWork(s.FuelLimit, params.GasPerKilofuel),
	}
	order.posted = func(out io.Writer, jobID uint64) {
		if s.HasInputRoot {
			fmt.Fprintf(out, "Serve its inputs and collect its outputs with: nightshiftd requester collect --job %d --listen HOST:PORT --out job-%d --inputs %s\n",
				jobID, jobID, inputsDir)
			return
		}
		fmt.Fprintf(out, "Collect its outputs with: nightshiftd requester collect --job %d --listen HOST:PORT --out job-%d\n", jobID, jobID)
	}
	return order, nil
}

// readStoredProgram reads the program's record, and its code when the command
// line named it by id, checking the code is the id's.
func readStoredProgram(ctx context.Context, clientCtx client.Context, prog *programjob.Program) (types.Program, error) {
	query := types.NewQueryClient(clientCtx)
	res, err := query.Program(ctx, &types.QueryProgramRequest{Id: prog.IDHex()})
	if status.Code(err) == codes.NotFound {
		return types.Program{}, fmt.Errorf("program %s is not stored on chain: store it first with `nightshiftd requester store-program FILE`", prog.IDHex())
	}
	if err != nil {
		return types.Program{}, fmt.Errorf("reading program %s: %w", prog.IDHex(), err)
	}
	if prog.Code == nil {
		code, err := query.ProgramCode(ctx, &types.QueryProgramCodeRequest{Id: prog.IDHex()})
		if err != nil {
			return types.Program{}, fmt.Errorf("reading program %s's code: %w", prog.IDHex(), err)
		}
		if sum := sha256.Sum256(code.Code); !bytes.Equal(sum[:], prog.ID[:]) {
			return types.Program{}, fmt.Errorf("the node returned code hashing to %x for program %s", sum, prog.IDHex())
		}
		prog.Code = code.Code
	}
	return res.Program, nil
}

// readInputs reads --inputs into req.Dataset and sets req.InputsURL; it
// returns the directory the inputs are served from.
func readInputs(f *pflag.FlagSet, prog programjob.Program, maxBytes uint32, req *programjob.Request) (string, error) {
	path, _ := f.GetString(flagInputs)
	inputsURL, _ := f.GetString(flagInputsURL)
	if path == "" {
		if inputsURL != "" {
			return "", fmt.Errorf("--%s without --%s", flagInputsURL, flagInputs)
		}
		return "", nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("--%s: %w", flagInputs, err)
	}
	var ds programjob.Dataset
	dir := path
	if info.IsDir() {
		if ds, err = programjob.ReadDataset(path, maxBytes); err != nil {
			return "", fmt.Errorf("--%s: %w", flagInputs, err)
		}
	} else {
		tile, _ := f.GetInt(flagTileSize)
		inputs, err := programjob.SplitInputFile(prog.Example, path, tile)
		if err != nil {
			return "", fmt.Errorf("--%s: %w", flagInputs, err)
		}
		if ds, err = programjob.NewDataset(inputs); err != nil {
			return "", err
		}
		if err := programjob.CheckInputSizes(inputs, maxBytes); err != nil {
			return "", fmt.Errorf("--%s: %w", flagInputs, err)
		}
		if dir, _ = f.GetString(flagInputsOut); dir == "" {
			dir = fmt.Sprintf("inputs-%x", ds.Root[:6])
		}
		// The directory is what requester collect serves; a split that is
		// already there from an earlier attempt is reused if it is this one.
		if have, err := programjob.ReadDataset(dir, 0); err != nil || have.Root != ds.Root {
			if err := tiles.WriteInputs(dir, inputs); err != nil {
				return "", fmt.Errorf("--%s %s: %w", flagInputsOut, dir, err)
			}
		}
	}
	if inputsURL == "" {
		resultURL, _ := f.GetString(flagResultURL)
		if resultURL == "" {
			return "", fmt.Errorf("a job with inputs needs --%s (or --%s, where requester collect serves them)", flagInputsURL, flagResultURL)
		}
		inputsURL = strings.TrimRight(resultURL, "/") + collector.InputsPath(ds.Root)
	}
	req.Dataset, req.InputsURL = &ds, inputsURL
	return dir, nil
}
