// tiles: a 3x3 image filter over one grayscale tile per item, for Nightshift's
// Program ABI v1 (docs/requesters.md, section "tiles").
//
// The job's inputs are the image cut into tiles; each tile carries a one-pixel halo
// (its neighbours, or the edge pixel repeated at the image border), so the filtered
// tiles put back together equal the filter applied to the whole image.
//
// Params (4 bytes, little-endian): u32 filter: 0 Gaussian blur, 1 Sobel edges,
// 2 sharpen. Input: u16 x, u16 y, u16 w, u16 h (the tile's place in the image),
// then (w+2)*(h+2) bytes (1 <= w, h <= 512) of 8-bit gray, row-major, halo included. Output: the same
// 8-byte header, then w*h filtered bytes. Bad params or input trap (unreachable).

typedef unsigned int u32;
typedef unsigned long size_t;

#define MAX_SIDE 512 // pixels per tile side: input and output fit in the 16 pages

extern unsigned char __heap_base;
static u32 heap_top;

// memset and memcpy: clang may lower loops to them and there is no libc (-nostdlib).
void *memset(void *dst, int c, size_t len) {
	unsigned char *d = dst;
	while (len--) *d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t len) {
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (len--) *d++ = *s++;
	return dst;
}

// nightshift_alloc is a bump allocator: every item runs in a fresh instance, so
// nothing is ever freed.
__attribute__((export_name("nightshift_alloc"))) u32 nightshift_alloc(u32 len) {
	if (heap_top == 0) heap_top = (u32)&__heap_base;
	u32 addr = (heap_top + 7) & ~7u;
	u32 end = addr + len;
	if (end < addr) __builtin_trap();
	u32 have = (u32)__builtin_wasm_memory_size(0) << 16;
	if (end > have) {
		u32 pages = (end - have + 0xFFFF) >> 16;
		if (__builtin_wasm_memory_grow(0, pages) == (unsigned long)-1) __builtin_trap();
	}
	heap_top = end;
	return addr;
}

static u32 load16(const unsigned char *p) { return (u32)p[0] | (u32)p[1] << 8; }

static int clamp255(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

static int absi(int v) { return v < 0 ? -v : v; }

// filter computes one output pixel from its 3x3 neighbourhood
//   a b c
//   d e f
//   g h i
static inline __attribute__((always_inline)) unsigned char filter(u32 kind, int a, int b, int c, int d, int e,
                                                                  int f, int g, int h, int i) {
	switch (kind) {
	case 0: // Gaussian 1 2 1 / 2 4 2 / 1 2 1, divided by 16, rounded
		return (unsigned char)((a + 2 * b + c + 2 * d + 4 * e + 2 * f + g + 2 * h + i + 8) >> 4);
	case 1: { // Sobel: |gx| + |gy|, saturated
		int gx = (c + 2 * f + i) - (a + 2 * d + g);
		int gy = (g + 2 * h + i) - (a + 2 * b + c);
		return (unsigned char)clamp255(absi(gx) + absi(gy));
	}
	default: // sharpen: 5e - b - d - f - h, clamped
		return (unsigned char)clamp255(5 * e - b - d - f - h);
	}
}

// A u32 at any address (unaligned loads and stores of four pixels).
typedef u32 __attribute__((may_alias, aligned(1))) u32a;

// rows filters the tile with a sliding window: three new pixels per output pixel,
// loaded four at a time (one u32 load per row and one u32 store for four outputs:
// wazero bounds-checks every memory access, so four bytes per access instead of one
// made the 64x64 tile item faster, docs/benchmarks.md). Inlined with a constant
// kind, so each filter gets its own loop without a switch in it.
static inline __attribute__((always_inline)) void rows(u32 kind, const unsigned char *px, u32 w, u32 h,
                                                       unsigned char *dst) {
	u32 stride = w + 2;
	for (u32 y = 0; y < h; y++, dst += w) {
		const unsigned char *r0 = px + y * stride, *r1 = r0 + stride, *r2 = r1 + stride;
		int a = r0[0], b = r0[1], d = r1[0], e = r1[1], g = r2[0], hh = r2[1];
		u32 x = 0;
		for (; x + 4 <= w; x += 4) {
			u32 q0 = *(const u32a *)(r0 + x + 2), q1 = *(const u32a *)(r1 + x + 2), q2 = *(const u32a *)(r2 + x + 2);
			u32 o = 0;
#pragma clang loop unroll(full)
			for (u32 k = 0; k < 4; k++) {
				int c = (q0 >> (8 * k)) & 0xFF, f = (q1 >> (8 * k)) & 0xFF, i = (q2 >> (8 * k)) & 0xFF;
				o |= (u32)filter(kind, a, b, c, d, e, f, g, hh, i) << (8 * k);
				a = b, b = c, d = e, e = f, g = hh, hh = i;
			}
			*(u32a *)(dst + x) = o;
		}
		for (; x < w; x++) {
			int c = r0[x + 2], f = r1[x + 2], i = r2[x + 2];
			dst[x] = filter(kind, a, b, c, d, e, f, g, hh, i);
			a = b, b = c, d = e, e = f, g = hh, hh = i;
		}
	}
}

__attribute__((export_name("nightshift_run"))) unsigned long long nightshift_run(unsigned long long job_id,
                                                                                  unsigned long long item,
                                                                                  u32 params_ptr, u32 params_len,
                                                                                  u32 input_ptr, u32 input_len) {
	(void)job_id;
	(void)item;
	if (params_len != 4) __builtin_trap();
	const unsigned char *p = (const unsigned char *)params_ptr;
	u32 kind = load16(p) | load16(p + 2) << 16;
	if (kind > 2 || input_len < 8) __builtin_trap();
	const unsigned char *in = (const unsigned char *)input_ptr;
	u32 w = load16(in + 4), h = load16(in + 6);
	u32 stride = w + 2;
	// The side cap keeps (w+2)*(h+2) far from wrapping 32 bits.
	if (w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE || input_len != 8 + stride * (h + 2)) __builtin_trap();
	unsigned char *out = (unsigned char *)nightshift_alloc(8 + w * h);
	for (u32 j = 0; j < 8; j++) out[j] = in[j];
	switch (kind) {
	case 0: rows(0, in + 8, w, h, out + 8); break;
	case 1: rows(1, in + 8, w, h, out + 8); break;
	default: rows(2, in + 8, w, h, out + 8); break;
	}
	return (unsigned long long)(u32)out << 32 | (8 + w * h);
}
