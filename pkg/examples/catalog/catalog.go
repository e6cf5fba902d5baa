// Package catalog lists the example programs by name for the requester commands:
// each one's code, its params check and the files its collected outputs become.
package catalog

import (
	"encoding/json"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"sort"

	"github.com/nightshift-network/nightshift/pkg/atomicfile"
	"github.com/nightshift-network/nightshift/pkg/examples"
	"github.com/nightshift-network/nightshift/pkg/examples/montecarlo"
	"github.com/nightshift-network/nightshift/pkg/examples/proth"
	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
)

// Program is one example program.
type Program struct {
	Name string
	Wasm []byte
	// CheckParams refuses params (and an item count) whose items would trap.
	CheckParams func(params []byte, items uint64) error
	// WriteResult reduces the job's recorded outputs (item-indexed, nil when missing)
	// into files in dir and returns their names and what was missing or trapped.
	WriteResult func(dir string, params []byte, recorded [][]byte) ([]string, examples.Tally, error)
	// SplitInputs, for an example that takes data, cuts one file into the job's
	// per-item inputs; piece is the example's unit (tiles: the tile side).
	// Nil for the examples whose items take no input.
	SplitInputs func(file []byte, piece int) ([][]byte, error)
}

// Programs are the examples, by name.
var Programs = map[string]Program{
	"proth":      {Name: "proth", Wasm: proth.Wasm, CheckParams: checkProth, WriteResult: writeProth},
	"montecarlo": {Name: "montecarlo", Wasm: montecarlo.Wasm, CheckParams: checkMonteCarlo, WriteResult: writeMonteCarlo},
	"tiles":      {Name: "tiles", Wasm: tiles.Wasm, CheckParams: checkTiles, WriteResult: writeTiles, SplitInputs: SplitTiles},
}

// Names lists the programs in order.
func Names() []string {
	names := make([]string, 0, len(Programs))
	for n := range Programs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func checkProth(raw []byte, items uint64) error {
	p, err := proth.DecodeParams(raw)
	if err != nil {
		return err
	}
	return p.Check(items)
}

func checkMonteCarlo(raw []byte, _ uint64) error {
	p, err := montecarlo.DecodeParams(raw)
	if err != nil {
		return err
	}
	return p.Check()
}

func checkTiles(raw []byte, _ uint64) error {
	_, err := tiles.DecodeParams(raw)
	return err
}

// tallyJSON is the part of every result file that says what was not reduced.
type tallyJSON struct {
	Missing []uint64        `json:"missing,omitempty"`
	Trapped map[string]byte `json:"trapped,omitempty"` // item -> ABI trap code
}

func tallyOf(t examples.Tally) tallyJSON {
	j := tallyJSON{Missing: t.Missing}
	if len(t.Trapped) > 0 {
		j.Trapped = map[string]byte{}
		for item, code := range t.Trapped {
			j.Trapped[fmt.Sprint(item)] = code
		}
	}
	return j
}

func writeJSON(path string, v any) error {
	bz, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, 0o644, append(bz, '\n'))
}

func writeProth(dir string, raw []byte, recorded [][]byte) ([]string, examples.Tally, error) {
	p, err := proth.DecodeParams(raw)
	if err != nil {
		return nil, examples.Tally{}, err
	}
	s, err := proth.Reduce(p, recorded)
	if err != nil {
		return nil, examples.Tally{}, err
	}
	out := struct {
		N         uint32   `json:"n"`
		Tested    uint64   `json:"tested"`
		Undecided uint64   `json:"undecided"`
		K         []uint64 `json:"k"`
		Primes    []string `json:"primes"`
		tallyJSON
	}{s.N, s.Tested, s.Undecided, s.Ks, s.Primes(), tallyOf(s.Tally)}
	if out.K == nil {
		out.K, out.Primes = []uint64{}, []string{}
	}
	return []string{"primes.json"}, s.Tally, writeJSON(filepath.Join(dir, "primes.json"), out)
}

func writeMonteCarlo(dir string, raw []byte, recorded [][]byte) ([]string, examples.Tally, error) {
	p, err := montecarlo.DecodeParams(raw)
	if err != nil {
		return nil, examples.Tally{}, err
	}
	e, err := montecarlo.Reduce(p, recorded)
	if err != nil {
		return nil, examples.Tally{}, err
	}
	out := struct {
		Paths  uint64  `json:"paths"`
		Price  float64 `json:"price"`
		StdErr float64 `json:"std_err"`
		tallyJSON
	}{e.Paths, e.Price, e.StdErr, tallyOf(e.Tally)}
	return []string{"estimate.json"}, e.Tally, writeJSON(filepath.Join(dir, "estimate.json"), out)
}

func writeTiles(dir string, raw []byte, recorded [][]byte) ([]string, examples.Tally, error) {
	if _, err := tiles.DecodeParams(raw); err != nil {
		return nil, examples.Tally{}, err
	}
	l, err := tiles.InferLayout(recorded)
	if err != nil {
		return nil, examples.Tally{}, err
	}
	img, tally, err := tiles.Assemble(l, recorded)
	if err != nil {
		return nil, tally, err
	}
	files := []string{"image.png"}
	if err := writePNG(filepath.Join(dir, "image.png"), img); err != nil {
		return nil, tally, err
	}
	if !tally.Complete() {
		files = append(files, "missing-tiles.json")
		if err := writeJSON(filepath.Join(dir, "missing-tiles.json"), tallyOf(tally)); err != nil {
			return nil, tally, err
		}
	}
	return files, tally, nil
}

func writePNG(path string, img image.Image) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error { return tiles.EncodePNG(w, img) })
}
