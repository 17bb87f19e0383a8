// AssemblyScript: SIMD helpers shared by the kernels.

/** a * b + c; one fused instruction where relaxed SIMD is enabled (the faster build), else two. */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * e^x in four lanes, Cephes' single-precision scheme: x = n ln2 + r with |r| <= ln2 / 2 (ln2 split
 * in two so n ln2 is exact), a degree-6 polynomial for e^r, 2^n built in the exponent bits.
 * Relative error ~2e-7 over the clamped range; WebAssembly has no exp instruction, and calling
 * Math.exp per element would cost ~50x more.
 */
// @ts-ignore: decorator
@inline
export function expv(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, r), r), f32x4.add(r, f32x4.splat(1.0)));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/**
 * tanh x as a rational function (Eigen's float tanh: odd degree-13 numerator, even degree-6
 * denominator, inputs clamped to +-7.905 where tanh rounds to +-1 in float32): absolute error
 * below 3e-7, one division and no exp, about half the work of (e^2x - 1) / (e^2x + 1).
 */
// @ts-ignore: decorator
@inline
export function tanhv(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-7.90531110763549805)), f32x4.splat(7.90531110763549805));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.76076847742355e-16);
  p = madd(p, x2, f32x4.splat(2.00018790482477e-13));
  p = madd(p, x2, f32x4.splat(-8.60467152213735e-11));
  p = madd(p, x2, f32x4.splat(5.12229709037114e-8));
  p = madd(p, x2, f32x4.splat(1.48572235717979e-5));
  p = madd(p, x2, f32x4.splat(6.37261928875436e-4));
  p = madd(p, x2, f32x4.splat(4.89352455891786e-3));
  p = f32x4.mul(p, x);
  let q = f32x4.splat(1.19825839466702e-6);
  q = madd(q, x2, f32x4.splat(1.18534705686654e-4));
  q = madd(q, x2, f32x4.splat(2.26843463243900e-3));
  q = madd(q, x2, f32x4.splat(4.89352518554385e-3));
  return f32x4.div(p, q);
}

/** sigmoid x = (1 + tanh(x / 2)) / 2. */
// @ts-ignore: decorator
@inline
export function sigmoidv(x: v128): v128 {
  const half = f32x4.splat(0.5);
  return madd(tanhv(f32x4.mul(x, half)), half, half);
}

/** Scalar versions for the tails of rows whose width is not a multiple of 4, through the same lanes. */
// @ts-ignore: decorator
@inline
export function sigmoid1(x: f32): f32 {
  return f32x4.extract_lane(sigmoidv(f32x4.splat(x)), 0);
}

// @ts-ignore: decorator
@inline
export function tanh1(x: f32): f32 {
  return f32x4.extract_lane(tanhv(f32x4.splat(x)), 0);
}
