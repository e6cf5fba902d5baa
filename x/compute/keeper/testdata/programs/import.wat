;; refused: imports a host function (ABI v1 programs import nothing)
(module
  (import "env" "clock" (func $clock (result i64)))
  (memory (export "memory") 1)
  (func (export "nightshift_alloc") (param i32) (result i32) (i32.const 0))
  (func (export "nightshift_run") (param i64 i64 i32 i32 i32 i32) (result i64) (call $clock)))
