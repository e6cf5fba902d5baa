// proth: Proth's theorem on candidates N = k*2^n + 1, one range of odd k per item.
//
// Built against Nightshift's Program ABI v1 (docs/requesters.md, section "proth"):
// no imports, no start function, no floats, one exported memory. The arithmetic is
// Montgomery multiplication on 32-bit limbs, so the program needs only i64
// multiplies and the native Go reference (proth.go) can mirror it step for step.
//
// Params (16 bytes, little-endian): u32 n, u64 k_start (odd), u32 k_per_item.
// k_per_item is at most 2^16 and items at most 2^40.
// Item i tests k = k_start + 2*(i*k_per_item + j) for j in [0, k_per_item).
// Output: u32 tested, u32 primes, u32 undecided, u64 residue digest, then one
// u64 k per prime found, in increasing k. Invalid params trap (unreachable).

typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned long size_t;

#define MAX_LIMBS 32 // N up to 1024 bits
#define MAX_BASE_TRIES 1024
#define MAX_PER_ITEM (1u << 16) // its output (8 bytes a prime) fits in the 16 pages

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

static u32 load32(const unsigned char *p) {
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 load64(const unsigned char *p) { return (u64)load32(p) | (u64)load32(p + 4) << 32; }

static void store32(unsigned char *p, u32 v) {
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void store64(unsigned char *p, u64 v) {
	store32(p, (u32)v);
	store32(p + 4, (u32)(v >> 32));
}

static u64 splitmix64(u64 x) {
	u64 z = x + 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int bitlen64(u64 x) {
	int b = 0;
	while (x) {
		b++;
		x >>= 1;
	}
	return b;
}

// A candidate's modulus and its Montgomery constants.
typedef struct {
	u32 limbs;              // L: N has at most 32*L bits
	u32 n0inv;              // -N^-1 mod 2^32
	u32 N[MAX_LIMBS];
	u32 R2[MAX_LIMBS];      // R^2 mod N, R = 2^(32L)
} modulus;

// set_candidate writes N = k*2^n + 1 into m->N.
static void set_candidate(modulus *m, u64 k, u32 n) {
	u32 bits = (u32)bitlen64(k) + n; // k*2^n+1 has exactly this many bits (n >= 1)
	m->limbs = (bits + 31) / 32;
	for (u32 i = 0; i < MAX_LIMBS; i++) m->N[i] = 0;
	u32 w = n / 32, s = n % 32;
	// k << n spans up to three limbs.
	u64 lo = k << s;
	u32 carry = s ? (u32)(k >> (64 - s)) : 0;
	m->N[w] = (u32)lo;
	if (w + 1 < MAX_LIMBS) m->N[w + 1] = (u32)(lo >> 32);
	if (w + 2 < MAX_LIMBS) m->N[w + 2] = carry;
	m->N[0] |= 1; // +1: bit 0 of k*2^n is clear because n >= 1
}

// geq reports a >= N over L limbs.
static int geq(const u32 *a, const u32 *N, u32 L) {
	for (u32 i = L; i-- > 0;) {
		if (a[i] != N[i]) return a[i] > N[i];
	}
	return 1;
}

static void sub_in_place(u32 *a, const u32 *N, u32 L) {
	u64 borrow = 0;
	for (u32 i = 0; i < L; i++) {
		u64 d = (u64)a[i] - N[i] - borrow;
		a[i] = (u32)d;
		borrow = (d >> 32) & 1;
	}
}

static void prepare(modulus *m) {
	u32 L = m->limbs;
	u32 n0 = m->N[0], inv = n0; // Newton: each step doubles the correct low bits
	for (int i = 0; i < 5; i++) inv *= 2 - n0 * inv;
	m->n0inv = (u32)0 - inv;
	// R^2 mod N by doubling 1 (64L times) with a conditional subtraction.
	u32 *r = m->R2;
	for (u32 i = 0; i < MAX_LIMBS; i++) r[i] = 0;
	r[0] = 1;
	for (u32 b = 0; b < 64 * L; b++) {
		u32 top = r[L - 1] >> 31;
		for (u32 i = L; i-- > 1;) r[i] = r[i] << 1 | r[i - 1] >> 31;
		r[0] <<= 1;
		if (top || geq(r, m->N, L)) sub_in_place(r, m->N, L);
	}
}

// montmul_fixed sets out = a*b*R^-1 mod N for N of exactly L limbs, L a compile-time
// constant; out may alias a or b. One pass per word of b (the multiply and the
// reduction interleaved, each with its own carry). With L constant the inner loop
// is fully unrolled (the outer one, over b's words, is not: that would be L^2 code),
// so t, a and N live in WebAssembly locals: a pass touches memory only to load its
// word of b, and t goes to memory once, for the final comparison. wazero's compiler
// bounds-checks every memory access; with the limbs in memory (four accesses per
// limb in the inner loop, two limbs per access) the item ran at 0.38 of the native
// reference. The locals hold the 32-bit limbs zero-extended to 64 bits, so the inner
// step has no wrap/extend pairs: i32 locals gave about 0.5, i64 ones about 0.65
// (docs/benchmarks.md, "proth: limbs in locals"). The arithmetic, and so every
// output, is the reference's (reference.go), limb by limb; only the fuel changed.
static inline __attribute__((always_inline)) void montmul_fixed(u32 *out, const u32 *a, const u32 *b,
                                                                const modulus *m, const u32 L) {
	u64 t[MAX_LIMBS + 1], A[MAX_LIMBS], N[MAX_LIMBS]; // limbs, zero-extended
#pragma clang loop unroll(full)
	for (u32 i = 0; i <= L; i++) t[i] = 0;
#pragma clang loop unroll(full)
	for (u32 i = 0; i < L; i++) {
		A[i] = a[i];
		N[i] = m->N[i];
	}
	u32 n0inv = m->n0inv;
	for (u32 i = 0; i < L; i++) {
		u64 bi = b[i];
		u64 c1 = t[0] + A[0] * bi;
		u64 mi = (u32)((u32)c1 * n0inv);
		u64 c2 = (c1 & 0xFFFFFFFFu) + mi * N[0]; // low word is 0 by the choice of mi
#pragma clang loop unroll(full)
		for (u32 j = 1; j < L; j++) {
			c1 = t[j] + A[j] * bi + (c1 >> 32);
			c2 = (c1 & 0xFFFFFFFFu) + mi * N[j] + (c2 >> 32);
			t[j - 1] = c2 & 0xFFFFFFFFu;
		}
		c1 = t[L] + (c1 >> 32);
		c2 = (c1 & 0xFFFFFFFFu) + (c2 >> 32);
		t[L - 1] = c2 & 0xFFFFFFFFu;
		t[L] = (u32)(c1 >> 32) + (u32)(c2 >> 32);
	}
	u32 r[MAX_LIMBS + 1];
#pragma clang loop unroll(full)
	for (u32 i = 0; i <= L; i++) r[i] = (u32)t[i];
	if (r[L] || geq(r, m->N, L)) sub_in_place(r, m->N, L);
#pragma clang loop unroll(full)
	for (u32 i = 0; i < L; i++) out[i] = r[i];
}

// One function per limb count, reached through a table: wazero's compiler takes far
// longer on one function holding all 32 (docs/benchmarks.md), and a validator
// compiles every program it re-runs. (An indirect call, because clang runs
// binaryen's wasm-opt when it is installed, and wasm-opt inlines direct calls
// whatever the C says.)
#define MONTMUL_FN(L) \
	static void montmul_##L(u32 *out, const u32 *a, const u32 *b, const modulus *m) { \
		montmul_fixed(out, a, b, m, L); \
	}
MONTMUL_FN(1) MONTMUL_FN(2) MONTMUL_FN(3) MONTMUL_FN(4) MONTMUL_FN(5) MONTMUL_FN(6)
MONTMUL_FN(7) MONTMUL_FN(8) MONTMUL_FN(9) MONTMUL_FN(10) MONTMUL_FN(11) MONTMUL_FN(12)
MONTMUL_FN(13) MONTMUL_FN(14) MONTMUL_FN(15) MONTMUL_FN(16) MONTMUL_FN(17) MONTMUL_FN(18)
MONTMUL_FN(19) MONTMUL_FN(20) MONTMUL_FN(21) MONTMUL_FN(22) MONTMUL_FN(23) MONTMUL_FN(24)
MONTMUL_FN(25) MONTMUL_FN(26) MONTMUL_FN(27) MONTMUL_FN(28) MONTMUL_FN(29) MONTMUL_FN(30)
MONTMUL_FN(31) MONTMUL_FN(32)

static void (*const montmul_by_limbs[MAX_LIMBS])(u32 *, const u32 *, const u32 *, const modulus *) = {
	montmul_1, montmul_2, montmul_3, montmul_4, montmul_5, montmul_6, montmul_7, montmul_8,
	montmul_9, montmul_10, montmul_11, montmul_12, montmul_13, montmul_14, montmul_15, montmul_16,
	montmul_17, montmul_18, montmul_19, montmul_20, montmul_21, montmul_22, montmul_23, montmul_24,
	montmul_25, montmul_26, montmul_27, montmul_28, montmul_29, montmul_30, montmul_31, montmul_32,
};

// montmul is montmul_fixed for the candidate's limb count, 1 to MAX_LIMBS
// (set_candidate and nightshift_run keep it there).
static void montmul(u32 *out, const u32 *a, const u32 *b, const modulus *m) {
	montmul_by_limbs[m->limbs - 1](out, a, b, m);
}

static u32 mod_small(const modulus *m, u32 a) {
	u64 r = 0;
	for (u32 i = m->limbs; i-- > 0;) r = ((r << 32) | m->N[i]) % a;
	return (u32)r;
}

// jacobi_u32 is the Jacobi symbol (a/n) for odd n.
static int jacobi_u32(u32 a, u32 n) {
	int res = 1;
	a %= n;
	while (a) {
		while (!(a & 1)) {
			a >>= 1;
			u32 r = n & 7;
			if (r == 3 || r == 5) res = -res;
		}
		u32 t = a;
		a = n;
		n = t;
		if ((a & 3) == 3 && (n & 3) == 3) res = -res;
		a %= n;
	}
	return n == 1 ? res : 0;
}

// jacobi_big is (a/N) for the candidate N, by reciprocity down to 32-bit words.
static int jacobi_big(u32 a, const modulus *m) {
	int res = 1;
	u32 low = m->N[0];
	while (a && !(a & 1)) {
		a >>= 1;
		u32 r = low & 7;
		if (r == 3 || r == 5) res = -res;
	}
	if (a == 0) return 0;
	if ((a & 3) == 3 && (low & 3) == 3) res = -res;
	return res * jacobi_u32(mod_small(m, a), a);
}

// fits_at_most reports N <= a (N fits in one limb and is at most a).
static int fits_at_most(const modulus *m, u32 a) {
	for (u32 i = 1; i < m->limbs; i++)
		if (m->N[i]) return 0;
	return m->N[0] <= a;
}

enum { COMPOSITE, PRIME, UNDECIDED };

// proth_test decides N = k*2^n+1 with a base chosen from the job: the first a >= a0
// with (a/N) = -1; then N is prime iff a^((N-1)/2) = -1 mod N. *residue gets the
// low 64 bits of a^((N-1)/2) mod N (0 when no exponentiation was done).
static int proth_test(u64 job_id, u64 k, u32 n, modulus *m, u64 *residue) {
	*residue = 0;
	set_candidate(m, k, n);
	u32 a = 3 + (u32)(splitmix64(job_id ^ splitmix64(k)) & 0xFFFF);
	int found = 0;
	for (u32 tries = 0; tries < MAX_BASE_TRIES; tries++, a++) {
		int j = jacobi_big(a, m);
		if (j == -1) {
			found = 1;
			break;
		}
		// (a/N) = 0 means gcd(a, N) > 1: a proper factor unless N <= a.
		if (j == 0 && !fits_at_most(m, a)) return COMPOSITE;
	}
	if (!found) return UNDECIDED;
	prepare(m);
	u32 L = m->limbs;
	u32 x[MAX_LIMBS], y[MAX_LIMBS], one[MAX_LIMBS];
	for (u32 i = 0; i < L; i++) {
		x[i] = 0;
		one[i] = 0;
	}
	x[0] = a;
	one[0] = 1;
	montmul(x, x, m->R2, m); // x = aR mod N (a < 2^17 < N or reduced by montmul)
	for (u32 i = 0; i < L; i++) y[i] = x[i];
	// y = a^k: square-and-multiply over k's bits below the top one.
	for (int b = bitlen64(k) - 2; b >= 0; b--) {
		montmul(y, y, y, m);
		if ((k >> b) & 1) montmul(y, y, x, m);
	}
	for (u32 s = 1; s < n; s++) montmul(y, y, y, m);
	montmul(y, y, one, m); // out of Montgomery form
	*residue = (u64)y[0] | (L > 1 ? (u64)y[1] << 32 : 0);
	// y == N - 1: N's low limb is odd, so N-1 differs only in bit 0.
	if (y[0] != (m->N[0] ^ 1)) return COMPOSITE;
	for (u32 i = 1; i < L; i++)
		if (y[i] != m->N[i]) return COMPOSITE;
	return PRIME;
}

static modulus scratch;

__attribute__((export_name("nightshift_run"))) u64 nightshift_run(u64 job_id, u64 item, u32 params_ptr,
                                                                   u32 params_len, u32 input_ptr, u32 input_len) {
	(void)input_ptr;
	(void)input_len;
	if (params_len != 16) __builtin_trap();
	const unsigned char *p = (const unsigned char *)params_ptr;
	u32 n = load32(p);
	u64 k_start = load64(p + 4);
	u32 per = load32(p + 12);
	if (n < 1 || per == 0 || !(k_start & 1)) __builtin_trap();
	// The last k of this item must not wrap and N must fit in MAX_LIMBS limbs;
	// Proth's theorem needs k < 2^n.
	// Caps on per and item keep item*per below 2^60 without an overflow check
	// (which clang would lower to a 128-bit multiply, __multi3, absent here).
	if (per > MAX_PER_ITEM || item >= (1ull << 40)) __builtin_trap();
	u64 first_index = item * per;
	u64 last_index = first_index + (per - 1);
	if (last_index < first_index || last_index > (~0ull - k_start) / 2) __builtin_trap();
	u64 k_last = k_start + 2 * last_index;
	if ((u32)bitlen64(k_last) + n > 32 * MAX_LIMBS) __builtin_trap();
	if (n < 64 && (k_last >> n) != 0) __builtin_trap();

	unsigned char *out = (unsigned char *)nightshift_alloc(20 + 8 * per);
	u32 primes = 0, undecided = 0;
	u64 digest = 0;
	for (u32 j = 0; j < per; j++) {
		u64 k = k_start + 2 * (first_index + j);
		u64 residue;
		int verdict = proth_test(job_id, k, n, &scratch, &residue);
		digest = (digest ^ residue) * 0x100000001B3ull;
		if (verdict == PRIME) store64(out + 20 + 8 * primes++, k);
		if (verdict == UNDECIDED) undecided++;
	}
	store32(out, per);
	store32(out + 4, primes);
	store32(out + 8, undecided);
	store64(out + 12, digest);
	return (u64)(u32)out << 32 | (20 + 8 * primes);
}
