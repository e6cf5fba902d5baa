;; mixer: the simulation's and the keeper tests' tiny ABI v1 program. Its
;; output is 8 bytes: a 64-bit LCG state seeded by job id and item, stepped
;; once per input byte (folding the byte in) and then rounds times, where
;; rounds = 16 × (params[0] if any params else 1) + item mod 8; so the fuel an
;; item uses depends on the job, the item and its input.
;; Built with wabt: wat2wasm mixer.wat -o mixer.wasm
(module
  (memory (export "memory") 1 1)
  (global $heap (mut i32) (i32.const 1024))
  (func (export "nightshift_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $len)))
    (local.get $p))
  (func (export "nightshift_run") (param $job i64) (param $item i64) (param $pp i32) (param $pl i32) (param $ip i32) (param $il i32) (result i64)
    (local $x i64) (local $rounds i32) (local $i i32)
    (local.set $x (i64.add (i64.mul (local.get $job) (i64.const 0x9e3779b97f4a7c15)) (local.get $item)))
    ;; fold the input in, one step per byte
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $il)))
        (local.set $x (i64.add
          (i64.mul (local.get $x) (i64.const 6364136223846793005))
          (i64.load8_u (i32.add (local.get $ip) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; rounds = 16 × (params[0] or 1) + item mod 8
    (local.set $rounds (i32.const 1))
    (if (i32.gt_u (local.get $pl) (i32.const 0))
      (then (local.set $rounds (i32.load8_u (local.get $pp)))))
    (local.set $rounds (i32.add (i32.mul (local.get $rounds) (i32.const 16))
      (i32.wrap_i64 (i64.rem_u (local.get $item) (i64.const 8)))))
    (block $end
      (loop $step
        (br_if $end (i32.eqz (local.get $rounds)))
        (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005)) (i64.const 1442695040888963407)))
        (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 29))))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $step)))
    (i64.store (i32.const 0) (local.get $x))
    ;; out_ptr 0, out_len 8
    (i64.const 8)))
