// Package cli holds the hand-written commands autocli cannot express: the
// requester's tools, the dashboard, and `nightshiftd worker` (pkg/workercli).
package cli

import (
	"github.com/spf13/cobra"

	"github.com/nightshift-network/nightshift/pkg/badinput"
	"github.com/nightshift-network/nightshift/pkg/workercli"
)

// WorkerCmd is `nightshiftd worker`: the worker's commands, defined once in
// pkg/workercli for this and the standalone nightshift-worker binary.
func WorkerCmd() *cobra.Command { return workercli.Cmd() }

// AnswerBadInputBriefly makes every command under root answer a flag it does
// not take, or the wrong arguments, with one line (see pkg/badinput).
func AnswerBadInputBriefly(root *cobra.Command) { badinput.AnswerBriefly(root) }
