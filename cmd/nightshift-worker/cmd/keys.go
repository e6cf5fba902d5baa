package cmd

// The worker's `keys`: add, list, show and delete keys in the SDK keyring,
// stored exactly as `nightshiftd keys` stores them (same backends, directory,
// service name and records), through pkg/workerkeys: without linking the
// SDK's client/keys or crypto/keyring.

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cosmos/go-bip39"
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/app/params/chainconst"
	"github.com/nightshift-network/nightshift/pkg/accaddr"
	"github.com/nightshift-network/nightshift/pkg/workercli"
	"github.com/nightshift-network/nightshift/pkg/workerkeys"
)

const flagRecover = "recover"

func keysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage the device's keys (the keyring nightshiftd keys uses)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(keysAddCmd(), keysListCmd(), keysShowCmd(), keysDeleteCmd())
	for _, c := range cmd.Commands() {
		workercli.AddKeyringFlags(c)
		c.Flags().StringP(workercli.FlagOutput, "o", workercli.OutputFormatText, "output: text or json")
	}
	return cmd
}

func keysAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Create a key (a new 24-word mnemonic, or --recover one from stdin)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := workercli.OpenKeyring(cmd)
			if err != nil {
				return err
			}
			name := args[0]
			if _, err := kr.Key(name); err == nil {
				return fmt.Errorf("a key named %s exists already", name)
			}
			mnemonic := ""
			if recover, _ := cmd.Flags().GetBool(flagRecover); recover {
				fmt.Fprintln(cmd.ErrOrStderr(), "> Enter your bip39 mnemonic")
				line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if err != nil && err != io.EOF {
					return err
				}
				mnemonic = strings.TrimSpace(line)
				if !bip39.IsMnemonicValid(mnemonic) {
					return fmt.Errorf("invalid mnemonic")
				}
			} else {
				entropy, err := bip39.NewEntropy(256)
				if err != nil {
					return err
				}
				if mnemonic, err = bip39.NewMnemonic(entropy); err != nil {
					return err
				}
			}
			// No BIP-39 passphrase, as `nightshiftd keys add` (keyring.DefaultBIP39Passphrase).
			rec, err := kr.NewAccount(name, mnemonic, "", fullBIP44Path)
			if err != nil {
				return err
			}
			out, err := keyOutputOf(rec)
			if err != nil {
				return err
			}
			recovered, _ := cmd.Flags().GetBool(flagRecover)
			if asJSON(cmd) {
				if !recovered {
					out.Mnemonic = mnemonic
				}
				return printJSON(cmd, out)
			}
			printKeys(cmd.OutOrStdout(), out)
			if !recovered {
				fmt.Fprintf(cmd.ErrOrStderr(), "\n**Important** write this mnemonic phrase in a safe place.\nIt is the only way to recover your account if you ever forget your password.\n\n%s\n", mnemonic)
			}
			return nil
		},
	}
	cmd.Flags().Bool(flagRecover, false, "read the mnemonic of an existing key from stdin")
	return cmd
}

func keysListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the keys",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kr, err := workercli.OpenKeyring(cmd)
			if err != nil {
				return err
			}
			recs, err := kr.List()
			if err != nil {
				return err
			}
			outs := make([]keyOutput, 0, len(recs))
			for _, r := range recs {
				o, err := keyOutputOf(r)
				if err != nil {
					return err
				}
				outs = append(outs, o)
			}
			if asJSON(cmd) {
				return printJSON(cmd, outs)
			}
			printKeys(cmd.OutOrStdout(), outs...)
			return nil
		},
	}
}

func keysShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a key (-a: its address alone)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := workercli.OpenKeyring(cmd)
			if err != nil {
				return err
			}
			rec, err := kr.Key(args[0])
			if err != nil {
				return fmt.Errorf("key %s: %w", args[0], err)
			}
			out, err := keyOutputOf(rec)
			if err != nil {
				return err
			}
			if onlyAddr, _ := cmd.Flags().GetBool("address"); onlyAddr {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), out.Address)
				return err
			}
			if asJSON(cmd) {
				return printJSON(cmd, out)
			}
			printKeys(cmd.OutOrStdout(), out)
			return nil
		},
	}
	cmd.Flags().BoolP("address", "a", false, "print the address only")
	return cmd
}

func keysDeleteCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a key (asks first unless -y)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := workercli.OpenKeyring(cmd)
			if err != nil {
				return err
			}
			if _, err := kr.Key(args[0]); err != nil {
				return fmt.Errorf("key %s: %w", args[0], err)
			}
			if yes, _ := cmd.Flags().GetBool("yes"); !yes {
				fmt.Fprintf(cmd.ErrOrStderr(), "Key reference will be deleted. Continue? [y/N]: ")
				line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
					return fmt.Errorf("aborted")
				}
			}
			if err := kr.Delete(args[0]); err != nil {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "Key deleted forever (uh oh!)")
			return nil
		},
	}
	cmd.Flags().BoolP("yes", "y", false, "delete without asking")
	return cmd
}

// keyOutput is the SDK's keys output (client/keys KeyOutput): the same JSON.
type keyOutput struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Address  string `json:"address"`
	PubKey   string `json:"pubkey"`
	Mnemonic string `json:"mnemonic,omitempty"`
}

// keyOutputOf is the SDK's keys output of r: the public key as the SDK's
// JSON of its Any (codec.ProtoMarshalJSON: the type URL, the key in base64).
func keyOutputOf(r *workerkeys.Key) (keyOutput, error) {
	pub, err := r.PubKeyBytes()
	if err != nil {
		return keyOutput{}, err
	}
	addr, err := r.Address()
	if err != nil {
		return keyOutput{}, err
	}
	pk, err := json.Marshal(struct {
		Type string `json:"@type"`
		Key  string `json:"key"`
	}{r.PubKeyType, base64.StdEncoding.EncodeToString(pub)})
	if err != nil {
		return keyOutput{}, err
	}
	return keyOutput{Name: r.Name, Type: r.Type, Address: accaddr.String(addr), PubKey: string(pk)}, nil
}

func asJSON(cmd *cobra.Command) bool {
	o, _ := cmd.Flags().GetString(workercli.FlagOutput)
	return o == workercli.OutputFormatJSON
}

func printJSON(cmd *cobra.Command, v any) error {
	bz, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(cmd.OutOrStdout(), string(bz))
	return err
}

// printKeys prints keys as the SDK's text output does (YAML, fields sorted).
func printKeys(w io.Writer, keys ...keyOutput) {
	for _, k := range keys {
		fmt.Fprintf(w, "- address: %s\n  name: %s\n  pubkey: '%s'\n  type: %s\n", k.Address, k.Name, k.PubKey, k.Type)
	}
}

// fullBIP44Path is sdk.GetConfig().GetFullBIP44Path() under app/params'
// SetSDKConfig: account 0, index 0 of the chain's coin type (keys_test
// compares the derived address with the SDK keyring's).
var fullBIP44Path = fmt.Sprintf("m/44'/%d'/0'/0/0", chainconst.CoinType)
