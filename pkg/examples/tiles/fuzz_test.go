package tiles

import (
	"bytes"
	"context"
	"testing"
)

// FuzzProgramMatchesReference: for any params and input the program and the native
// reference agree, on the output bytes or on trapping.
func FuzzProgramMatchesReference(f *testing.F) {
	tile := append([]byte{1, 0, 2, 0, 3, 0, 2, 0}, bytes.Repeat([]byte{9, 200, 3, 77}, 5)...)
	f.Add(uint32(0), tile)
	f.Add(uint32(1), tile)
	f.Add(uint32(2), tile[:20])
	f.Add(uint32(3), tile)
	r := runner(f)
	f.Fuzz(func(t *testing.T, filter uint32, input []byte) {
		raw := Params{Filter: Filter(filter)}.Encode()
		got, err := r.Run(context.Background(), 1, 0, raw, input)
		if err != nil {
			t.Fatal(err)
		}
		want, ok := Reference(Params{Filter: Filter(filter)}, input)
		if !ok {
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
