// Command nightshift-worker is the contributor's worker on its own: start,
// status, bench, service, keys and version, without the node.
package main

import (
	"fmt"
	"os"

	"github.com/nightshift-network/nightshift/cmd/nightshift-worker/cmd"
)

func main() {
	root := cmd.NewRootCmd()
	if err := cmd.Execute(root); err != nil {
		fmt.Fprintln(root.ErrOrStderr(), err)
		os.Exit(1)
	}
}
