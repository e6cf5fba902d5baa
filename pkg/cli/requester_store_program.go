package cli

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/input"
	"github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/spf13/cobra"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nightshift-network/nightshift/pkg/coin"
	"github.com/nightshift-network/nightshift/pkg/examples/catalog"
	"github.com/nightshift-network/nightshift/pkg/txclient"
	"github.com/nightshift-network/nightshift/x/compute/program"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// storedProgram is store-program's JSON output.
type storedProgram struct {
	ID string `json:"id"`
	// AlreadyStored says no transaction was sent: the chain had the code.
	AlreadyStored bool   `json:"already_stored"`
	Fee           string `json:"fee"`
	TxHash        string `json:"tx_hash,omitempty"`
	Height        int64  `json:"height,omitempty"`
}

func requesterStoreProgramCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "store-program FILE --from KEY",
		Short: "Store a WebAssembly program on chain (once; jobs then name it by id)",
		Long: `Checks FILE locally with the validation the chain runs (Program ABI v1, under
the chain's max_program_bytes and max_program_memory_pages), then asks the chain
whether its id, sha256(code), is stored already: if so it says so and sends
nothing, so running it twice is harmless. Otherwise it shows the fee
(size × program_byte_fee, burned), asks for confirmation (-y skips it) and stores
the program. Prints the id; --output json prints {"id","already_stored","fee",…}.`,
		Example: `  nightshiftd requester store-program pkg/examples/proth/proth.wasm --from requester`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.SilenceUsage = true
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			if clientCtx.FromName == "" {
				return errors.New("--from is required: the key that pays the storage fee")
			}
			if clientCtx.GenerateOnly || clientCtx.Simulate {
				return errors.New("--generate-only and --dry-run are not supported here; use `nightshiftd tx compute store-program`")
			}
			code, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			query := types.NewQueryClient(clientCtx)
			pres, err := query.Params(cmd.Context(), &types.QueryParamsRequest{})
			if err != nil {
				return fmt.Errorf("reading the market's params: %w", err)
			}
			params := pres.Params
			if _, err := program.Validate(code, program.Limits{MaxCodeBytes: params.MaxProgramBytes, MaxMemoryPages: params.MaxProgramMemoryPages}); err != nil {
				return fmt.Errorf("the chain would refuse %s: %w", args[0], err)
			}
			id := sha256.Sum256(code)
			idHex := hex.EncodeToString(id[:])
			asJSON := clientCtx.OutputFormat == flags.OutputFormatJSON
			out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()

			existing, err := query.Program(cmd.Context(), &types.QueryProgramRequest{Id: idHex})
			switch {
			case err == nil:
				rec := existing.Program
				fmt.Fprintf(errOut, "Program %s is already stored (height %d, by %s): nothing to send.\n", idHex, rec.StoredHeight, rec.Storer)
				return printStored(out, errOut, asJSON, storedProgram{ID: idHex, AlreadyStored: true, Fee: "0"})
			case status.Code(err) != codes.NotFound:
				return fmt.Errorf("asking the chain whether program %s is stored: %w", idHex, err)
			}

			fee := params.ProgramByteFee.Mul(math.NewInt(int64(len(code))))
			name := ""
			if ex, ok := catalog.ByID(id); ok {
				name = " (example " + ex.Name + ")"
			}
			fmt.Fprintf(errOut, "Program %s%s\n", idHex, name)
			fmt.Fprintf(errOut, "  size  %d bytes (the chain allows %d)\n", len(code), params.MaxProgramBytes)
			fmt.Fprintf(errOut, "  fee   %s (%s ushift per byte, burned; never refunded)\n", coin.FormatWithBase(fee), params.ProgramByteFee)
			if !clientCtx.SkipConfirm {
				ok, err := input.GetConfirmation(fmt.Sprintf("Store it for %s?", coin.FormatWithBase(fee)), bufio.NewReader(clientCtx.Input), errOut)
				if err != nil {
					return err
				}
				if !ok {
					return errors.New("not stored")
				}
			}
			txf, err := tx.NewFactoryCLI(clientCtx, cmd.Flags())
			if err != nil {
				return err
			}
			msg := &types.MsgStoreProgram{Sender: clientCtx.GetFromAddress().String(), Code: code}
			res, err := txclient.New(clientCtx, txf, types.Errors()...).Submit(cmd.Context(), msg)
			if err != nil {
				return err
			}
			stored := storedProgram{ID: idHex, Fee: fee.String(), TxHash: res.TxHash, Height: res.Height}
			for _, r := range res.Responses {
				if sr, ok := r.(*types.MsgStoreProgramResponse); ok {
					if hex.EncodeToString(sr.Id) != idHex {
						return fmt.Errorf("tx %s stored program %x, not %s", res.TxHash, sr.Id, idHex)
					}
					stored.Fee = sr.Fee.String()
				}
			}
			return printStored(out, errOut, asJSON, stored)
		},
	}
	addTxFlags(cmd)
	return cmd
}

// printStored prints the id alone on w (or the JSON), so scripts can take it;
// what happened goes to errOut.
func printStored(w, errOut io.Writer, asJSON bool, s storedProgram) error {
	if !s.AlreadyStored {
		fmt.Fprintf(errOut, "Stored (tx %s, height %d, fee %sushift). Post a job of it with: nightshiftd requester post-program --program %s --items N …\n",
			s.TxHash, s.Height, s.Fee, s.ID)
	}
	if asJSON {
		return json.NewEncoder(w).Encode(s)
	}
	_, err := fmt.Fprintln(w, s.ID)
	return err
}
