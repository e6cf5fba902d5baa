package tiles

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
)

// HeaderLen is the tile header: u16 x, u16 y, u16 w, u16 h, little-endian.
const HeaderLen = 8

// MaxSide is the largest tile side the program accepts.
const MaxSide = 512

// Layout is how an image is cut: Tile×Tile tiles, row-major, the last column and
// row narrower when the size is not a multiple of Tile.
type Layout struct{ Width, Height, Tile int }

// Check refuses empty images and tiles outside [1, MaxSide].
func (l Layout) Check() error {
	if l.Width < 1 || l.Height < 1 || l.Width > 1<<16-1 || l.Height > 1<<16-1 {
		return fmt.Errorf("image %dx%d: sides must be in [1, 65535]", l.Width, l.Height)
	}
	if l.Tile < 1 || l.Tile > MaxSide {
		return fmt.Errorf("tile side %d not in [1, %d]", l.Tile, MaxSide)
	}
	return nil
}

func (l Layout) columns() int { return (l.Width + l.Tile - 1) / l.Tile }

// Items is the number of tiles: one item each.
func (l Layout) Items() int { return l.columns() * ((l.Height + l.Tile - 1) / l.Tile) }

// Rect is item's tile in image coordinates.
func (l Layout) Rect(item int) image.Rectangle {
	x, y := item%l.columns()*l.Tile, item/l.columns()*l.Tile
	return image.Rect(x, y, min(x+l.Tile, l.Width), min(y+l.Tile, l.Height))
}

// Gray converts img to 8-bit gray (image/color's luma weights), at the origin.
func Gray(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			g.SetGray(x, y, color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray))
		}
	}
	return g
}

// Split cuts img into the job's per-item inputs: each tile's header, then its
// pixels with a one-pixel halo; beyond the image border the edge pixel repeats.
func Split(img image.Image, tile int) (Layout, [][]byte, error) {
	g := Gray(img)
	l := Layout{Width: g.Rect.Dx(), Height: g.Rect.Dy(), Tile: tile}
	if err := l.Check(); err != nil {
		return Layout{}, nil, err
	}
	inputs := make([][]byte, l.Items())
	for item := range inputs {
		r := l.Rect(item)
		w, h := r.Dx(), r.Dy()
		in := make([]byte, HeaderLen, HeaderLen+(w+2)*(h+2))
		for i, v := range []int{r.Min.X, r.Min.Y, w, h} {
			binary.LittleEndian.PutUint16(in[2*i:], uint16(v))
		}
		for y := r.Min.Y - 1; y <= r.Max.Y; y++ {
			for x := r.Min.X - 1; x <= r.Max.X; x++ {
				in = append(in, g.GrayAt(clamp(x, l.Width), clamp(y, l.Height)).Y)
			}
		}
		inputs[item] = in
	}
	return l, inputs, nil
}

func clamp(v, n int) int { return max(0, min(v, n-1)) }

// InputName is the file of item's input in an inputs directory (what
// `nightshiftd requester post-program --inputs DIR` reads): the decimal item index,
// zero-padded to eight digits so that a listing sorts in item order.
func InputName(item int) string { return fmt.Sprintf("%08d.bin", item) }

// WriteInputs writes one file per item into dir (created if needed); it refuses a
// dir that already holds files, so two datasets are never mixed.
func WriteInputs(dir string, inputs [][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty", dir)
	}
	for item, in := range inputs {
		if err := os.WriteFile(filepath.Join(dir, InputName(item)), in, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// decodeHeader reads a tile header and checks the pixels that follow it.
func decodeHeader(b []byte, halo int) (image.Rectangle, error) {
	if len(b) < HeaderLen {
		return image.Rectangle{}, errors.New("shorter than the 8-byte tile header")
	}
	x, y := int(binary.LittleEndian.Uint16(b[0:])), int(binary.LittleEndian.Uint16(b[2:]))
	w, h := int(binary.LittleEndian.Uint16(b[4:])), int(binary.LittleEndian.Uint16(b[6:]))
	if want := HeaderLen + (w+halo)*(h+halo); len(b) != want {
		return image.Rectangle{}, fmt.Errorf("a %dx%d tile needs %d bytes, got %d", w, h, want, len(b))
	}
	return image.Rect(x, y, x+w, y+h), nil
}
