package montecarlo

import (
	"bytes"
	"context"
	"testing"
)

// FuzzProgramMatchesReference: for any params and item the program and the native
// reference agree, on the output bytes or on trapping (wrapping prices included:
// the arithmetic is modular on both sides).
func FuzzProgramMatchesReference(f *testing.F) {
	f.Add(uint64(1), uint64(0), option(f, European, 10, 3).Encode())
	f.Add(uint64(9), uint64(5), option(f, Asian, 70, 2).Encode())
	f.Add(uint64(0), uint64(0), Params{Spot: ^uint64(0), Strike: 1, Up: ^uint64(0), Down: 3, Discount: ^uint64(0), Steps: 65, PathsPerItem: 2, Style: Asian}.Encode())
	f.Add(uint64(0), uint64(0), []byte{0})
	r := runner(f)
	f.Fuzz(func(t *testing.T, job, item uint64, raw []byte) {
		p, err := DecodeParams(raw)
		if err == nil && uint64(p.Steps)*uint64(p.PathsPerItem) > 1<<16 {
			t.Skip("keeps each case fast")
		}
		got, rerr := r.Run(context.Background(), job, item, raw, nil)
		if rerr != nil {
			t.Fatal(rerr)
		}
		want, ok := Reference(job, item, p)
		if err != nil || !ok {
			if !bytes.Equal(got, []byte{0x01, 0x05}) {
				t.Fatalf("the reference refuses, the program recorded %x", got)
			}
			return
		}
		if !bytes.Equal(got, append([]byte{0}, want...)) {
			t.Fatalf("program %x, reference 0x00%x", got, want)
		}
	})
}
