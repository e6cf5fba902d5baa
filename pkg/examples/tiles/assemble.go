package tiles

import (
	"fmt"
	"image"
	"image/png"
	"io"
	"os"

	"github.com/nightshift-network/nightshift/pkg/examples"
)

// Assemble puts the filtered tiles (item-indexed recorded outputs, nil when
// missing) back into one image. Each output's header must name the tile the
// layout gives its item, so a tile cannot land in another's place. Missing and
// trapped tiles stay black and are tallied.
func Assemble(l Layout, recorded [][]byte) (*image.Gray, examples.Tally, error) {
	if err := l.Check(); err != nil {
		return nil, examples.Tally{}, err
	}
	if len(recorded) != l.Items() {
		return nil, examples.Tally{}, fmt.Errorf("%d outputs for a layout of %d tiles", len(recorded), l.Items())
	}
	payloads, tally, err := examples.Payloads(recorded)
	if err != nil {
		return nil, tally, err
	}
	img := image.NewGray(image.Rect(0, 0, l.Width, l.Height))
	for item, b := range payloads {
		if b == nil {
			continue
		}
		r, err := decodeHeader(b, 0)
		if err != nil {
			return nil, tally, fmt.Errorf("item %d: %w", item, err)
		}
		if want := l.Rect(item); r != want {
			return nil, tally, fmt.Errorf("item %d holds tile %v, the layout puts %v there", item, r, want)
		}
		for y := range r.Dy() {
			copy(img.Pix[(r.Min.Y+y)*img.Stride+r.Min.X:], b[HeaderLen+y*r.Dx():HeaderLen+(y+1)*r.Dx()])
		}
	}
	return img, tally, nil
}

// InferLayout reads the layout from the outputs' headers: the image reaches the
// farthest tile edge and the tile side is item 0's width and height. It needs item
// 0 and the last item (the bottom-right tile).
func InferLayout(recorded [][]byte) (Layout, error) {
	if len(recorded) == 0 {
		return Layout{}, fmt.Errorf("no outputs")
	}
	first, last := recorded[0], recorded[len(recorded)-1]
	if len(first) < 1+HeaderLen || first[0] != examples.StatusOK || len(last) < 1+HeaderLen || last[0] != examples.StatusOK {
		return Layout{}, fmt.Errorf("the first and the last tile are needed to infer the layout")
	}
	r0, err := decodeHeader(first[1:], 0)
	if err != nil {
		return Layout{}, fmt.Errorf("item 0: %w", err)
	}
	rn, err := decodeHeader(last[1:], 0)
	if err != nil {
		return Layout{}, fmt.Errorf("item %d: %w", len(recorded)-1, err)
	}
	l := Layout{Width: rn.Max.X, Height: rn.Max.Y, Tile: max(r0.Dx(), r0.Dy())}
	if err := l.Check(); err != nil {
		return Layout{}, err
	}
	if l.Items() != len(recorded) || l.Rect(0) != r0 {
		return Layout{}, fmt.Errorf("the tiles' headers do not describe a %d-tile layout", len(recorded))
	}
	return l, nil
}

// WritePNG writes img to path.
func WritePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := EncodePNG(f, img); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// EncodePNG writes img as a PNG (the assembled image of a tiles job).
func EncodePNG(w io.Writer, img image.Image) error { return png.Encode(w, img) }
