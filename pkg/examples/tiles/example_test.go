package tiles_test

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
)

// A requester cuts an image into the job's inputs: one file per item, the
// directory that `nightshiftd requester post-program --inputs DIR` commits to.
func ExampleSplit() {
	f, err := os.Open("testdata/sample.png")
	if err != nil {
		panic(err)
	}
	defer func() { _ = f.Close() }()
	img, err := png.Decode(f)
	if err != nil {
		panic(err)
	}
	layout, inputs, err := tiles.Split(img, 64)
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "tiles")
	if err != nil {
		panic(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if err := tiles.WriteInputs(filepath.Join(dir, "inputs"), inputs); err != nil {
		panic(err)
	}
	fmt.Printf("%dx%d in %d tiles; item 11 is %v, %d bytes in %s\n",
		layout.Width, layout.Height, layout.Items(), layout.Rect(11), len(inputs[11]), tiles.InputName(11))
	// Output: 200x150 in 12 tiles; item 11 is (192,128)-(200,150), 248 bytes in 00000011.bin
}
