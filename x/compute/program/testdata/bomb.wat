;; bomb: no declared maximum; nightshift_run grows one page at a time until
;; memory.grow fails, then returns the page count. The job's memory cap stops it.
(module
  (memory (export "memory") 1)
  (func (export "nightshift_alloc") (param i32) (result i32) (i32.const 16))
  (func (export "nightshift_run") (param i64 i64 i32 i32 i32 i32) (result i64)
    (block $full (loop $g
      (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
      (br $g)))
    (i32.store (i32.const 0) (memory.size))
    (i64.const 4)))
