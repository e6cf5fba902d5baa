package kinds

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Mandelbrot spec bounds and costs.
const (
	// MandelbrotMaxWidth and MandelbrotMaxHeight bound the image in pixels.
	MandelbrotMaxWidth  = 4096
	MandelbrotMaxHeight = 4096
	// MandelbrotMaxIter bounds max_iter so escape counts fit in a uint16.
	MandelbrotMaxIter = 65535
	// MandelbrotFracBits is the number of fractional bits of the fixed-point
	// numbers the kernel computes with (see Mandelbrot).
	MandelbrotFracBits = 59
	// Work of one row, in units of about 1.5 ns of validator CPU on the bench
	// machine (BenchmarkWorkCalibration checks all three):
	//
	//	work = MandelbrotBaseWork + W × MandelbrotWorkPerPixel + n × MandelbrotWorkPerIter
	//
	// where n is the kernel iterations actually run over the row's pixels: a
	// pixel outside |c_re|, |c_im| <= 2 runs none, so a view outside the disc
	// earns (and costs) only its per-pixel part, not W × max_iter.
	//
	// MandelbrotBaseWork covers a row's fixed costs (the output buffer, the row's
	// c_im), MandelbrotWorkPerPixel a pixel's set-up, store and comparison.
	MandelbrotBaseWork     = 200
	MandelbrotWorkPerPixel = 8
	// MandelbrotWorkPerIter prices one kernel iteration, about 4.5 ns
	// (BenchmarkMandelbrotInteriorRow: ns/op ÷ 256,000).
	MandelbrotWorkPerIter = 3
)

// Fixed-point constants: a number v is stored as the int64 ⌊v·2^59⌋.
const (
	fpFracBits = MandelbrotFracBits
	fpOne      = int64(1) << fpFracBits
	fpTwo      = 2 * fpOne
	fpFour     = uint64(4 * fpOne)
	// fpFar is a magnitude past which a coordinate offset puts c outside
	// |c_im| <= 2 (|center| <= 4), while center + fpFar still fits in an int64.
	fpFar = 7 * fpOne
)

// Mandelbrot renders a W×H view of the Mandelbrot set; item y is row y (0 is the
// top) and its output is W little-endian uint16 escape counts. Spec:
//
//	{"width":W,"height":H,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":M}
//
// with 1 <= W, H <= 4096, 1 <= M <= 65535, a job of exactly H items, and decimal
// strings ([-]digits[.up to 18 digits]) for the centre (|center| <= 4) and the
// scale, the width of the view on the real axis (0 < scale <= 8).
//
// Arithmetic is exact integer fixed point with F = 59 fractional bits, never
// floating point, so every architecture produces the same bits. Every rounding is
// toward −∞ (⌊·⌋, an arithmetic right shift). A real v from the spec is ⌊v·2^F⌋;
// then
//
//	px      = ⌊scale·2^F / W⌋                   (pixel size; must be >= 1)
//	c_re(x) = center_re + ⌊(2x + 1 − W)·px / 2⌋  (pixel centres, x = 0..W−1)
//	c_im(y) = center_im + ⌊(H − 1 − 2y)·px / 2⌋  (y = 0 is the top row)
//	z_0 = 0,  z_{n+1} = (a_n² − b_n² + c_re,  2·a_n·b_n + c_im)  for z_n = (a_n, b_n)
//
// where the product of two fixed-point numbers is ⌊p / 2^F⌋ of their exact integer
// product p (so 2·a·b is ⌊2ab / 2^F⌋). The escape count of a pixel is the first
// n < M with a_n² + b_n² > 4 (squares rounded as above), or M if there is none.
//
// Implementation bounds (not part of the definition): a component above 2 in
// magnitude already implies escape, so the kernel tests |a|, |b| <= 2 first, and
// a pixel with |c_re| > 2 or |c_im| > 2 escapes at n = 1 without iterating. Then
// every intermediate of the iteration is below 8 in magnitude, and coordinates
// before that test below 11, so all fit an int64 with F = 59 (range ±16).
// 2^-59 ≈ 1.7e-18 is finer than an IEEE double near the set (2.2e-16 at
// |c| = 1), so zooms go deeper than a double-precision renderer's.
type Mandelbrot struct{}

// Name returns "mandelbrot".
func (Mandelbrot) Name() string { return "mandelbrot" }

// Parse implements Kind.
func (Mandelbrot) Parse(spec []byte, items uint64) (Spec, error) {
	s, err := ParseMandelbrotSpec(spec, items)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// MandelbrotSpec is a parsed mandelbrot spec.
type MandelbrotSpec struct {
	width, height, maxIter uint32
	centerRe, centerIm     int64 // fixed point
	pixel                  int64 // px: pixel size in fixed point, >= 1
}

// ParseMandelbrotSpec parses a mandelbrot spec for a job of items items.
func ParseMandelbrotSpec(spec []byte, items uint64) (*MandelbrotSpec, error) {
	var (
		width, height, maxIter uint64
		centerRe, centerIm     string
		scale                  string
	)
	err := decodeSpec("mandelbrot", spec, []specField{
		{name: "width", uint: &width},
		{name: "height", uint: &height},
		{name: "center_re", str: &centerRe},
		{name: "center_im", str: &centerIm},
		{name: "scale", str: &scale},
		{name: "max_iter", uint: &maxIter},
	})
	if err != nil {
		return nil, err
	}
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: mandelbrot: %s", ErrInvalidSpec, fmt.Sprintf(format, args...))
	}
	switch {
	case width < 1 || width > MandelbrotMaxWidth:
		return nil, invalid("width %d out of range [1, %d]", width, MandelbrotMaxWidth)
	case height < 1 || height > MandelbrotMaxHeight:
		return nil, invalid("height %d out of range [1, %d]", height, MandelbrotMaxHeight)
	case maxIter < 1 || maxIter > MandelbrotMaxIter:
		return nil, invalid("max_iter %d out of range [1, %d]", maxIter, MandelbrotMaxIter)
	case items != height:
		return nil, invalid("a job has one item per row: %d items for height %d", items, height)
	}
	re, err := parseDecimal(centerRe)
	if err != nil {
		return nil, invalid("center_re: %v", err)
	}
	im, err := parseDecimal(centerIm)
	if err != nil {
		return nil, invalid("center_im: %v", err)
	}
	sc, err := parseDecimal(scale)
	if err != nil {
		return nil, invalid("scale: %v", err)
	}
	if !re.magnitudeAtMost(4) {
		return nil, invalid("center_re %q out of range [-4, 4]", centerRe)
	}
	if !im.magnitudeAtMost(4) {
		return nil, invalid("center_im %q out of range [-4, 4]", centerIm)
	}
	if sc.neg || sc.isZero() || !sc.magnitudeAtMost(8) {
		return nil, invalid("scale %q out of range (0, 8]", scale)
	}
	px := sc.fixed(fpFracBits) / int64(width)
	if px < 1 {
		return nil, invalid("scale %q is below the resolution for width %d (pixel size < 2^-%d)", scale, width, fpFracBits)
	}
	return &MandelbrotSpec{
		width:    uint32(width),
		height:   uint32(height),
		maxIter:  uint32(maxIter),
		centerRe: re.fixed(fpFracBits),
		centerIm: im.fixed(fpFracBits),
		pixel:    px,
	}, nil
}

// Width returns the image width in pixels.
func (s *MandelbrotSpec) Width() int { return int(s.width) }

// Height returns the image height in pixels, which is the job's item count.
func (s *MandelbrotSpec) Height() int { return int(s.height) }

// MaxIter returns the iteration limit, the escape count of pixels in the set.
func (s *MandelbrotSpec) MaxIter() int { return int(s.maxIter) }

// OutputSize returns the length of one row's output: 2 bytes per pixel.
func (s *MandelbrotSpec) OutputSize() int { return 2 * int(s.width) }

// MaxWorkPerItem is the work of a row whose every pixel runs max_iter iterations.
// It fits a uint64 easily: at most 200 + 4096 × (8 + 3 × 65535) < 2^30.
func (s *MandelbrotSpec) MaxWorkPerItem() uint64 {
	return s.rowWork(uint64(s.width) * uint64(s.maxIter))
}

// rowWork is the work of a row whose pixels ran iters iterations in all.
func (s *MandelbrotSpec) rowWork(iters uint64) uint64 {
	return MandelbrotBaseWork + uint64(s.width)*MandelbrotWorkPerPixel + iters*MandelbrotWorkPerIter
}

// ComputeOutput renders row item.Index and returns its measured work. The job id
// does not affect the output (see the README on replay across jobs).
func (s *MandelbrotSpec) ComputeOutput(item Item) ([]byte, uint64, error) {
	if err := checkIndex(item.Index, uint64(s.height)); err != nil {
		return nil, 0, err
	}
	out := make([]byte, s.OutputSize())
	iters := s.renderRow(uint32(item.Index), out)
	return out, s.rowWork(iters), nil
}

// VerifyOutput recomputes row item.Index, compares it with output byte for byte
// and returns the measured work of the recomputation (0 if the output is refused
// before it).
func (s *MandelbrotSpec) VerifyOutput(item Item, output []byte) (uint64, error) {
	if err := checkIndex(item.Index, uint64(s.height)); err != nil {
		return 0, err
	}
	if len(output) != s.OutputSize() {
		return 0, fmt.Errorf("%w: mandelbrot: output of %d bytes, want %d", ErrInvalidOutput, len(output), s.OutputSize())
	}
	want := make([]byte, s.OutputSize())
	work := s.rowWork(s.renderRow(uint32(item.Index), want))
	for x := 0; x < int(s.width); x++ {
		got, exp := binary.LittleEndian.Uint16(output[2*x:]), binary.LittleEndian.Uint16(want[2*x:])
		if got != exp {
			return work, fmt.Errorf("%w: mandelbrot: row %d pixel %d has escape count %d, want %d", ErrInvalidOutput, item.Index, x, got, exp)
		}
	}
	return work, nil
}

// imag returns c_im of row y and whether |c_im| <= 2; when it is not, the value
// is meaningless.
func (s *MandelbrotSpec) imag(y uint32) (int64, bool) {
	k := int64(s.height) - 1 - 2*int64(y)
	neg := k < 0
	if neg {
		k = -k
	}
	// |k|·px can exceed 64 bits when H is much larger than W.
	hi, lo := bits.Mul64(uint64(k), uint64(s.pixel))
	if hi != 0 || lo > 2*uint64(fpFar) {
		return 0, false
	}
	prod := int64(lo)
	if neg {
		prod = -prod
	}
	ci := s.centerIm + prod>>1
	return ci, -fpTwo <= ci && ci <= fpTwo
}

// renderRow writes the escape counts of row y to dst, which holds 2W bytes, and
// returns the kernel iterations it ran: a pixel's escape count when it iterated
// (escapeCount runs exactly that many), none for a pixel outside the disc, whose
// count of 1 is written without iterating.
func (s *MandelbrotSpec) renderRow(y uint32, dst []byte) uint64 {
	w := int(s.width)
	dst = dst[:2*w]
	ci, rowInside := s.imag(y)
	var iters uint64
	for x := 0; x < w; x++ {
		// |2x+1−W|·px < scale·2^F <= 2^62.
		cr := s.centerRe + (int64(2*x+1-w)*s.pixel)>>1
		n := uint32(1)
		if rowInside && -fpTwo <= cr && cr <= fpTwo {
			n = escapeCount(cr, ci, s.maxIter)
			iters += uint64(n)
		}
		binary.LittleEndian.PutUint16(dst[2*x:], uint16(n))
	}
	return iters
}

// escapeCount iterates c = (cr, ci), |cr|, |ci| <= 2, at most m times and returns
// its escape count. It is the worker's hot loop, kept in its own small function so
// that its few variables stay in registers (MULQ pins two of them).
//
// Products are signed 128-bit: bits.Mul64 of the two's complement bit patterns,
// with the high word corrected by subtracting each negative operand's partner
// (Hacker's Delight 8-3); the correction is computed alongside the multiply, which
// keeps it off the loop's dependency chain.
func escapeCount(cr, ci int64, m uint32) uint32 {
	var zr, zi int64
	n := uint32(0)
	for ; n < m; n++ {
		// |zr| > 2 or |zi| > 2, in one unsigned comparison each.
		if uint64(zr+fpTwo) > uint64(2*fpTwo) || uint64(zi+fpTwo) > uint64(2*fpTwo) {
			break
		}
		sr, si := zr>>63, zi>>63
		hi, lo := bits.Mul64(uint64(zr), uint64(zr))
		hi -= uint64(sr & (2 * zr))
		rr := hi<<(64-fpFracBits) | lo>>fpFracBits // ⌊zr²/2^F⌋ <= 2^61
		hi, lo = bits.Mul64(uint64(zi), uint64(zi))
		hi -= uint64(si & (2 * zi))
		ii := hi<<(64-fpFracBits) | lo>>fpFracBits
		if rr+ii > fpFour {
			break
		}
		hi, lo = bits.Mul64(uint64(zr), uint64(zi))
		hi -= uint64(sr&zi + si&zr)
		ri := int64(hi<<(65-fpFracBits) | lo>>(fpFracBits-1)) // ⌊2·zr·zi/2^F⌋
		zi = ri + ci
		zr = int64(rr) - int64(ii) + cr
	}
	return n
}
