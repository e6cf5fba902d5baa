package programjob

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/nightshift-network/nightshift/pkg/examples/catalog"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
)

// ReadInputDir reads a dataset directory: item i's input is the i-th regular
// file by name (so 00000000.bin, 00000001.bin, … as tiles.WriteInputs writes
// them). Subdirectories and dot files are ignored; an input over maxBytes
// (the chain's max_item_input_bytes; 0 for no cap) is refused, since no proof
// could carry it.
func ReadInputDir(dir string, maxBytes uint32) ([][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name()[0] != '.' {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("%s holds no input files", dir)
	}
	inputs := make([][]byte, len(names))
	for i, name := range names {
		if inputs[i], err = os.ReadFile(filepath.Join(dir, name)); err != nil {
			return nil, err
		}
	}
	return inputs, CheckInputSizes(inputs, maxBytes)
}

// CheckInputSizes refuses an input over maxBytes (0: no cap).
func CheckInputSizes(inputs [][]byte, maxBytes uint32) error {
	if maxBytes == 0 {
		return nil
	}
	for i, in := range inputs {
		if uint64(len(in)) > uint64(maxBytes) {
			return fmt.Errorf("input of item %d is %d bytes; the chain allows %d per item (max_item_input_bytes)", i, len(in), maxBytes)
		}
	}
	return nil
}

// SplitInputFile cuts one file into per-item inputs with the example's own
// split (tiles: an image into tiles of piece×piece pixels).
func SplitInputFile(ex *catalog.Program, path string, piece int) ([][]byte, error) {
	if ex == nil || ex.SplitInputs == nil {
		return nil, fmt.Errorf("%s is a file, and only an example that takes data (tiles) knows how to split one; give a directory with one file per item", path)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ex.SplitInputs(file, piece)
}

// Dataset is a job's inputs with their input root.
type Dataset struct {
	Inputs [][]byte
	Root   [32]byte
}

// NewDataset computes the input root of inputs (merkle.InputRoot, what the
// chain and the workers check every input against).
func NewDataset(inputs [][]byte) (Dataset, error) {
	root, err := merkle.InputRoot(inputs)
	if err != nil {
		return Dataset{}, err
	}
	return Dataset{Inputs: inputs, Root: root}, nil
}

// ReadDataset reads a dataset directory (ReadInputDir) with its root.
func ReadDataset(dir string, maxBytes uint32) (Dataset, error) {
	inputs, err := ReadInputDir(dir, maxBytes)
	if err != nil {
		return Dataset{}, err
	}
	return NewDataset(inputs)
}
