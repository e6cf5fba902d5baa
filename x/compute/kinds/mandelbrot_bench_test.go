package kinds

import (
	"encoding/binary"
	"math/bits"
	"testing"
)

func BenchmarkMandelbrotRow(b *testing.B) {
	var spec Spec
	spec, err := Mandelbrot{}.Parse([]byte(benchSpec), 256)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	y := uint64(0)
	for b.Loop() {
		if _, err := computeOut(spec, 1, y); err != nil {
			b.Fatal(err)
		}
		y = (y + 1) % 256
	}
}

// BenchmarkMandelbrotBareLoop is BenchmarkMandelbrotRow's arithmetic written out
// inline, without the spec, the interface or the output allocation: the baseline
// the kernel is measured against.
func BenchmarkMandelbrotBareLoop(b *testing.B) {
	s := mustMandelbrot(b, benchSpec)
	const w, h, m = 256, 256, 1000
	centerRe, centerIm, px := s.centerRe, s.centerIm, s.pixel
	dst := make([]byte, 2*w)
	y := 0
	for b.Loop() {
		ci := centerIm + (int64(h-1-2*y)*px)>>1
		for x := 0; x < w; x++ {
			cr := centerRe + (int64(2*x+1-w)*px)>>1
			n := uint32(1)
			if -fpTwo <= cr && cr <= fpTwo && -fpTwo <= ci && ci <= fpTwo {
				var zr, zi int64
				for n = 0; n < m; n++ {
					if uint64(zr+fpTwo) > uint64(2*fpTwo) || uint64(zi+fpTwo) > uint64(2*fpTwo) {
						break
					}
					sr, si := zr>>63, zi>>63
					hi, lo := bits.Mul64(uint64(zr), uint64(zr))
					hi -= uint64(sr & (2 * zr))
					rr := hi<<(64-fpFracBits) | lo>>fpFracBits
					hi, lo = bits.Mul64(uint64(zi), uint64(zi))
					hi -= uint64(si & (2 * zi))
					ii := hi<<(64-fpFracBits) | lo>>fpFracBits
					if rr+ii > fpFour {
						break
					}
					hi, lo = bits.Mul64(uint64(zr), uint64(zi))
					hi -= uint64(sr&zi + si&zr)
					zi = int64(hi<<(65-fpFracBits)|lo>>(fpFracBits-1)) + ci
					zr = int64(rr) - int64(ii) + cr
				}
			}
			binary.LittleEndian.PutUint16(dst[2*x:], uint16(n))
		}
		y = (y + 1) % h
	}
}

// BenchmarkMandelbrotInteriorRow renders a row of 256 pixels that all stay in the
// set for 1,000 iterations: ns/op ÷ 256,000 is the cost of one iteration, which
// MandelbrotWorkPerIter is set from.
func BenchmarkMandelbrotInteriorRow(b *testing.B) {
	s := mustMandelbrot(b, `{"width":256,"height":1,"center_re":"-0.1","center_im":"0","scale":"0.1","max_iter":1000}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := computeOut(s, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMandelbrotVerifyOutput(b *testing.B) {
	s := mustMandelbrot(b, benchSpec)
	out, _ := computeOut(s, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		if err := verifyOut(s, 0, 128, out); err != nil {
			b.Fatal(err)
		}
	}
}
