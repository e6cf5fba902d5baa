package kinds

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

// FuzzRegistry parses any kind name and spec through the registry, as the
// keeper does when a job is posted, then checks an arbitrary output for the
// parsed spec, as validators do when a proof arrives. Nothing may panic, every
// error must wrap the package's sentinels (the keeper maps them onto registered
// errors), parsing must be deterministic, and a computed output must verify.
func FuzzRegistry(f *testing.F) {
	f.Add("hashcash", []byte(`{"difficulty_bits":4}`), uint64(10), uint64(1), uint64(3), []byte{0, 0, 0, 0, 0, 0, 0, 9})
	f.Add("hashcash", []byte(`{"difficulty_bits":1}`), uint64(1), uint64(0), uint64(1), []byte{})
	f.Add("hashcash", []byte(`{"difficulty_bits":14}`), uint64(3), ^uint64(0), uint64(2), make([]byte, 9))
	f.Add("hashcash", []byte(`{"difficulty_bits":4} `), uint64(10), uint64(1), uint64(3), []byte{})
	f.Add("mandelbrot", []byte(smallSpec), uint64(16), uint64(0), uint64(5), make([]byte, 32))
	f.Add("mandelbrot", []byte(smallSpec), uint64(16), uint64(0), uint64(15), make([]byte, 31))
	f.Add("mandelbrot", []byte(smallSpec), uint64(15), uint64(0), uint64(0), []byte{})
	f.Add("mandelbrot", []byte(`{"width":1,"height":1,"center_re":"-2","center_im":"0","scale":"0.5","max_iter":1}`), uint64(1), uint64(7), uint64(0), []byte{1, 0})
	f.Add("wasm", []byte(`{}`), uint64(1), uint64(0), uint64(0), []byte{})
	f.Add("", []byte{}, uint64(0), uint64(0), uint64(0), []byte{})
	r := DefaultRegistry()
	f.Fuzz(func(t *testing.T, kind string, spec []byte, items, jobID, index uint64, output []byte) {
		s, err := r.Parse(kind, spec, items)
		if err != nil {
			if s != nil {
				t.Fatalf("Parse returned a spec and an error: %v", err)
			}
			if unknown := !slices.Contains(r.Names(), kind); unknown != errors.Is(err, ErrUnknownKind) {
				t.Fatalf("kind %q: error %v", kind, err)
			}
			if !errors.Is(err, ErrUnknownKind) && !errors.Is(err, ErrInvalidSpec) {
				t.Fatalf("error %v wraps neither ErrUnknownKind nor ErrInvalidSpec", err)
			}
			return
		}
		if items == 0 {
			t.Fatalf("%s spec %q accepted for a job of no items", kind, spec)
		}
		if s.MaxWorkPerItem() == 0 {
			t.Fatalf("%s spec %q: no work bound per item", kind, spec)
		}
		again, err := r.Parse(kind, slices.Clone(spec), items)
		if err != nil || again.MaxWorkPerItem() != s.MaxWorkPerItem() {
			t.Fatalf("parsing %q twice differs: %v", spec, err)
		}
		// On chain a costly item is refused at post time (max_verify_gas_per_item);
		// here costly specs are only parsed, to keep executions fast.
		if s.MaxWorkPerItem() > 1<<16 {
			return
		}
		item := Item{JobID: jobID, Index: index}
		work, err := s.VerifyOutput(item, output)
		if work > s.MaxWorkPerItem() {
			t.Fatalf("verification measured %d units, above the bound %d", work, s.MaxWorkPerItem())
		}
		if index >= items {
			if !errors.Is(err, ErrItemOutOfRange) {
				t.Fatalf("item %d of %d: error %v, want ErrItemOutOfRange", index, items, err)
			}
			return
		}
		if err != nil && !errors.Is(err, ErrInvalidOutput) {
			t.Fatalf("error %v does not wrap ErrInvalidOutput", err)
		}
		good, cwork, cerr := s.ComputeOutput(item)
		if cerr != nil {
			t.Fatalf("ComputeOutput(%d, %d): %v", jobID, index, cerr)
		}
		vwork, verr := s.VerifyOutput(item, good)
		if verr != nil {
			t.Fatalf("computed output %x does not verify: %v", good, verr)
		}
		// The worker's measure is the validators': both are what emission is
		// split by and what gas the proof pays.
		if cwork != vwork || vwork == 0 || vwork > s.MaxWorkPerItem() {
			t.Fatalf("worker measured %d units, validators %d (bound %d)", cwork, vwork, s.MaxWorkPerItem())
		}
		if bytes.Equal(output, good) && err != nil {
			t.Fatalf("the computed output was rejected: %v", err)
		}
	})
}
