package tiles

// The native reference mirrors src/tiles.c: the same integer filters on a halo'd
// tile, so its output bytes equal the program's.

// filterAt computes one output pixel from the 3x3 neighbourhood around px[i].
func filterAt(f Filter, px []byte, i, stride int) byte {
	return filter(f, int(px[i-stride-1]), int(px[i-stride]), int(px[i-stride+1]),
		int(px[i-1]), int(px[i]), int(px[i+1]),
		int(px[i+stride-1]), int(px[i+stride]), int(px[i+stride+1]))
}

// filter is one pixel from its neighbourhood a b c / d e ff / g h k.
func filter(f Filter, a, b, c, d, e, ff, g, h, k int) byte {
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
	// A sliding window, as the program: three new loads per pixel.
	for y := range h {
		r0, r1, r2 := px[y*stride:(y+1)*stride], px[(y+1)*stride:(y+2)*stride], px[(y+2)*stride:(y+3)*stride]
		a, b, d, e, g, hh := int(r0[0]), int(r0[1]), int(r1[0]), int(r1[1]), int(r2[0]), int(r2[1])
		dst := out[HeaderLen+y*w : HeaderLen+(y+1)*w]
		for x := range dst {
			c, ff, k := int(r0[x+2]), int(r1[x+2]), int(r2[x+2])
			dst[x] = filter(p.Filter, a, b, c, d, e, ff, g, hh, k)
			a, b, d, e, g, hh = b, c, e, ff, hh, k
		}
	}
	return out, true
}
