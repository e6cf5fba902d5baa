package cli

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nightshift-network/nightshift/pkg/programinputs"
	"github.com/nightshift-network/nightshift/x/compute/kinds"
	"github.com/nightshift-network/nightshift/x/compute/merkle"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

func TestJobInputsChecksTheDatasetAgainstTheJob(t *testing.T) {
	inputs := [][]byte{[]byte("a"), []byte("bb"), []byte("ccc")}
	root, err := merkle.InputRoot(inputs)
	require.NoError(t, err)
	spec := (&kinds.WasmSpec{Program: [32]byte{1}, FuelLimit: 10, MemoryPages: 1, MaxOutputBytes: 1,
		HasInputRoot: true, InputRoot: root, InputsURL: "http://h/v1/inputs/x"}).Encode()
	job := types.Job{Id: 4, Kind: kinds.WasmKindName, Spec: string(spec), Items: 3}

	// Named as post-program writes them: served from disk.
	named := t.TempDir()
	for i, in := range inputs {
		require.NoError(t, os.WriteFile(filepath.Join(named, programinputs.FileName(uint64(i))), in, 0o644))
	}
	// Any names: item i is the i-th by name.
	byName := t.TempDir()
	for i, name := range []string{"a.txt", "b.txt", "c.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(byName, name), inputs[i], 0o644))
	}
	for _, dir := range []string{named, byName} {
		srv, err := jobInputs(job, dir, io.Discard)
		require.NoError(t, err)
		require.Equal(t, root, srv.Root())
	}

	other := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(other, "x"), []byte("other"), 0o644))
	_, err = jobInputs(job, other, io.Discard)
	require.ErrorContains(t, err, "job 4 commits to")

	none, err := jobInputs(job, "", io.Discard)
	require.NoError(t, err)
	require.Nil(t, none, "without --inputs nothing is served (a warning is printed)")

	hashcash := types.Job{Id: 5, Kind: "hashcash", Spec: `{"difficulty_bits":4}`, Items: 3}
	_, err = jobInputs(hashcash, named, io.Discard)
	require.ErrorContains(t, err, "not a wasm job with inputs")
}
