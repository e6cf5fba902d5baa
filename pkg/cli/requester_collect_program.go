package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/nightshift-network/nightshift/pkg/collector"
	"github.com/nightshift-network/nightshift/pkg/programinputs"
	"github.com/nightshift-network/nightshift/pkg/programjob"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// jobInputs loads the dataset collect serves for a wasm job with an input
// root, refusing one whose root is not the job's: workers would refuse every
// input of it.
func jobInputs(job types.Job, dir string, errOut io.Writer) (*programinputs.Server, error) {
	var spec *kinds.WasmSpec
	if job.Kind == kinds.WasmKindName {
		spec, _ = kinds.ParseWasmSpec([]byte(job.Spec), job.Items)
	}
	needs := spec != nil && spec.HasInputRoot
	if dir == "" {
		if needs {
			fmt.Fprintf(errOut, "Warning: job %d's items have inputs (root %x, served at %s); without --%s this collector does not serve them.\n",
				job.Id, spec.InputRoot, spec.InputsURL, flagInputs)
		}
		return nil, nil
	}
	if !needs {
		return nil, fmt.Errorf("--%s: job %d is not a wasm job with inputs", flagInputs, job.Id)
	}
	srv, err := inputsServer(dir)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flagInputs, err)
	}
	if root := srv.Root(); root != spec.InputRoot {
		return nil, fmt.Errorf("--%s %s: its %d inputs have root %x, job %d commits to %x", flagInputs, dir, srv.Items(), root, job.Id, spec.InputRoot)
	}
	fmt.Fprintf(errOut, "Serving %d inputs of root %x from %s at %s/ITEM.\n", srv.Items(), spec.InputRoot, dir, collector.InputsPath(spec.InputRoot))
	return srv, nil
}

// inputsServer serves dir: from disk when it is named as tiles.WriteInputs
// and post-program --inputs-out write it (00000000.bin, … with no gap; only
// the tree is kept in memory), else every file by name order, held in memory.
func inputsServer(dir string) (*programinputs.Server, error) {
	if srv, err := programinputs.NewDirServer(dir); err == nil {
		return srv, nil
	}
	ds, err := programjob.ReadDataset(dir, 0)
	if err != nil {
		return nil, err
	}
	return programinputs.NewServer(ds.Inputs)
}

// collectedFiles lists the result files a collector may have written to
// outDir: the fixed ones, then an example program's (named in ItemsFile).
func collectedFiles(outDir string) []string {
	names := []string{collector.RenderFile, collector.NoncesFile, collector.OutputsFile, collector.JobFile,
		collector.MissingFile, collector.ItemsFile, collector.ProgramOutputsDir}
	bz, err := os.ReadFile(filepath.Join(outDir, collector.ItemsFile))
	if err == nil {
		var sum struct {
			Files []string `json:"files"`
		}
		if json.Unmarshal(bz, &sum) == nil {
			names = append(names, sum.Files...)
		}
	}
	return names
}
