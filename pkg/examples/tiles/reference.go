package tiles

// The native reference mirrors src/tiles.c: the same integer filters on a halo'd
// tile, so its output bytes equal the program's.

func filterAt(f Filter, px []byte, i, stride int) byte {
	a, b, c := int(px[i-stride-1]), int(px[i-stride]), int(px[i-stride+1])
	d, e, ff := int(px[i-1]), int(px[i]), int(px[i+1])
	g, h, k := int(px[i+stride-1]), int(px[i+stride]), int(px[i+stride+1])
	switch f {
	case Blur:
		return byte((a + 2*b + c + 2*d + 4*e + 2*ff + g + 2*h + k + 8) >> 4)
	case Edges:
		gx := (c + 2*ff + k) - (a + 2*d + g)
		gy := (g + 2*h + k) - (a + 2*b + c)
		return clamp255(abs(gx) + abs(gy))
	default:
		return clamp255(5*e - b - d - ff - h)
	}
}

func clamp255(v int) byte { return byte(max(0, min(v, 255))) }

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// Reference filters one tile input natively, as the program does; false where
// the program traps.
func Reference(p Params, input []byte) ([]byte, bool) {
	if p.Check() != nil {
		return nil, false
	}
	r, err := decodeHeader(input, 2)
	w, h := r.Dx(), r.Dy()
	if err != nil || w == 0 || h == 0 || w > MaxSide || h > MaxSide {
		return nil, false
	}
	out := make([]byte, HeaderLen+w*h)
	copy(out, input[:HeaderLen])
	px, stride := input[HeaderLen:], w+2
	for y := range h {
		for x := range w {
			out[HeaderLen+y*w+x] = filterAt(p.Filter, px, (y+1)*stride+x+1, stride)
		}
	}
	return out, true
}
