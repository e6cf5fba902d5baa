package program

import "fmt"

// reader decodes the WebAssembly binary format's primitives from a byte slice.
// Every read checks bounds; a failed read wraps ErrMalformedModule with the offset.
type reader struct {
	buf []byte
	pos int
}

func (r *reader) fail(what string) error {
	return fmt.Errorf("%w: %s at offset %d", ErrMalformedModule, what, r.pos)
}

func (r *reader) done() bool { return r.pos >= len(r.buf) }

func (r *reader) byte() (byte, error) {
	if r.pos >= len(r.buf) {
		return 0, r.fail("unexpected end")
	}
	b := r.buf[r.pos]
	r.pos++
	return b, nil
}

func (r *reader) bytes(n uint32) ([]byte, error) {
	if uint64(n) > uint64(len(r.buf)-r.pos) {
		return nil, r.fail("length past end")
	}
	b := r.buf[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b, nil
}

// u32 reads an unsigned LEB128 of at most 5 bytes whose value fits 32 bits, as the
// spec requires (unused high bits of the last byte must be zero).
func (r *reader) u32() (uint32, error) {
	var v uint32
	for i := 0; i < 5; i++ {
		b, err := r.byte()
		if err != nil {
			return 0, err
		}
		if i == 4 && b&0xf0 != 0 {
			return 0, r.fail("u32 overflow")
		}
		v |= uint32(b&0x7f) << (7 * i)
		if b&0x80 == 0 {
			return v, nil
		}
	}
	return 0, r.fail("u32 too long")
}

// s32 reads a signed LEB128 of at most 5 bytes whose value fits 32 bits.
func (r *reader) s32() (int32, error) {
	v, err := r.sleb(32)
	return int32(v), err
}

// s64 reads a signed LEB128 of at most 10 bytes whose value fits 64 bits.
func (r *reader) s64() (int64, error) { return r.sleb(64) }

func (r *reader) sleb(bits int) (int64, error) {
	var v int64
	maxBytes := (bits + 6) / 7
	for i := 0; i < maxBytes; i++ {
		b, err := r.byte()
		if err != nil {
			return 0, err
		}
		shift := 7 * i
		if i == maxBytes-1 {
			// The last byte's unused bits must all equal the sign bit.
			used := bits - shift // value bits this byte carries, sign included
			rest := int8(b<<1) >> used
			if b&0x80 != 0 || (rest != 0 && rest != -1) {
				return 0, r.fail("signed LEB128 overflow")
			}
		}
		v |= int64(b&0x7f) << shift
		if b&0x80 == 0 {
			if shift+7 < 64 && b&0x40 != 0 {
				v |= -1 << (shift + 7)
			}
			return v, nil
		}
	}
	return 0, r.fail("signed LEB128 too long")
}

func (r *reader) name() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	b, err := r.bytes(n)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// writer encodes the binary format's primitives (minimal LEB128 encodings).
type writer struct{ buf []byte }

func (w *writer) byte(b byte)                  { w.buf = append(w.buf, b) }
func (w *writer) raw(b []byte)                 { w.buf = append(w.buf, b...) }
func (w *writer) u32(v uint32)                 { w.buf = appendU32(w.buf, v) }
func (w *writer) s64(v int64)                  { w.buf = appendS64(w.buf, v) }
func (w *writer) name(s string)                { w.u32(uint32(len(s))); w.buf = append(w.buf, s...) }
func (w *writer) sized(b []byte)               { w.u32(uint32(len(b))); w.raw(b) }
func (w *writer) section(id byte, body []byte) { w.byte(id); w.sized(body) }

func appendU32(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func appendS64(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
