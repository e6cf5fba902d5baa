package kinds

import "testing"

// Work is measured (design note G1): a row credits the iterations it ran, not
// W × max_iter, and the worker's measure is the validators'.
func TestMandelbrotWorkIsMeasured(t *testing.T) {
	for _, tc := range []struct {
		name, spec string
		want       func(s *MandelbrotSpec) uint64
	}{
		// Every pixel outside |c| <= 2: no iteration runs, only the per-pixel part
		// is work — the farming view of issue #14, attack 2.
		{"outside the disc", `{"width":64,"height":4,"center_re":"3.5","center_im":"3.5","scale":"0.5","max_iter":65535}`,
			func(s *MandelbrotSpec) uint64 { return MandelbrotBaseWork + 64*MandelbrotWorkPerPixel }},
		// Every pixel inside the set: every pixel runs max_iter, the bound.
		{"inside the set", `{"width":8,"height":4,"center_re":"-0.1","center_im":"0","scale":"0.1","max_iter":500}`,
			func(s *MandelbrotSpec) uint64 { return s.MaxWorkPerItem() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustMandelbrot(t, tc.spec)
			for y := range uint64(s.Height()) {
				item := Item{JobID: 3, Index: y}
				out, cw, err := s.ComputeOutput(item)
				if err != nil {
					t.Fatal(err)
				}
				vw, err := s.VerifyOutput(item, out)
				if err != nil {
					t.Fatal(err)
				}
				if cw != vw || vw != tc.want(s) {
					t.Fatalf("row %d: worker %d, validators %d units, want %d", y, cw, vw, tc.want(s))
				}
			}
		})
	}
	// A partly escaping view lands strictly between: the sum of its escape counts.
	s := mustMandelbrot(t, smallSpec)
	out, work, err := s.ComputeOutput(Item{Index: 8})
	if err != nil {
		t.Fatal(err)
	}
	var iters uint64
	for x := range s.Width() {
		iters += uint64(out[2*x]) | uint64(out[2*x+1])<<8
	}
	if want := s.rowWork(iters); work != want || work >= s.MaxWorkPerItem() || work <= s.rowWork(0) {
		t.Fatalf("row 8: %d units, want %d, strictly between %d and %d", work, want, s.rowWork(0), s.MaxWorkPerItem())
	}
	// A wrong output is charged the recomputation it took to refuse it; one of the
	// wrong length is refused before any.
	bad := append([]byte(nil), out...)
	bad[0] ^= 1
	if w, err := s.VerifyOutput(Item{Index: 8}, bad); err == nil || w != work {
		t.Fatalf("wrong row: %d units, %v; want %d and an error", w, err, work)
	}
	if w, err := s.VerifyOutput(Item{Index: 8}, out[:3]); err == nil || w != 0 {
		t.Fatalf("short row: %d units, %v", w, err)
	}
}

// A hashcash check is one hash at any difficulty; the worker's search is not
// work validators see, so it is not credited.
func TestHashcashWorkIsOneHash(t *testing.T) {
	for _, d := range []string{"1", "12"} {
		s := mustHashcash(t, `{"difficulty_bits":`+d+`}`, 4)
		item := Item{JobID: 9, Index: 2}
		out, cw, err := s.ComputeOutput(item)
		if err != nil {
			t.Fatal(err)
		}
		vw, err := s.VerifyOutput(item, out)
		if err != nil || cw != HashcashWork || vw != HashcashWork {
			t.Fatalf("difficulty %s: worker %d, validators %d units (%v), want %d", d, cw, vw, err, HashcashWork)
		}
		if w, err := s.VerifyOutput(item, out[:4]); err == nil || w != 0 {
			t.Fatalf("short nonce: %d units, %v", w, err)
		}
	}
}
