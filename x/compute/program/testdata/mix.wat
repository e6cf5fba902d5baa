;; mix: a compute kernel. params = rounds (u32 LE, 0 if absent); the output is the
;; 8-byte state after that many xorshift-multiply rounds seeded by job_id, item and
;; the input bytes. Uses div/rem, call_indirect and sign extension so their costs show
;; in the golden fuel.
(module
  (type $step (func (param i64) (result i64)))
  (memory (export "memory") 1 1)
  (table 2 funcref)
  (elem (i32.const 0) $xs $mul)
  (global $heap (mut i32) (i32.const 64))
  (func (export "nightshift_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $len)))
    (local.get $p))
  (func $xs (type $step) (param $x i64) (result i64)
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
    (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
    (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
  (func $mul (type $step) (param $x i64) (result i64)
    (i64.add (i64.mul (local.get $x) (i64.const 0x9E3779B97F4A7C15))
             (i64.extend8_s (i64.rem_u (local.get $x) (i64.const 251)))))
  (func (export "nightshift_run") (param $job i64) (param $item i64) (param $pp i32) (param $pl i32) (param $ip i32) (param $il i32) (result i64)
    (local $x i64) (local $rounds i32) (local $i i32)
    (if (i32.ge_u (local.get $pl) (i32.const 4))
      (then (local.set $rounds (i32.load (local.get $pp)))))
    (local.set $x (i64.xor (local.get $job) (i64.mul (local.get $item) (i64.const 0x100000001B3))))
    (block $done
      (loop $in
        (br_if $done (i32.ge_u (local.get $i) (local.get $il)))
        (local.set $x (i64.add (local.get $x) (i64.load8_u (i32.add (local.get $ip) (local.get $i)))))
        (local.set $x (call $xs (local.get $x)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $in)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $round
        (br_if $done (i32.ge_u (local.get $i) (local.get $rounds)))
        (local.set $x (call_indirect (type $step) (local.get $x) (i32.rem_u (local.get $i) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $round)))
    (i64.store (i32.const 0) (local.get $x))
    (i64.const 8)))
