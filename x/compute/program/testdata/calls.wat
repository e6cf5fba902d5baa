;; calls: params = n (u32 LE); nightshift_run makes n calls of a tiny leaf function
;; and n calls of a non-leaf one, the call-heavy kernel of the benchmarks.
(module
  (memory (export "memory") 1 1)
  (global $heap (mut i32) (i32.const 64))
  (func (export "nightshift_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $len)))
    (local.get $p))
  (func $leaf (param $x i32) (result i32)
    (i32.add (local.get $x) (i32.const 1)))
  (func $inner (param $x i32) (result i32)
    (call $leaf (local.get $x)))
  (func (export "nightshift_run") (param $job i64) (param $item i64) (param $pp i32) (param $pl i32) (param $ip i32) (param $il i32) (result i64)
    (local $n i32) (local $x i32)
    (if (i32.ge_u (local.get $pl) (i32.const 4))
      (then (local.set $n (i32.load (local.get $pp)))))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (call $inner (local.get $x)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (i32.store (i32.const 0) (local.get $x))
    (i64.const 4)))
