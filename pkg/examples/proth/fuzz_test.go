package proth

import (
	"bytes"
	"context"
	"testing"
)

// FuzzProgramMatchesReference: for any params and item the program and the native
// reference agree, on the output bytes or on trapping.
func FuzzProgramMatchesReference(f *testing.F) {
	f.Add(uint64(1), uint64(0), Params{N: 12, KStart: 1, KPerItem: 4}.Encode())
	f.Add(uint64(7), uint64(3), Params{N: 100, KStart: 12345, KPerItem: 2}.Encode())
	f.Add(uint64(0), uint64(1), Params{N: 33, KStart: 3, KPerItem: 1}.Encode())
	f.Add(uint64(0), uint64(0), []byte{1, 2, 3})
	r := runner(f)
	f.Fuzz(func(t *testing.T, job, item uint64, raw []byte) {
		if p, err := DecodeParams(raw); err == nil && p.N > 300 {
			t.Skip("keeps each case fast; large n are covered by the table tests")
		}
		got, err := r.Run(context.Background(), job, item, raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		p, err := DecodeParams(raw)
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
