// Package badinput makes commands answer bad flags and arguments with one line.
package badinput

import (
	"fmt"

	"github.com/spf13/cobra"
)

// AnswerBriefly makes every command under root answer a flag it does not
// take, or the wrong arguments, with the one-line error and where to look
// ("see 'nightshiftd requester collect --help'") instead of the whole help text,
// which buries the error. Call it once the command tree is complete.
func AnswerBriefly(root *cobra.Command) {
	root.SilenceUsage = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return withHelpHint(c, err) })
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if args := c.Args; args != nil {
			c.Args = func(c *cobra.Command, a []string) error {
				if err := args(c, a); err != nil {
					return withHelpHint(c, err)
				}
				return nil
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func withHelpHint(c *cobra.Command, err error) error {
	return fmt.Errorf("%w; see '%s --help'", err, c.CommandPath())
}
