;; peek: the output is the whole memory, after growing it by params[0] pages and,
;; when params[1] is not 0, filling every byte with params[1]. A clean item (fill 0)
;; shows what a fresh instance's memory holds: zeros, the data segment, its params.
(module
  (memory (export "memory") 1 16)
  (data (i32.const 16) "segment")
  (global $heap (mut i32) (i32.const 1024))
  (func $alloc (export "nightshift_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $len)))
    (block $ok
      (br_if $ok (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
      (drop (memory.grow (i32.const 1))))
    (local.get $p))
  (func (export "nightshift_run") (param $job i64) (param $item i64) (param $pp i32) (param $pl i32) (param $ip i32) (param $il i32) (result i64)
    (local $end i32) (local $fill i32) (local $p i32)
    (drop (memory.grow (i32.load8_u (local.get $pp))))
    (local.set $fill (i32.load8_u offset=1 (local.get $pp)))
    (local.set $end (i32.mul (memory.size) (i32.const 65536)))
    (if (local.get $fill)
      (then
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
            (i32.store8 (local.get $p) (local.get $fill))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $next)))))
    (i64.extend_i32_u (local.get $end))))
