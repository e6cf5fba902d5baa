;; traps: params[0] chooses how nightshift_run ends.
;;  0 unreachable, 1 out-of-bounds load, 2 division by zero, 3 null table entry,
;;  4 indirect call with the wrong type, 5 output range past memory, 6 output longer
;;  than the cap (a valid 4 KiB range), 7 infinite loop, 8 runaway recursion,
;;  9 recursion to depth input[0..4) (u32 LE), 10 grow by one page until it fails,
;;  returning the page count, 11 a valid 4-byte output, 12 an empty output.
(module
  (type $v (func))
  (memory (export "memory") 1 4)
  (table 2 funcref)
  (elem (i32.const 1) $nop)
  (global $heap (mut i32) (i32.const 1024))
  (func $nop (param i32))
  (func (export "nightshift_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $len)))
    (local.get $p))
  (func $forever (param $n i32) (result i32)
    (i32.add (call $forever (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
  (func $down (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (call $down (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))
  (func (export "nightshift_run") (param $job i64) (param $item i64) (param $pp i32) (param $pl i32) (param $ip i32) (param $il i32) (result i64)
    (local $mode i32) (local $n i32)
    (local.set $mode (i32.load8_u (local.get $pp)))
    (block $b12 (block $b11 (block $b10 (block $b9 (block $b8 (block $b7 (block $b6 (block $b5 (block $b4 (block $b3 (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 $b3 $b4 $b5 $b6 $b7 $b8 $b9 $b10 $b11 $b12 (local.get $mode)))
      unreachable)
      (return (i64.load (i32.const 0xfffffff0))))
      (return (i64.extend_i32_u (i32.div_u (i32.const 1) (i32.sub (local.get $mode) (i32.const 2))))))
      (call_indirect (type $v) (i32.const 0)) (return (i64.const 0)))
      (call_indirect (type $v) (i32.const 1)) (return (i64.const 0)))
      (return (i64.or (i64.shl (i64.const 65535) (i64.const 32)) (i64.const 100))))
      (return (i64.or (i64.shl (i64.const 1024) (i64.const 32)) (i64.const 4096))))
      (loop $l (br $l)) (return (i64.const 0)))
      (return (i64.extend_i32_u (call $forever (i32.const 0)))))
      (i32.store (i32.const 0) (call $down (i32.load (local.get $ip))))
      (return (i64.const 4)))
      (block $full (loop $g
        (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $g)))
      (i32.store (i32.const 0) (memory.size))
      (return (i64.const 4)))
      (i32.store (i32.const 0) (i32.const 0x04030201))
      (return (i64.const 4)))
    ;; 12: an empty output at address 0
    (i64.const 0)))
