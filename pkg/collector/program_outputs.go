package collector

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/nightshift-network/nightshift/pkg/atomicfile"
	"github.com/nightshift-network/nightshift/pkg/examples/catalog"
	"github.com/nightshift-network/nightshift/pkg/programinputs"
	"github.com/nightshift-network/nightshift/pkg/programjob"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
)

// Files of a wasm job's results.
const (
	// ProgramOutputsDir holds one file per collected item, named like an
	// inputs directory (00000000.bin, …), holding the item's recorded output
	// as the Merkle leaf commits to it: 0x00 ‖ the program's output, or
	// 0x01 ‖ trap code.
	ProgramOutputsDir = "outputs"
	// ItemsFile sums the items up: how many succeeded, which trapped (with the
	// trap named) and which are missing.
	ItemsFile = "items.json"
)

// itemsSummary is ItemsFile.
type itemsSummary struct {
	Program string `json:"program"`
	// Example is the example program's name when the program is one; its
	// assembled result is then in Files.
	Example   string            `json:"example,omitempty"`
	Items     uint64            `json:"items"`
	Succeeded uint64            `json:"succeeded"`
	Trapped   map[string]string `json:"trapped"`
	Missing   []uint64          `json:"missing"`
	Files     []string          `json:"files,omitempty"`
}

// writeProgramResults writes a wasm job's per-item outputs, ItemsFile and,
// for an example program, the example's own result (catalog.WriteResult).
func (c *Collector) writeProgramResults(spec []byte, outputs [][]byte) error {
	s, err := kinds.ParseWasmSpec(spec, uint64(len(outputs)))
	if err != nil {
		return fmt.Errorf("wasm spec: %w", err)
	}
	dir := filepath.Join(c.cfg.OutDir, ProgramOutputsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sum := itemsSummary{Program: hex.EncodeToString(s.Program[:]), Items: uint64(len(outputs)), Trapped: map[string]string{}, Missing: []uint64{}}
	for i, out := range outputs {
		item := uint64(i)
		if out == nil {
			sum.Missing = append(sum.Missing, item)
			continue
		}
		if err := atomicfile.WriteBytes(filepath.Join(dir, programinputs.FileName(item)), 0o644, out); err != nil {
			return err
		}
		if code, trapped := programjob.Trap(out); trapped {
			sum.Trapped[strconv.FormatUint(item, 10)] = programjob.TrapName(code)
		} else {
			sum.Succeeded++
		}
	}
	var exampleErr error
	if ex, ok := catalog.ByID(s.Program); ok {
		sum.Example = ex.Name
		files, _, err := ex.WriteResult(c.cfg.OutDir, s.Params, outputs)
		if err != nil {
			exampleErr = fmt.Errorf("%s result: %w", ex.Name, err)
		}
		sum.Files = files
	}
	if err := writeJSON(filepath.Join(c.cfg.OutDir, ItemsFile), sum); err != nil {
		return err
	}
	return exampleErr
}
