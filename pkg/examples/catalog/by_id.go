package catalog

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"
	// The formats an image to split may come in.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	"github.com/nightshift-network/nightshift/pkg/examples/tiles"
)

// ID is a program's id on chain, sha256(code).
func (p Program) ID() [32]byte { return sha256.Sum256(p.Wasm) }

// ByID returns the example whose code hashes to id: how the requester commands
// recognise a job of an example program from its spec alone.
func ByID(id [32]byte) (Program, bool) {
	for _, name := range Names() {
		if p := Programs[name]; p.ID() == id {
			return p, true
		}
	}
	return Program{}, false
}

// SplitTiles is the tiles example's dataset: an image file (PNG, JPEG or GIF)
// cut into tile×tile tiles with their halo, item i being the i-th tile in
// row-major order (tiles.Split).
func SplitTiles(file []byte, tile int) ([][]byte, error) {
	img, _, err := image.Decode(bytes.NewReader(file))
	if err != nil {
		return nil, fmt.Errorf("tiles: reading the image: %w", err)
	}
	_, inputs, err := tiles.Split(img, tile)
	return inputs, err
}
