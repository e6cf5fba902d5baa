package program

import "fmt"

// The decoders of the individual sections and their entries (WebAssembly 1.0, 5.5).

func decodeValType(r *reader) (byte, error) {
	t, err := r.byte()
	if err != nil {
		return 0, err
	}
	switch t {
	case valI32, valI64:
		return t, nil
	case valF32, valF64:
		return 0, fmt.Errorf("%w: float value type at offset %d", ErrFloatInstruction, r.pos-1)
	}
	return 0, fmt.Errorf("%w: value type 0x%x", ErrUnsupportedFeature, t)
}

func (m *module) decodeTypes(r *reader) error {
	n, err := vecLen(r, 3)
	if err != nil {
		return err
	}
	m.types = make([]funcType, 0, n)
	for i := uint32(0); i < n; i++ {
		form, err := r.byte()
		if err != nil {
			return err
		}
		if form != 0x60 {
			return fmt.Errorf("%w: type form 0x%x", ErrMalformedModule, form)
		}
		var ft funcType
		for j, dst := range []*[]byte{&ft.params, &ft.results} {
			k, err := vecLen(r, 1)
			if err != nil {
				return err
			}
			if j == 1 && k > 1 {
				return fmt.Errorf("%w: multi-value result", ErrUnsupportedFeature)
			}
			for ; k > 0; k-- {
				t, err := decodeValType(r)
				if err != nil {
					return err
				}
				*dst = append(*dst, t)
			}
		}
		m.types = append(m.types, ft)
	}
	return nil
}

func decodeLimits(r *reader) (limits, error) {
	flag, err := r.byte()
	if err != nil {
		return limits{}, err
	}
	var l limits
	switch flag {
	case 0:
	case 1:
		l.hasMax = true
	default: // 2, 3: shared memory (threads), or garbage
		return l, fmt.Errorf("%w: limits flag 0x%x", ErrUnsupportedFeature, flag)
	}
	if l.min, err = r.u32(); err != nil {
		return l, err
	}
	if l.hasMax {
		if l.max, err = r.u32(); err != nil {
			return l, err
		}
		if l.max < l.min {
			return l, fmt.Errorf("%w: limits max %d below min %d", ErrMalformedModule, l.max, l.min)
		}
	}
	return l, nil
}

// decodeConstExpr reads an MVP constant expression that a v1 program may use: one
// i32.const or i64.const and end (global.get could name only imported globals, and
// there are none).
func decodeConstExpr(r *reader, want byte) (int64, error) {
	op, err := r.byte()
	if err != nil {
		return 0, err
	}
	var v int64
	switch {
	case op == 0x41 && want == valI32:
		var v32 int32
		v32, err = r.s32()
		v = int64(v32)
	case op == 0x42 && want == valI64:
		v, err = r.s64()
	default:
		return 0, fmt.Errorf("%w: constant expression opcode 0x%x for type 0x%x", ErrMalformedModule, op, want)
	}
	if err != nil {
		return 0, err
	}
	end, err := r.byte()
	if err != nil {
		return 0, err
	}
	if end != 0x0b {
		return 0, fmt.Errorf("%w: constant expression longer than one instruction", ErrMalformedModule)
	}
	return v, nil
}

func (m *module) decodeGlobals(r *reader) error {
	n, err := vecLen(r, 4)
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		var g global
		if g.valType, err = decodeValType(r); err != nil {
			return err
		}
		mut, err := r.byte()
		if err != nil {
			return err
		}
		if mut > 1 {
			return fmt.Errorf("%w: global mutability 0x%x", ErrMalformedModule, mut)
		}
		g.mutable = mut == 1
		if g.init, err = decodeConstExpr(r, g.valType); err != nil {
			return err
		}
		m.globals = append(m.globals, g)
	}
	return nil
}

func (m *module) decodeExports(r *reader) error {
	n, err := vecLen(r, 3)
	if err != nil {
		return err
	}
	seen := make(map[string]bool, n)
	for i := uint32(0); i < n; i++ {
		var e export
		if e.name, err = r.name(); err != nil {
			return err
		}
		if seen[e.name] {
			return fmt.Errorf("%w: duplicate export %q", ErrMalformedModule, e.name)
		}
		seen[e.name] = true
		if e.kind, err = r.byte(); err != nil {
			return err
		}
		if e.kind > extGlobal {
			return fmt.Errorf("%w: export kind 0x%x", ErrMalformedModule, e.kind)
		}
		if e.index, err = r.u32(); err != nil {
			return err
		}
		m.exports = append(m.exports, e)
	}
	return nil
}

func (m *module) decodeElements(r *reader) error {
	n, err := vecLen(r, 4)
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		flag, err := r.u32()
		if err != nil {
			return err
		}
		if flag != 0 { // non-zero: bulk-memory / reference-types segment forms
			return fmt.Errorf("%w: element segment form %d", ErrUnsupportedFeature, flag)
		}
		off, err := decodeConstExpr(r, valI32)
		if err != nil {
			return err
		}
		k, err := vecLen(r, 1)
		if err != nil {
			return err
		}
		e := element{offset: uint32(off), funcs: make([]uint32, k)}
		for j := range e.funcs {
			if e.funcs[j], err = r.u32(); err != nil {
				return err
			}
		}
		m.elements = append(m.elements, e)
	}
	return nil
}

func (m *module) decodeCodes(r *reader) error {
	n, err := vecLen(r, 2)
	if err != nil {
		return err
	}
	m.codes = make([]code, 0, n)
	for i := uint32(0); i < n; i++ {
		size, err := r.u32()
		if err != nil {
			return err
		}
		b, err := r.bytes(size)
		if err != nil {
			return err
		}
		cr := &reader{buf: b}
		runs, err := vecLen(cr, 2)
		if err != nil {
			return err
		}
		var c code
		total := uint64(0)
		for j := uint32(0); j < runs; j++ {
			var lr localRun
			if lr.count, err = cr.u32(); err != nil {
				return err
			}
			if lr.valType, err = decodeValType(cr); err != nil {
				return err
			}
			total += uint64(lr.count)
			if total > maxLocals {
				return fmt.Errorf("%w: function %d declares more than %d locals", ErrTooComplex, i, maxLocals)
			}
			c.locals = append(c.locals, lr)
		}
		c.body = b[cr.pos:]
		if len(c.body) == 0 || c.body[len(c.body)-1] != 0x0b {
			return fmt.Errorf("%w: function %d body does not end with end", ErrMalformedModule, i)
		}
		m.codes = append(m.codes, c)
	}
	return nil
}

func (m *module) decodeDatas(r *reader) error {
	n, err := vecLen(r, 4)
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		flag, err := r.u32()
		if err != nil {
			return err
		}
		if flag != 0 { // passive or explicit-memory segments are bulk-memory forms
			return fmt.Errorf("%w: data segment form %d", ErrUnsupportedFeature, flag)
		}
		off, err := decodeConstExpr(r, valI32)
		if err != nil {
			return err
		}
		k, err := r.u32()
		if err != nil {
			return err
		}
		init, err := r.bytes(k)
		if err != nil {
			return err
		}
		m.datas = append(m.datas, data{offset: uint32(off), init: init})
	}
	return nil
}
