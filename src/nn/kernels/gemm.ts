// AssemblyScript (compiled by asc to WebAssembly, not by tsc): matrix products with 128-bit SIMD.
// Every pointer is a byte offset into the shared linear memory; nothing here allocates.

import { madd } from './simd';

/**
 * C (m x n) = [C | bias +] A (m x k) . B (k x n), all float32: with `accumulate` C's values are
 * added to, else with `bias` (n values, or 0) every row starts from the bias. B and C are row-major with row strides
 * `ldb` and `ldc` (elements). A is addressed through two strides, A(i, p) = a[i * ars + p * acs],
 * so the same kernel serves A (ars = lda, acs = 1) and a transposed A stored k x m (ars = 1,
 * acs = lda): the weight gradients X^T dZ need no transposed copy.
 *
 * A 4 x 8 block of C lives in 8 registers while the whole k loop runs: per k step two loads of B,
 * four broadcasts of A and 8 multiply-adds. V8 on x64 has 16 vector registers, which a wider
 * block would overflow.
 */
export function gemm(a: usize, ars: i32, acs: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, k: i32, accumulate: i32, bias: usize): void {
  // A long k (the weight gradients: k = every step of every sequence) walks all of B once per
  // 4 rows of C; in chunks of B that stay in the L2 cache (~256 KiB) it is read from memory once.
  const chunk = max(64, (65536 / max(n, 1)) & ~3);
  if (k > chunk) {
    for (let p = 0; p < k; p += chunk) {
      const kk = min(chunk, k - p);
      const ap = a + ((<usize>p * <usize>acs) << 2);
      const bp = b + ((<usize>p * <usize>ldb) << 2);
      if (p == 0) gemmBlock(ap, ars, acs, bp, ldb, c, ldc, m, n, kk, accumulate, bias);
      else gemmBlock(ap, ars, acs, bp, ldb, c, ldc, m, n, kk, 1, 0);
    }
    return;
  }
  gemmBlock(a, ars, acs, b, ldb, c, ldc, m, n, k, accumulate, bias);
}

function gemmBlock(a: usize, ars: i32, acs: i32, b: usize, ldb: i32, c: usize, ldc: i32, m: i32, n: i32, k: i32, accumulate: i32, bias: usize): void {
  const as4 = (<usize>ars) << 2;
  const ac4 = (<usize>acs) << 2;
  const lb4 = (<usize>ldb) << 2;
  const lc4 = (<usize>ldc) << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + <usize>i * as4;
    const c0 = c + <usize>i * lc4;
    let j = 0;
    for (; j + 8 <= n; j += 8) block4x8(a0, as4, ac4, b + (<usize>j << 2), lb4, c0 + (<usize>j << 2), lc4, k, accumulate, bias && bias + (<usize>j << 2));
    for (; j + 4 <= n; j += 4) block4x4(a0, as4, ac4, b + (<usize>j << 2), lb4, c0 + (<usize>j << 2), lc4, k, accumulate, bias && bias + (<usize>j << 2));
    for (; j < n; j++) {
      for (let r = 0; r < 4; r++) {
        const pc = c0 + <usize>r * lc4 + (<usize>j << 2);
        store<f32>(pc, dotScalar(a0 + <usize>r * as4, ac4, b + (<usize>j << 2), lb4, k, startValue(pc, accumulate, bias, j)));
      }
    }
  }
  for (; i < m; i++) {
    const a0 = a + <usize>i * as4;
    const c0 = c + <usize>i * lc4;
    let j = 0;
    // The same operations per output value as the 4-row blocks above, so a row's result does not
    // depend on where it sits in the batch (classify and evaluate batch flows differently).
    for (; j + 8 <= n; j += 8) block1x8(a0, ac4, b + (<usize>j << 2), lb4, c0 + (<usize>j << 2), k, accumulate, bias && bias + (<usize>j << 2));
    for (; j + 4 <= n; j += 4) block1x4(a0, ac4, b + (<usize>j << 2), lb4, c0 + (<usize>j << 2), k, accumulate, bias && bias + (<usize>j << 2));
    for (; j < n; j++) {
      const pc = c0 + (<usize>j << 2);
      store<f32>(pc, dotScalar(a0, ac4, b + (<usize>j << 2), lb4, k, startValue(pc, accumulate, bias, j)));
    }
  }
}

// @ts-ignore: decorator
@inline
function block4x8(a0: usize, as4: usize, ac4: usize, b: usize, lb4: usize, c: usize, lc4: usize, k: i32, accumulate: i32, bias: usize): void {
  const c1 = c + lc4;
  const c2 = c1 + lc4;
  const c3 = c2 + lc4;
  let x00 = f32x4.splat(0), x01 = f32x4.splat(0), x10 = f32x4.splat(0), x11 = f32x4.splat(0);
  let x20 = f32x4.splat(0), x21 = f32x4.splat(0), x30 = f32x4.splat(0), x31 = f32x4.splat(0);
  if (accumulate) {
    x00 = v128.load(c); x01 = v128.load(c, 16);
    x10 = v128.load(c1); x11 = v128.load(c1, 16);
    x20 = v128.load(c2); x21 = v128.load(c2, 16);
    x30 = v128.load(c3); x31 = v128.load(c3, 16);
  } else if (bias) {
    x00 = v128.load(bias); x01 = v128.load(bias, 16);
    x10 = x00; x11 = x01; x20 = x00; x21 = x01; x30 = x00; x31 = x01;
  }
  let p0 = a0;
  let p1 = a0 + as4;
  let p2 = p1 + as4;
  let p3 = p2 + as4;
  let pb = b;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let s = v128.load32_splat(p0);
    x00 = madd(s, b0, x00); x01 = madd(s, b1, x01);
    s = v128.load32_splat(p1);
    x10 = madd(s, b0, x10); x11 = madd(s, b1, x11);
    s = v128.load32_splat(p2);
    x20 = madd(s, b0, x20); x21 = madd(s, b1, x21);
    s = v128.load32_splat(p3);
    x30 = madd(s, b0, x30); x31 = madd(s, b1, x31);
    p0 += ac4; p1 += ac4; p2 += ac4; p3 += ac4;
    pb += lb4;
  }
  v128.store(c, x00); v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
  v128.store(c2, x20); v128.store(c2, x21, 16);
  v128.store(c3, x30); v128.store(c3, x31, 16);
}

// @ts-ignore: decorator
@inline
function block4x4(a0: usize, as4: usize, ac4: usize, b: usize, lb4: usize, c: usize, lc4: usize, k: i32, accumulate: i32, bias: usize): void {
  const c1 = c + lc4;
  const c2 = c1 + lc4;
  const c3 = c2 + lc4;
  let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
  if (accumulate) {
    x0 = v128.load(c); x1 = v128.load(c1); x2 = v128.load(c2); x3 = v128.load(c3);
  } else if (bias) {
    x0 = v128.load(bias); x1 = x0; x2 = x0; x3 = x0;
  }
  let p0 = a0;
  let p1 = a0 + as4;
  let p2 = p1 + as4;
  let p3 = p2 + as4;
  let pb = b;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(pb);
    x0 = madd(v128.load32_splat(p0), b0, x0);
    x1 = madd(v128.load32_splat(p1), b0, x1);
    x2 = madd(v128.load32_splat(p2), b0, x2);
    x3 = madd(v128.load32_splat(p3), b0, x3);
    p0 += ac4; p1 += ac4; p2 += ac4; p3 += ac4;
    pb += lb4;
  }
  v128.store(c, x0); v128.store(c1, x1); v128.store(c2, x2); v128.store(c3, x3);
}

// @ts-ignore: decorator
@inline
function block1x8(a0: usize, ac4: usize, b: usize, lb4: usize, c: usize, k: i32, accumulate: i32, bias: usize): void {
  let x0 = f32x4.splat(0), x1 = f32x4.splat(0);
  if (accumulate) {
    x0 = v128.load(c); x1 = v128.load(c, 16);
  } else if (bias) {
    x0 = v128.load(bias); x1 = v128.load(bias, 16);
  }
  let pa = a0;
  let pb = b;
  for (let p = 0; p < k; p++) {
    const s = v128.load32_splat(pa);
    x0 = madd(s, v128.load(pb), x0);
    x1 = madd(s, v128.load(pb, 16), x1);
    pa += ac4;
    pb += lb4;
  }
  v128.store(c, x0); v128.store(c, x1, 16);
}

// @ts-ignore: decorator
@inline
function block1x4(a0: usize, ac4: usize, b: usize, lb4: usize, c: usize, k: i32, accumulate: i32, bias: usize): void {
  let x0 = f32x4.splat(0);
  if (accumulate) x0 = v128.load(c);
  else if (bias) x0 = v128.load(bias);
  let pa = a0;
  let pb = b;
  for (let p = 0; p < k; p++) {
    x0 = madd(v128.load32_splat(pa), v128.load(pb), x0);
    pa += ac4;
    pb += lb4;
  }
  v128.store(c, x0);
}

// @ts-ignore: decorator
@inline
function startValue(pc: usize, accumulate: i32, bias: usize, j: i32): f32 {
  if (accumulate) return load<f32>(pc);
  return bias ? load<f32>(bias + (<usize>j << 2)) : 0;
}

// @ts-ignore: decorator
@inline
function dotScalar(a: usize, ac4: usize, b: usize, lb4: usize, k: i32, start: f32): f32 {
  let s = start;
  for (let p = 0; p < k; p++) {
    s += load<f32>(a) * load<f32>(b);
    a += ac4;
    b += lb4;
  }
  return s;
}

/** out (cols x rows) = in (rows x cols) transposed; for A . B^T products with a small B. */
export function transpose(src: usize, rows: i32, cols: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) store<f32>(dst + ((<usize>c * rows + r) << 2), load<f32>(src + ((<usize>r * cols + c) << 2)));
  }
}

/** out[j] (+)= sum over rows of x[r, j]: bias gradients. */
export function sumRows(x: usize, rows: i32, cols: i32, out: usize, accumulate: i32): void {
  if (!accumulate) memory.fill(out, 0, <usize>cols << 2);
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * cols) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) v128.store(out + (<usize>j << 2), f32x4.add(v128.load(out + (<usize>j << 2)), v128.load(row + (<usize>j << 2))));
    for (; j < cols; j++) store<f32>(out + (<usize>j << 2), load<f32>(out + (<usize>j << 2)) + load<f32>(row + (<usize>j << 2)));
  }
}

/** y[i] += x[i] over n floats. */
export function addInto(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), f32x4.add(v128.load(y + (<usize>i << 2)), v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), load<f32>(y + (<usize>i << 2)) + load<f32>(x + (<usize>i << 2)));
}

/** x[i] *= m[i] over n floats (dropout forward and backward). */
export function mulInto(m: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(x + (<usize>i << 2), f32x4.mul(v128.load(x + (<usize>i << 2)), v128.load(m + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(x + (<usize>i << 2), load<f32>(x + (<usize>i << 2)) * load<f32>(m + (<usize>i << 2)));
}

/** out[i] = x[i] * m[i] over n floats (dropout applied to a layer's output). */
export function multiply(x: usize, m: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), f32x4.mul(v128.load(x + (<usize>i << 2)), v128.load(m + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), load<f32>(x + (<usize>i << 2)) * load<f32>(m + (<usize>i << 2)));
}

/** n floats at x set to 0. */
export function zero(x: usize, n: i32): void {
  memory.fill(x, 0, <usize>n << 2);
}

/**
 * Steps 0 .. span-1 of `rows` batch-major sequences (src: rows x seqLen x width) into time-major
 * order (dst: span x rows x width), the layout the passes work in.
 */
export function toTimeMajor(src: usize, rows: i32, seqLen: i32, span: i32, width: i32, dst: usize): void {
  const wb = <usize>width << 2;
  for (let t = 0; t < span; t++) {
    for (let r = 0; r < rows; r++) {
      memory.copy(dst + (<usize>(t * rows + r)) * wb, src + (<usize>(r * seqLen + t)) * wb, wb);
    }
  }
}
