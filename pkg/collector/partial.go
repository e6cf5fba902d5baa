package collector

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"os"

	"github.com/nightshift-network/nightshift/x/compute/kinds"
)

// RenderPartialMandelbrotPNG draws the rows of a mandelbrot job that are there
// (nil: not collected) and leaves the others transparent. Complete, the image
// is exactly RenderMandelbrotPNG of the rows. It writes nothing and reports
// false when no row is there.
func RenderPartialMandelbrotPNG(spec []byte, rows [][]byte, w io.Writer) (bool, error) {
	s, err := kinds.ParseMandelbrotSpec(spec, uint64(len(rows)))
	if err != nil {
		return false, err
	}
	var missing []int
	filled := make([][]byte, len(rows))
	for y, row := range rows {
		if row == nil {
			missing = append(missing, y)
			row = make([]byte, s.OutputSize())
		}
		filled[y] = row
	}
	if len(missing) == len(rows) {
		return false, nil
	}
	if len(missing) == 0 {
		return true, RenderMandelbrotPNG(spec, filled, w)
	}
	var buf bytes.Buffer
	if err := RenderMandelbrotPNG(spec, filled, &buf); err != nil {
		return false, err
	}
	decoded, err := png.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return false, err
	}
	img := image.NewNRGBA(decoded.Bounds())
	draw.Draw(img, img.Bounds(), decoded, decoded.Bounds().Min, draw.Src)
	for _, y := range missing {
		clear(img.Pix[y*img.Stride : (y+1)*img.Stride])
	}
	return true, png.Encode(w, img)
}

// StoredUpload returns the outputs of task index of job jobID that a collector
// accepted into dir (its output directory), the first item they cover and the
// root they matched; the outputs are checked to still hash to that root.
// os.ErrNotExist means dir holds no upload of that task.
func StoredUpload(dir string, jobID, index uint64) (firstItem uint64, root [32]byte, outputs [][]byte, err error) {
	path := taskPath(dir, index)
	if _, err := os.Stat(path); err != nil {
		return 0, root, nil, err
	}
	t, err := readTask(path)
	if err != nil {
		return 0, root, nil, err
	}
	if t.JobID != jobID || t.TaskIndex != index {
		return 0, root, nil, fmt.Errorf("%s holds task %d of job %d: %w", path, t.TaskIndex, t.JobID, os.ErrNotExist)
	}
	return t.FirstItem, t.Root, t.Outputs, nil
}
