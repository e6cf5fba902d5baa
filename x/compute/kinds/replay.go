package kinds

import (
	"encoding/binary"
)

// Replay keys (Spec.ReplayKey). A key holds the parsed values, not the spec's
// spelling, so two specs that parse to the same computation ("3" and "3.0",
// scales that round to one pixel size) have one key. A key is compared only
// within its kind.

// ReplayKey is nil: item i's output is a nonce whose hash covers the job id,
// so a nonce found for one job does not verify on another.
func (s *HashcashSpec) ReplayKey() []byte { return nil }

// ReplayKey is the view in fixed point: width, height, max_iter, the centre
// and the pixel size, everything a row's escape counts are computed from
// (rows do not depend on the job id). The scale enters only through the
// pixel size, which is what the rows use.
func (s *MandelbrotSpec) ReplayKey() []byte {
	b := make([]byte, 0, 3*4+3*8)
	b = binary.BigEndian.AppendUint32(b, s.width)
	b = binary.BigEndian.AppendUint32(b, s.height)
	b = binary.BigEndian.AppendUint32(b, s.maxIter)
	b = binary.BigEndian.AppendUint64(b, uint64(s.centerRe))
	b = binary.BigEndian.AppendUint64(b, uint64(s.centerIm))
	b = binary.BigEndian.AppendUint64(b, uint64(s.pixel))
	return b
}

// ReplayKey is the program, its params and the input root: what an item's
// output is computed from besides the job id (which the ABI passes, but a
// program may ignore). The limits are left out on purpose: an item that
// stays within fuel_limit, memory_pages and max_output_bytes records the
// same output under any larger limits, so a job differing only in its limits
// (or its inputs_url, which serves the same committed inputs) would replay
// every such item.
func (s *WasmSpec) ReplayKey() []byte {
	b := make([]byte, 0, 32+4+len(s.Params)+1+32)
	b = append(b, s.Program[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(s.Params)))
	b = append(b, s.Params...)
	if s.HasInputRoot {
		b = append(b, 1)
		b = append(b, s.InputRoot[:]...)
	} else {
		b = append(b, 0)
	}
	return b
}

// ReplayKey is the spec's (WasmSpec.ReplayKey).
func (p *WasmProgram) ReplayKey() []byte { return p.spec.ReplayKey() }
