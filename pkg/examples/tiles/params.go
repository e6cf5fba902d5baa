package tiles

import (
	"encoding/binary"
	"fmt"
)

// ParamsLen is the size of the encoded params.
const ParamsLen = 4

// Filter is the 3x3 filter the program applies.
type Filter uint32

const (
	Blur    Filter = 0 // Gaussian 1 2 1 / 2 4 2 / 1 2 1, /16, rounded
	Edges   Filter = 1 // Sobel, |gx| + |gy| saturated at 255
	Sharpen Filter = 2 // 5·centre − the four neighbours, clamped to [0, 255]
)

// Filters names the filters for the command line.
var Filters = map[string]Filter{"blur": Blur, "edges": Edges, "sharpen": Sharpen}

// Params are the job's params. Encoding (4 bytes, little-endian): u32 Filter.
type Params struct{ Filter Filter }

// Encode returns the params as the program reads them.
func (p Params) Encode() []byte { return binary.LittleEndian.AppendUint32(nil, uint32(p.Filter)) }

// DecodeParams parses and checks encoded params.
func DecodeParams(b []byte) (Params, error) {
	if len(b) != ParamsLen {
		return Params{}, fmt.Errorf("tiles params are %d bytes, got %d", ParamsLen, len(b))
	}
	p := Params{Filter(binary.LittleEndian.Uint32(b))}
	return p, p.Check()
}

// Check refuses a filter the program does not know (it would trap).
func (p Params) Check() error {
	if p.Filter > Sharpen {
		return fmt.Errorf("filter %d is not 0 (blur), 1 (edges) or 2 (sharpen)", p.Filter)
	}
	return nil
}
