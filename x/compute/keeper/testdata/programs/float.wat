;; refused: a float instruction
(module
  (memory (export "memory") 1)
  (func (export "nightshift_alloc") (param i32) (result i32) (i32.const 0))
  (func (export "nightshift_run") (param i64 i64 i32 i32 i32 i32) (result i64)
    (i64.trunc_f64_s (f64.div (f64.const 1) (f64.const 3)))))
