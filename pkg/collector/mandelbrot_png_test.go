package collector

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/png"
	"math/bits"
	"slices"
	"testing"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
)

const smallSpec = `{"width":16,"height":16,"center_re":"-0.5","center_im":"0","scale":"3","max_iter":64}`

// renderAll computes every row of a 16-row mandelbrot job with the kinds package,
// as a worker does.
func renderAll(t testing.TB, spec string) [][]byte {
	t.Helper()
	s, err := kinds.ParseMandelbrotSpec([]byte(spec), 16)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([][]byte, s.Height())
	for y := range rows {
		out, _, err := s.ComputeOutput(kinds.Item{JobID: 0, Index: uint64(y)})
		if err != nil {
			t.Fatal(err)
		}
		rows[y] = out
	}
	return rows
}

func TestRenderMandelbrotPNG(t *testing.T) {
	rows := renderAll(t, smallSpec)
	var a, b bytes.Buffer
	if err := RenderMandelbrotPNG([]byte(smallSpec), rows, &a); err != nil {
		t.Fatal(err)
	}
	if err := RenderMandelbrotPNG([]byte(smallSpec), rows, &b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("PNG output is not deterministic")
	}
	img, err := png.Decode(&a)
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != 16 || r.Dy() != 16 {
		t.Fatalf("image bounds %v", r)
	}
	// (8, 8) never escapes; (0, 0) escapes at once.
	if r, g, b, _ := img.At(8, 8).RGBA(); r|g|b != 0 {
		t.Fatalf("interior pixel is not black: %d %d %d", r, g, b)
	}
	if r, g, b, _ := img.At(0, 0).RGBA(); r|g|b == 0 {
		t.Fatal("escaped pixel is black")
	}

	if err := RenderMandelbrotPNG([]byte(smallSpec), rows[:15], &a); !errors.Is(err, kinds.ErrInvalidSpec) {
		t.Errorf("missing row: error = %v, want ErrInvalidSpec", err)
	}
	short := slices.Clone(rows)
	short[3] = short[3][:30]
	if err := RenderMandelbrotPNG([]byte(smallSpec), short, &a); !errors.Is(err, kinds.ErrInvalidOutput) {
		t.Errorf("short row: error = %v, want ErrInvalidOutput", err)
	}
	high := slices.Clone(rows)
	high[3] = slices.Clone(rows[3])
	binary.LittleEndian.PutUint16(high[3], 65)
	if err := RenderMandelbrotPNG([]byte(smallSpec), high, &a); !errors.Is(err, kinds.ErrInvalidOutput) {
		t.Errorf("count above max_iter: error = %v, want ErrInvalidOutput", err)
	}
}

func TestEscapeColour(t *testing.T) {
	if r, g, b := escapeColour(64, 64); r|g|b != 0 {
		t.Fatal("non-escaping pixel is not black")
	}
	// Every count below max_iter maps to a palette colour without overflow.
	for _, m := range []uint32{1, 2, 64, 65535} {
		for n := uint32(0); n < m; n += 1 + m/512 {
			escapeColour(n, m)
		}
	}
	if r, g, b := escapeColour(0, 100); r != 0 || g != 7 || b != 100 {
		t.Fatalf("palette start = %d %d %d", r, g, b)
	}
}

func TestIsqrt(t *testing.T) {
	for _, v := range []uint64{0, 1, 2, 3, 4, 15, 16, 17, 1 << 32, 1<<32 - 1, 1<<64 - 1} {
		r := isqrt(v)
		hi, lo := bits.Mul64(r+1, r+1)
		if r*r > v || (hi == 0 && lo <= v) {
			t.Errorf("isqrt(%d) = %d", v, r)
		}
	}
}
