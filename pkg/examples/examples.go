// Package examples holds the example programs that ship with Nightshift, written
// against Program ABI v1 (x/compute README, "Programs"): proth (a Proth-prime
// search), montecarlo (option pricing by simulation) and tiles (an image filter over
// an input dataset). Each subpackage embeds its built .wasm, encodes its params,
// implements the same function natively in Go (the tests' oracle and the benchmark's
// baseline) and reduces the recorded per-item outputs into the requester's result.
package examples

import "fmt"

// Recorded-output status bytes and trap codes of Program ABI v1.
const (
	StatusOK   = 0x00
	StatusTrap = 0x01

	TrapFuel      = 0x01
	TrapCallDepth = 0x02
	TrapMemory    = 0x03
	TrapOutput    = 0x04
	TrapOther     = 0x05
)

// Tally is what a reducer saw besides usable outputs: items it did not get and
// items whose recorded output is a trap (with the trap code).
type Tally struct {
	Missing []uint64
	Trapped map[uint64]byte
}

// Complete reports that every item had a usable output.
func (t Tally) Complete() bool { return len(t.Missing) == 0 && len(t.Trapped) == 0 }

// Payloads strips the ABI status byte from each item's recorded output. A nil entry
// is a missing item; a trap or a malformed record is tallied and its payload is nil.
func Payloads(recorded [][]byte) ([][]byte, Tally, error) {
	out := make([][]byte, len(recorded))
	tally := Tally{Trapped: map[uint64]byte{}}
	for i, rec := range recorded {
		item := uint64(i)
		switch {
		case rec == nil:
			tally.Missing = append(tally.Missing, item)
		case len(rec) >= 1 && rec[0] == StatusOK:
			out[i] = rec[1:]
		case len(rec) == 2 && rec[0] == StatusTrap:
			tally.Trapped[item] = rec[1]
		default:
			return nil, tally, fmt.Errorf("item %d: recorded output %x is neither 0x00||output nor 0x01||code", item, rec)
		}
	}
	return out, tally, nil
}
