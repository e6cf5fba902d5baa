package tiles

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/nightshift-network/nightshift/pkg/examples/internal/abitest"
)

func runner(t testing.TB) *abitest.Runner {
	t.Helper()
	r, err := abitest.New(Wasm, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func sample(t testing.TB) image.Image {
	t.Helper()
	f, err := os.Open("testdata/sample.png")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// wholeImage filters the entire gray image at once (edge pixels repeated beyond the
// border): what the tiles must add up to.
func wholeImage(f Filter, g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	padded := make([]byte, (w+2)*(h+2))
	for y := -1; y <= h; y++ {
		for x := -1; x <= w; x++ {
			padded[(y+1)*(w+2)+x+1] = g.GrayAt(clamp(x, w), clamp(y, h)).Y
		}
	}
	out := image.NewGray(g.Rect)
	for y := range h {
		for x := range w {
			out.Pix[y*out.Stride+x] = filterAt(f, padded, (y+1)*(w+2)+x+1, w+2)
		}
	}
	return out
}

func TestSplitLayout(t *testing.T) {
	l, inputs, err := Split(sample(t), 64)
	if err != nil {
		t.Fatal(err)
	}
	if l != (Layout{Width: 200, Height: 150, Tile: 64}) || len(inputs) != 12 {
		t.Fatalf("layout %+v, %d inputs", l, len(inputs))
	}
	// The bottom-right tile is 200-192 = 8 wide and 150-128 = 22 high.
	if r := l.Rect(11); r != image.Rect(192, 128, 200, 150) || len(inputs[11]) != HeaderLen+10*24 {
		t.Fatalf("last tile %v, %d bytes", r, len(inputs[11]))
	}
}

func TestProgramMatchesReferenceAndWholeImage(t *testing.T) {
	r := runner(t)
	img := sample(t)
	for name, f := range Filters {
		for _, tile := range []int{64, 37} {
			l, inputs, err := Split(img, tile)
			if err != nil {
				t.Fatal(err)
			}
			p := Params{Filter: f}
			recorded := make([][]byte, len(inputs))
			for item, in := range inputs {
				want, ok := Reference(p, in)
				if !ok {
					t.Fatalf("reference refuses tile %d", item)
				}
				got, err := r.Run(context.Background(), 5, uint64(item), p.Encode(), in)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, append([]byte{0}, want...)) {
					t.Fatalf("%s tile %d: program and reference differ", name, item)
				}
				recorded[item] = got
			}
			out, tally, err := Assemble(l, recorded)
			if err != nil || !tally.Complete() {
				t.Fatalf("assemble: %v %+v", err, tally)
			}
			if whole := wholeImage(f, Gray(img)); !bytes.Equal(out.Pix, whole.Pix) {
				t.Fatalf("%s with %d-pixel tiles: the assembled tiles differ from the filtered image", name, tile)
			}
			inferred, err := InferLayout(recorded)
			if err != nil || inferred != l {
				t.Fatalf("inferred %+v (%v), split %+v", inferred, err, l)
			}
		}
	}
}

// The filters do something: blur keeps the mean, edges light up the checkerboard.
func TestFiltersChangeTheImage(t *testing.T) {
	g := Gray(sample(t))
	edges := wholeImage(Edges, g)
	if v := edges.GrayAt(135, 30).Y; v != 255 { // the checkerboard's left edge
		t.Fatalf("edge strength at the checkerboard border %d", v)
	}
	if v := edges.GrayAt(150, 110).Y; v > 120 { // inside a flat grey bar
		t.Fatalf("edge strength inside a flat bar %d", v)
	}
	blur := wholeImage(Blur, g)
	if bytes.Equal(blur.Pix, g.Pix) {
		t.Fatal("blur changed nothing")
	}
}

func TestBadInputTraps(t *testing.T) {
	r := runner(t)
	_, inputs, err := Split(sample(t), 64)
	if err != nil {
		t.Fatal(err)
	}
	good := inputs[0]
	header := func(w, h uint16) []byte {
		return []byte{0, 0, 0, 0, byte(w), byte(w >> 8), byte(h), byte(h >> 8)}
	}
	for name, c := range map[string]struct{ params, input []byte }{
		"unknown filter": {Params{Filter: 3}.Encode(), good},
		"short params":   {[]byte{0, 0, 0}, good},
		"no header":      {Params{}.Encode(), good[:7]},
		"short pixels":   {Params{}.Encode(), good[:len(good)-1]},
		"zero width":     {Params{}.Encode(), append(header(0, 1), make([]byte, 6)...)},
		"too wide":       {Params{}.Encode(), append(header(MaxSide+1, 1), make([]byte, (MaxSide+3)*3)...)},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := r.Run(context.Background(), 1, 0, c.params, c.input)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, []byte{0x01, 0x05}) {
				t.Fatalf("recorded %x, want the trap 0105", got)
			}
			if p, err := DecodeParams(c.params); err == nil {
				if _, ok := Reference(p, c.input); ok {
					t.Fatal("the reference accepts what the program traps on")
				}
			}
		})
	}
}

func TestAssembleRefusesMisplacedTilesAndTallies(t *testing.T) {
	l, inputs, err := Split(sample(t), 64)
	if err != nil {
		t.Fatal(err)
	}
	recorded := make([][]byte, len(inputs))
	for item, in := range inputs {
		out, _ := Reference(Params{Filter: Blur}, in)
		recorded[item] = append([]byte{0}, out...)
	}
	swapped := append([][]byte(nil), recorded...)
	swapped[1], swapped[2] = swapped[2], swapped[1]
	if _, _, err := Assemble(l, swapped); err == nil {
		t.Fatal("two swapped tiles were assembled")
	}
	recorded[3], recorded[4] = nil, []byte{0x01, 0x01}
	img, tally, err := Assemble(l, recorded)
	if err != nil {
		t.Fatal(err)
	}
	if len(tally.Missing) != 1 || tally.Missing[0] != 3 || tally.Trapped[4] != 0x01 {
		t.Fatalf("tally %+v", tally)
	}
	if img.GrayAt(192+4, 10).Y != 0 || img.GrayAt(10, 10).Y == 0 {
		t.Fatal("a missing tile is not left black, or a present one is")
	}
	if _, _, err := Assemble(l, recorded[:11]); err == nil {
		t.Fatal("fewer outputs than tiles were assembled")
	}
}

func TestWriteInputsAndPNG(t *testing.T) {
	_, inputs, err := Split(sample(t), 64)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "inputs")
	if err := WriteInputs(dir, inputs); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "00000011.bin"))
	if err != nil || !bytes.Equal(got, inputs[11]) {
		t.Fatalf("item 11's file: %v", err)
	}
	if err := WriteInputs(dir, inputs); err == nil {
		t.Fatal("wrote a second dataset into a non-empty directory")
	}
	path := filepath.Join(t.TempDir(), "out.png")
	g := Gray(sample(t))
	if err := WritePNG(path, g); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	back, err := png.Decode(f)
	if err != nil || !bytes.Equal(Gray(back).Pix, g.Pix) {
		t.Fatalf("PNG round trip: %v", err)
	}
}

func TestSplitRefusesBadTiles(t *testing.T) {
	img := sample(t)
	for _, tile := range []int{0, -1, MaxSide + 1} {
		if _, _, err := Split(img, tile); err == nil {
			t.Fatalf("tile side %d accepted", tile)
		}
	}
	if _, _, err := Split(image.NewGray(image.Rect(0, 0, 1<<16, 1)), 64); err == nil {
		t.Fatal("an image 65,536 pixels wide accepted")
	}
	if _, _, err := Split(image.NewGray(image.Rect(0, 0, 0, 0)), 64); err == nil {
		t.Fatal("an empty image accepted")
	}
}

// The largest tile the program accepts runs within its memory.
func TestLargestTileRuns(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, MaxSide, MaxSide))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	_, inputs, err := Split(img, MaxSide)
	if err != nil {
		t.Fatal(err)
	}
	got, err := runner(t).Run(context.Background(), 1, 0, Params{Filter: Edges}.Encode(), inputs[0])
	if err != nil {
		t.Fatal(err)
	}
	want, ok := Reference(Params{Filter: Edges}, inputs[0])
	if !ok || !bytes.Equal(got, append([]byte{0}, want...)) {
		t.Fatalf("recorded %x…", got[:min(len(got), 8)])
	}
}
