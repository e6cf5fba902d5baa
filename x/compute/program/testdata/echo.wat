;; echo: the output is params ‖ input ‖ job_id (8 bytes LE) ‖ item (8 bytes LE).
;; A bump allocator from 1024; the output goes where the next allocation would.
(module
  (memory (export "memory") 1 16)
  (global $heap (mut i32) (i32.const 1024))
  (func $alloc (export "nightshift_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $len)))
    ;; grow when the bump passes the end of memory
    (block $ok
      (br_if $ok (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
      (drop (memory.grow (i32.const 1))))
    (local.get $p))
  (func $copy (param $dst i32) (param $src i32) (param $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (local.set $src (i32.add (local.get $src) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next))))
  (func (export "nightshift_run") (param $job i64) (param $item i64) (param $pp i32) (param $pl i32) (param $ip i32) (param $il i32) (result i64)
    (local $out i32) (local $len i32)
    (local.set $len (i32.add (i32.add (local.get $pl) (local.get $il)) (i32.const 16)))
    (local.set $out (call $alloc (local.get $len)))
    (call $copy (local.get $out) (local.get $pp) (local.get $pl))
    (call $copy (i32.add (local.get $out) (local.get $pl)) (local.get $ip) (local.get $il))
    (i64.store (i32.add (local.get $out) (i32.add (local.get $pl) (local.get $il))) (local.get $job))
    (i64.store (i32.add (local.get $out) (i32.add (local.get $pl) (i32.add (local.get $il) (i32.const 8)))) (local.get $item))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))
  ;; not part of the ABI: dropped by the instrumentation, never called
  (func (export "helper") (result i32) (i32.const 7)))
