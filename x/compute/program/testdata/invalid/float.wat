(module
  (memory (export "memory") 1)
  (func (export "nightshift_alloc") (param i32) (result i32) (i32.const 0))
  (func (export "nightshift_run") (param i64 i64 i32 i32 i32 i32) (result i64)
    (i64.trunc_f64_s (f64.add (f64.convert_i64_s (local.get 0)) (f64.const 0.5)))))
