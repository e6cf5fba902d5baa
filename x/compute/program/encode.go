package program

// encode writes m in the binary format with minimal LEB128 encodings, sections in
// the order the spec requires; an empty section is omitted. Imports are not written:
// encode serves validated v1 programs (which import nothing) and their instrumented form.
func (m *module) encode() []byte {
	w := &writer{buf: []byte("\x00asm\x01\x00\x00\x00")}
	if len(m.types) > 0 {
		s := &writer{}
		s.u32(uint32(len(m.types)))
		for _, t := range m.types {
			s.byte(0x60)
			s.sized(t.params)
			s.sized(t.results)
		}
		w.section(secType, s.buf)
	}
	if len(m.funcs) > 0 {
		s := &writer{}
		s.u32(uint32(len(m.funcs)))
		for _, f := range m.funcs {
			s.u32(f)
		}
		w.section(secFunction, s.buf)
	}
	if len(m.tables) > 0 {
		s := &writer{}
		s.u32(uint32(len(m.tables)))
		for _, t := range m.tables {
			s.byte(0x70)
			encodeLimits(s, t)
		}
		w.section(secTable, s.buf)
	}
	if len(m.memories) > 0 {
		s := &writer{}
		s.u32(uint32(len(m.memories)))
		for _, l := range m.memories {
			encodeLimits(s, l)
		}
		w.section(secMemory, s.buf)
	}
	if len(m.globals) > 0 {
		s := &writer{}
		s.u32(uint32(len(m.globals)))
		for _, g := range m.globals {
			s.byte(g.valType)
			if g.mutable {
				s.byte(1)
			} else {
				s.byte(0)
			}
			encodeConst(s, g.valType, g.init)
		}
		w.section(secGlobal, s.buf)
	}
	if len(m.exports) > 0 {
		s := &writer{}
		s.u32(uint32(len(m.exports)))
		for _, e := range m.exports {
			s.name(e.name)
			s.byte(e.kind)
			s.u32(e.index)
		}
		w.section(secExport, s.buf)
	}
	if len(m.elements) > 0 {
		s := &writer{}
		s.u32(uint32(len(m.elements)))
		for _, e := range m.elements {
			s.u32(0)
			encodeConst(s, valI32, int64(int32(e.offset)))
			s.u32(uint32(len(e.funcs)))
			for _, f := range e.funcs {
				s.u32(f)
			}
		}
		w.section(secElement, s.buf)
	}
	if len(m.codes) > 0 {
		s := &writer{}
		s.u32(uint32(len(m.codes)))
		for _, c := range m.codes {
			f := &writer{}
			f.u32(uint32(len(c.locals)))
			for _, l := range c.locals {
				f.u32(l.count)
				f.byte(l.valType)
			}
			f.raw(c.body)
			s.sized(f.buf)
		}
		w.section(secCode, s.buf)
	}
	if len(m.datas) > 0 {
		s := &writer{}
		s.u32(uint32(len(m.datas)))
		for _, d := range m.datas {
			s.u32(0)
			encodeConst(s, valI32, int64(int32(d.offset)))
			s.sized(d.init)
		}
		w.section(secData, s.buf)
	}
	return w.buf
}

func encodeLimits(w *writer, l limits) {
	if l.hasMax {
		w.byte(1)
		w.u32(l.min)
		w.u32(l.max)
		return
	}
	w.byte(0)
	w.u32(l.min)
}

func encodeConst(w *writer, t byte, v int64) {
	if t == valI32 {
		w.byte(0x41)
	} else {
		w.byte(0x42)
	}
	w.s64(v)
	w.byte(0x0b)
}
