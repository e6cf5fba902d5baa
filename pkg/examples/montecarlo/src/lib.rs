//! montecarlo: prices a call option by simulating price paths, for Nightshift's
//! Program ABI v1 (docs/requesters.md, section "montecarlo").
//!
//! Integer arithmetic only (ABI v1 forbids float instructions): prices are Q32 fixed
//! point (value * 2^32 in a u64). A path is a random walk on an equal-probability
//! binomial tree: each step multiplies the price by `up` or `down`, one random bit
//! each. The generator is xoshiro256** seeded from the job id and the item, so an
//! item's output belongs to its job (guarantee G2).
//!
//! Params (52 bytes, little-endian): u64 spot, strike, up, down, discount (all Q32),
//! u32 steps (1..=65536), u32 paths (1..=16777216), u32 style (0 European,
//! 1 Asian arithmetic average). Anything else traps (unreachable).
//! Output (40 bytes, little-endian): u64 paths, u128 sum of discounted payoffs (Q32),
//! u128 sum of their squares (Q64).
#![no_std]

use core::arch::wasm32;

const PARAMS_LEN: u32 = 52;
const MAX_STEPS: u32 = 1 << 16;
const MAX_PATHS: u32 = 1 << 24;
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    wasm32::unreachable()
}

extern "C" {
    static __heap_base: u8;
}

static mut HEAP_TOP: u32 = 0;

/// A bump allocator: every item runs in a fresh instance, so nothing is freed.
#[no_mangle]
pub unsafe extern "C" fn nightshift_alloc(len: u32) -> u32 {
    if HEAP_TOP == 0 {
        HEAP_TOP = &__heap_base as *const u8 as u32;
    }
    let addr = (HEAP_TOP + 7) & !7;
    let end = match addr.checked_add(len) {
        Some(e) => e,
        None => wasm32::unreachable(),
    };
    let have = (wasm32::memory_size(0) as u32) << 16;
    if end > have {
        let pages = (end - have + 0xFFFF) >> 16;
        if wasm32::memory_grow(0, pages as usize) == usize::MAX {
            wasm32::unreachable();
        }
    }
    HEAP_TOP = end;
    addr
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(GOLDEN);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Xoshiro256 {
    s: [u64; 4],
}

impl Xoshiro256 {
    /// Seeds from z = splitmix64(job_id) ^ item: s[i] = splitmix64(z + i*GOLDEN).
    fn new(job_id: u64, item: u64) -> Self {
        let mut z = splitmix64(job_id) ^ item;
        let mut s = [0u64; 4];
        for w in s.iter_mut() {
            *w = splitmix64(z);
            z = z.wrapping_add(GOLDEN);
        }
        Xoshiro256 { s }
    }

    fn next(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }
}

/// mulq32 is floor(a*b / 2^32) mod 2^64 for Q32 values, from 32-bit halves.
fn mulq32(a: u64, b: u64) -> u64 {
    let (ah, al) = (a >> 32, a & 0xFFFF_FFFF);
    let (bh, bl) = (b >> 32, b & 0xFFFF_FFFF);
    ((ah.wrapping_mul(bh)) << 32)
        .wrapping_add(ah.wrapping_mul(bl))
        .wrapping_add(al.wrapping_mul(bh))
        .wrapping_add(al.wrapping_mul(bl) >> 32)
}

unsafe fn load_u32(p: *const u8) -> u32 {
    u32::from_le_bytes(*(p as *const [u8; 4]))
}

unsafe fn load_u64(p: *const u8) -> u64 {
    u64::from_le_bytes(*(p as *const [u8; 8]))
}

#[no_mangle]
pub unsafe extern "C" fn nightshift_run(
    job_id: u64,
    item: u64,
    params_ptr: u32,
    params_len: u32,
    _input_ptr: u32,
    _input_len: u32,
) -> u64 {
    if params_len != PARAMS_LEN {
        wasm32::unreachable();
    }
    let p = params_ptr as *const u8;
    let spot = load_u64(p);
    let strike = load_u64(p.add(8));
    let up = load_u64(p.add(16));
    let down = load_u64(p.add(24));
    let discount = load_u64(p.add(32));
    let steps = load_u32(p.add(40));
    let paths = load_u32(p.add(44));
    let style = load_u32(p.add(48));
    if steps == 0 || steps > MAX_STEPS || paths == 0 || paths > MAX_PATHS || style > 1 {
        wasm32::unreachable();
    }
    let mut rng = Xoshiro256::new(job_id, item);
    let (mut sum, mut sum_sq) = (0u128, 0u128);
    for _ in 0..paths {
        let (mut price, mut total, mut bits) = (spot, 0u64, 0u64);
        for t in 0..steps {
            if t % 64 == 0 {
                bits = rng.next();
            }
            price = mulq32(price, if bits & 1 == 1 { up } else { down });
            bits >>= 1;
            total = total.wrapping_add(price);
        }
        let underlying = if style == 0 { price } else { total / steps as u64 };
        let payoff = if underlying > strike { underlying - strike } else { 0 };
        let pv = mulq32(payoff, discount);
        sum = sum.wrapping_add(pv as u128);
        sum_sq = sum_sq.wrapping_add((pv as u128) * (pv as u128));
    }
    let out = nightshift_alloc(40) as *mut u8;
    *(out as *mut [u8; 8]) = (paths as u64).to_le_bytes();
    *(out.add(8) as *mut [u8; 16]) = sum.to_le_bytes();
    *(out.add(24) as *mut [u8; 16]) = sum_sq.to_le_bytes();
    ((out as u64) << 32) | 40
}
