/**
 * The merge kernel in WebAssembly text, SIMD over 4 f32 lanes (8 for the f16 store). Every function
 * takes byte offsets into the imported memory. Lengths are padded, never tailed: loops run to the next
 * multiple of 4 (8 for f16 output), so callers leave 32 bytes of slack after every region.
 *
 * dtype codes: 0 = F32, 1 = F16, 2 = BF16. merge modes: 0 = weighted, 1 = add-difference, 2 = convert A.
 */
export const DTYPE_CODE = { F32: 0, F16: 1, BF16: 2 } as const;
export const MODE_CODE = { weighted: 0, 'add-difference': 1, convert: 2 } as const;
/** elements per inner block: three f32 blocks of scratch (24 KiB) stay in L1/L2 between passes */
export const BLOCK = 2048;

/** a v128 of four equal i32 lanes */
const i32x4 = (v: number | string) => `(v128.const i32x4 ${v} ${v} ${v} ${v})`;

/**
 * WAT expression: 4 f16 (zero-extended into i32 lanes) -> 4 f32 bit patterns, exact. Inlined where used
 * (V8 does not inline wasm calls here, and the call costs half the speed); needs v128 locals $h $em.
 */
const f16ToF32 = (src: string) => `(block (result v128)
    (local.set $h ${src})
    (local.set $em (v128.and (local.get $h) ${i32x4(0x7fff)}))
    (v128.or
      (i32x4.shl (v128.and (local.get $h) ${i32x4(0x8000)}) (i32.const 16))
      (v128.bitselect
        ;; subnormal (exponent 0): mantissa * 2^-24, exact via int -> float (no f32 denormals touched)
        (f32x4.mul (f32x4.convert_i32x4_s (local.get $em)) (v128.const f32x4 0x1p-24 0x1p-24 0x1p-24 0x1p-24))
        ;; normal: move exponent+mantissa up 13 bits and rebias 15 -> 127 (+112 << 23); Inf/NaN (em > 0x7bff)
        ;; get the rebias twice so the exponent lands on 255, the payload riding along
        (i32x4.add
          (i32x4.add (i32x4.shl (local.get $em) (i32.const 13)) ${i32x4(0x38000000)})
          (v128.and (i32x4.gt_s (local.get $em) ${i32x4(0x7bff)}) ${i32x4(0x38000000)}))
        (i32x4.lt_s (local.get $em) ${i32x4(0x400)}))))`;

/**
 * WAT expression: 4 f32 bit patterns -> 4 f16 in i32 lanes, round to nearest even, the same results as
 * f32BitsToF16 in io/dtype.ts (NaN included). Inlined like f16ToF32; needs v128 locals $x $abs.
 */
const f32ToF16 = (src: string) => `(block (result v128)
    (local.set $x ${src})
    (local.set $abs (v128.and (local.get $x) ${i32x4(0x7fffffff)}))
    (v128.or
      (i32x4.shr_u (v128.and (local.get $x) ${i32x4(0x80000000)}) (i32.const 16))
      (v128.bitselect
        ;; |x| >= 2^16 -> Inf; NaN -> quiet NaN keeping the top payload bits
        (v128.or ${i32x4(0x7c00)}
          (v128.and (i32x4.gt_s (local.get $abs) ${i32x4(0x7f800000)})
            (v128.or ${i32x4(0x200)} (v128.and (i32x4.shr_u (local.get $abs) (i32.const 13)) ${i32x4(0x3ff)}))))
        (v128.bitselect
          ;; |x| < 2^-14: adding 0.5 puts the value on 0.5's 2^-24 ulp grid, the FPU rounds to nearest even,
          ;; and the bits above 0.5's are the f16 subnormal (0x400 when it rounds up to the smallest normal)
          (i32x4.sub (f32x4.add (local.get $abs) (v128.const f32x4 0.5 0.5 0.5 0.5)) ${i32x4(0x3f000000)})
          ;; normal: rebias (-112 << 23), add 0xfff plus the lowest kept bit (ties to even), drop 13 bits;
          ;; a carry out of the mantissa bumps the exponent, up to Inf from 65520 on
          (i32x4.shr_u
            (i32x4.add
              (i32x4.add (local.get $abs) ${i32x4(0xc8000fff)})
              (v128.and (i32x4.shr_u (local.get $abs) (i32.const 13)) ${i32x4(1)}))
            (i32.const 13))
          (i32x4.lt_s (local.get $abs) ${i32x4(0x38800000)}))
        (i32x4.ge_s (local.get $abs) ${i32x4(0x47800000)}))))`;

export const KERNEL_WAT = `
(module
  ;; owned by the TS wrapper, fixed size: growing would detach its views
  (import "env" "memory" (memory 1))

  (func $size (param $t i32) (result i32)
    (select (i32.const 4) (i32.const 2) (i32.eqz (local.get $t))))

  ;; n elements of dtype t at src -> f32 at dst (F32: a copy)
  (func $to_f32 (param $src i32) (param $t i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $h v128) (local $em v128)
    (if (i32.eqz (local.get $n)) (then (return)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (if (i32.eq (local.get $t) (i32.const 1)) (then
      (loop $l
        (v128.store (local.get $dst) ${f16ToF32('(v128.load16x4_u (local.get $src))')})
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br_if $l (i32.lt_u (local.get $dst) (local.get $end))))
      (return)))
    (if (i32.eq (local.get $t) (i32.const 2)) (then
      ;; bf16 is the top half of an f32
      (loop $l
        (v128.store (local.get $dst) (i32x4.shl (v128.load16x4_u (local.get $src)) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br_if $l (i32.lt_u (local.get $dst) (local.get $end))))
      (return)))
    (loop $l
      (v128.store (local.get $dst) (v128.load (local.get $src)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $dst) (local.get $end)))))

  ;; n f32 at src -> F16 at dst, 8 at a time
  (func $to_f16 (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $x v128) (local $abs v128)
    (if (i32.eqz (local.get $n)) (then (return)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 1))))
    (loop $l
      ;; every lane is <= 0xffff, so the saturating narrow is a plain pack
      (v128.store (local.get $dst) (i16x8.narrow_i32x4_u
        ${f32ToF16('(v128.load (local.get $src))')}
        ${f32ToF16('(v128.load offset=16 (local.get $src))')}))
      (local.set $src (i32.add (local.get $src) (i32.const 32)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $dst) (local.get $end)))))

  ;; o = k*a + r*b, each op rounded to f32 (wasm never fuses into an FMA)
  (func $weighted (param $a i32) (param $b i32) (param $o i32) (param $n i32) (param $k f32) (param $r f32)
    (local $kv v128) (local $rv v128) (local $end i32)
    (local.set $kv (f32x4.splat (local.get $k)))
    (local.set $rv (f32x4.splat (local.get $r)))
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (loop $l
      (v128.store (local.get $o) (f32x4.add
        (f32x4.mul (local.get $kv) (v128.load (local.get $a)))
        (f32x4.mul (local.get $rv) (v128.load (local.get $b)))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $o) (local.get $end)))))

  ;; d = b - c; o = d != 0 ? a + r*d : a (A's exact bits, so -0 survives and B = C gives A; NaN d != 0)
  (func $add_diff (param $a i32) (param $b i32) (param $c i32) (param $o i32) (param $n i32) (param $r f32)
    (local $rv v128) (local $av v128) (local $d v128) (local $end i32)
    (local.set $rv (f32x4.splat (local.get $r)))
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (loop $l
      (local.set $av (v128.load (local.get $a)))
      (local.set $d (f32x4.sub (v128.load (local.get $b)) (v128.load (local.get $c))))
      (v128.store (local.get $o) (v128.bitselect
        (f32x4.add (local.get $av) (f32x4.mul (local.get $rv) (local.get $d)))
        (local.get $av)
        (f32x4.ne (local.get $d) (f32x4.splat (f32.const 0)))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $o) (local.get $end)))))

  ;; where the f32 values of src are: src itself for F32, else converted into tmp
  (func $f32_at (param $src i32) (param $t i32) (param $tmp i32) (param $n i32) (result i32)
    (if (i32.eqz (local.get $t)) (then (return (local.get $src))))
    (call $to_f32 (local.get $src) (local.get $t) (local.get $tmp) (local.get $n))
    (local.get $tmp))

  ;; n elements, in blocks of ${BLOCK} through scratch (3 f32 blocks) so intermediates stay in cache
  (func (export "merge")
    (param $mode i32) (param $a i32) (param $at i32) (param $b i32) (param $bt i32) (param $c i32) (param $ct i32)
    (param $out i32) (param $ot i32) (param $n i32) (param $k f32) (param $r f32) (param $scratch i32)
    (local $i i32) (local $m i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $po i32)
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $m (select (i32.const ${BLOCK}) (i32.sub (local.get $n) (local.get $i))
        (i32.gt_u (i32.sub (local.get $n) (local.get $i)) (i32.const ${BLOCK}))))
      ;; F32 output is written in place; F16 goes through scratch first
      (local.set $po (select (local.get $scratch) (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $ot)))
      (if (i32.eq (local.get $mode) (i32.const 2))
        (then
          (local.set $pa (call $f32_at (i32.add (local.get $a) (i32.mul (local.get $i) (call $size (local.get $at))))
            (local.get $at) (local.get $po) (local.get $m)))
          ;; F32 input: copy it to an F32 output, or have the F16 store read it where it lies
          (if (i32.ne (local.get $pa) (local.get $po)) (then
            (if (local.get $ot)
              (then (local.set $po (local.get $pa)))
              (else (call $to_f32 (local.get $pa) (i32.const 0) (local.get $po) (local.get $m)))))))
        (else
          (local.set $pa (call $f32_at (i32.add (local.get $a) (i32.mul (local.get $i) (call $size (local.get $at))))
            (local.get $at) (local.get $scratch) (local.get $m)))
          (local.set $pb (call $f32_at (i32.add (local.get $b) (i32.mul (local.get $i) (call $size (local.get $bt))))
            (local.get $bt) (i32.add (local.get $scratch) (i32.const ${BLOCK * 4})) (local.get $m)))
          (if (i32.eqz (local.get $mode))
            (then (call $weighted (local.get $pa) (local.get $pb) (local.get $po) (local.get $m) (local.get $k) (local.get $r)))
            (else
              (local.set $pc (call $f32_at (i32.add (local.get $c) (i32.mul (local.get $i) (call $size (local.get $ct))))
                (local.get $ct) (i32.add (local.get $scratch) (i32.const ${BLOCK * 8})) (local.get $m)))
              (call $add_diff (local.get $pa) (local.get $pb) (local.get $pc) (local.get $po) (local.get $m) (local.get $r))))))
      (if (local.get $ot)
        (then (call $to_f16 (local.get $po) (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 1))) (local.get $m))))
      (local.set $i (i32.add (local.get $i) (i32.const ${BLOCK})))
      (br $blocks))))
)
`;
