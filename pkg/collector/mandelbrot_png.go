package collector

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"io"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
)

// paletteStop is a colour at a position in [0, 65536) of a cyclic gradient.
type paletteStop struct {
	pos     uint32
	r, g, b uint8
}

// mandelbrotPalette is a blue-white-orange gradient that wraps back to its start.
var mandelbrotPalette = [...]paletteStop{
	{0, 0, 7, 100},
	{10486, 32, 107, 203},
	{27525, 237, 255, 255},
	{42107, 255, 170, 0},
	{56197, 0, 2, 0},
	{65536, 0, 7, 100},
}

// RenderMandelbrotPNG writes the image made of rows, the outputs of every item of a
// mandelbrot job with the given spec, as a PNG. Pixels that never escaped are
// black; others are coloured by the square root of escape count / max_iter, which
// spreads the many early escapes over more of the palette. Only integer arithmetic
// is used, so the same rows always give the same bytes.
func RenderMandelbrotPNG(spec []byte, rows [][]byte, w io.Writer) error {
	s, err := kinds.ParseMandelbrotSpec(spec, uint64(len(rows)))
	if err != nil {
		return err
	}
	width, m := s.Width(), uint32(s.MaxIter())
	img := image.NewRGBA(image.Rect(0, 0, width, s.Height()))
	for y, row := range rows {
		if len(row) != s.OutputSize() {
			return fmt.Errorf("%w: mandelbrot: row %d has %d bytes, want %d", kinds.ErrInvalidOutput, y, len(row), s.OutputSize())
		}
		pix := img.Pix[y*img.Stride:]
		for x := 0; x < width; x++ {
			n := uint32(binary.LittleEndian.Uint16(row[2*x:]))
			if n > m {
				return fmt.Errorf("%w: mandelbrot: row %d pixel %d has escape count %d above max_iter %d", kinds.ErrInvalidOutput, y, x, n, m)
			}
			r, g, b := escapeColour(n, m)
			pix[4*x], pix[4*x+1], pix[4*x+2], pix[4*x+3] = r, g, b, 0xff
		}
	}
	return png.Encode(w, img)
}

// escapeColour maps escape count n of at most m to a colour.
func escapeColour(n, m uint32) (r, g, b uint8) {
	if n >= m {
		return 0, 0, 0
	}
	// pos = sqrt(n/m) in units of 2^-16; n·2^32 fits easily in 64 bits.
	pos := uint32(isqrt(uint64(n) << 32 / uint64(m)))
	i := 1
	for mandelbrotPalette[i].pos <= pos {
		i++
	}
	lo, hi := mandelbrotPalette[i-1], mandelbrotPalette[i]
	span, off := hi.pos-lo.pos, pos-lo.pos
	lerp := func(a, b uint8) uint8 {
		return uint8((uint32(a)*(span-off) + uint32(b)*off) / span)
	}
	return lerp(lo.r, hi.r), lerp(lo.g, hi.g), lerp(lo.b, hi.b)
}

// isqrt returns ⌊√v⌋ by the bit-by-bit method.
func isqrt(v uint64) uint64 {
	var root uint64
	for bit := uint64(1) << 62; bit != 0; bit >>= 2 {
		if v >= root+bit {
			v -= root + bit
			root = root>>1 + bit
		} else {
			root >>= 1
		}
	}
	return root
}
