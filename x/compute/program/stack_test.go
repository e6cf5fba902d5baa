package program

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// recursionModule builds a program whose nightshift_run calls rec(depth) with depth
// read from the input; rec keeps `live` values on the operand stack across its
// recursive call, so every frame really holds them (spilled by the compiler).
func recursionModule(live int) []byte {
	rec := []byte{}
	for i := 0; i < live; i++ {
		rec = append(rec, opLocalGet, 0)
	}
	// if n == 0 { 0 } else { rec(n-1) + 1 }
	rec = append(rec, opLocalGet, 0, 0x45, opIf, valI32, opI32Const, 0, opElse,
		opLocalGet, 0, opI32Const, 1, 0x6b, opCall, 2, opI32Const, 1, opI32Add, opEnd)
	for i := 0; i < live; i++ {
		rec = append(rec, opI32Add)
	}
	rec = append(rec, opEnd)
	m := &module{
		types:    []funcType{sigAlloc, sigRun},
		funcs:    []uint32{0, 1, 0},
		memories: []limits{{min: 1}},
		exports: []export{{name: exportMemory, kind: extMemory}, {name: exportAlloc, kind: extFunc, index: 0},
			{name: exportRun, kind: extFunc, index: 1}},
		codes: []code{
			{body: []byte{opI32Const, 0x80, 0x01, opEnd}}, // alloc: 128
			// store rec(load(input_ptr)) at 0, output 4 bytes at 0
			{body: []byte{opI32Const, 0, opLocalGet, 4, 0x28, 2, 0, opCall, 2, 0x36, 2, 0, opI64Const, 4, opEnd}},
			{body: rec},
		},
	}
	return m.encode()
}

// Frames are bounded by MaxCallDepth and MaxStackSlots, never by the native stack:
// the deepest allowed recursion with large frames completes on both engines, and a
// recursion whose frames pass the slot budget traps with TrapCallDepth, not a host error.
func TestRecursionStackBudget(t *testing.T) {
	cases := []struct {
		name  string
		live  int
		depth uint32
		ok    bool
	}{
		{"max depth, 990 live values per frame", 990, MaxCallDepth - 2, true},
		{"one call too deep", 990, MaxCallDepth - 1, false},
		{"5000 live values, 100 deep", 5000, 100, true},
		{"5000 live values, 400 deep: over the slot budget", 5000, 400, false},
	}
	for _, name := range engineNames {
		e := engines(t)[name]
		for _, tc := range cases {
			code := recursionModule(tc.live)
			if _, err := Validate(code, Limits{}); err != nil {
				t.Fatal(err)
			}
			c := defaultCall()
			c.Input = binary.LittleEndian.AppendUint32(nil, tc.depth)
			c.FuelLimit = 1 << 40
			res := mustRun(t, e, code, c)
			want := []byte{1, TrapCallDepth}
			if tc.ok {
				want = append([]byte{0}, binary.LittleEndian.AppendUint32(nil, recValue(tc.live, tc.depth))...)
			}
			if !bytes.Equal(res.Output, want) {
				t.Errorf("%s %s: output %x, want %x", name, tc.name, res.Output, want)
			}
		}
	}
}

// recValue is what rec computes: rec(0) = 0, rec(n) = rec(n-1) + 1 + live·n (mod 2^32).
func recValue(live int, n uint32) uint32 {
	v := uint32(0)
	for k := uint32(1); k <= n; k++ {
		v += 1 + uint32(live)*k
	}
	return v
}
