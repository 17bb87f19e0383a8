// AssemblyScript: the elementwise half of an LSTM step, forward and backward, over R rows of H
// units. Gate order in the 4H columns of z: input, forget, cell (g), output, as Keras.
// `mask` (R floats, or 0 for none): a row whose mask is 0 is padding; its state carries over
// unchanged (h_t = h_{t-1}, c_t = c_{t-1}) and it passes gradients straight through.

import { sigmoid1, sigmoidv, tanh1, tanhv } from './simd';

/**
 * z (R x 4H) holds pre-activations and is overwritten with the activated gates, which the
 * backward step needs; c = f c_prev + i g; tc = tanh c; h = o tc.
 */
export function cellForward(z: usize, cPrev: usize, hPrev: usize, c: usize, tc: usize, h: usize, mask: usize, rows: i32, units: i32): void {
  const hb = <usize>units << 2;
  for (let r = 0; r < rows; r++) {
    const zr = z + <usize>r * (hb << 2);
    const o = <usize>r * hb;
    if (mask && load<f32>(mask + (<usize>r << 2)) == 0) {
      memory.copy(c + o, cPrev + o, hb);
      memory.copy(h + o, hPrev + o, hb);
      memory.fill(tc + o, 0, hb);
      continue;
    }
    let j = 0;
    for (; j + 4 <= units; j += 4) {
      const q = <usize>j << 2;
      const gi = sigmoidv(v128.load(zr + q));
      const gf = sigmoidv(v128.load(zr + hb + q));
      const gg = tanhv(v128.load(zr + 2 * hb + q));
      const go = sigmoidv(v128.load(zr + 3 * hb + q));
      v128.store(zr + q, gi);
      v128.store(zr + hb + q, gf);
      v128.store(zr + 2 * hb + q, gg);
      v128.store(zr + 3 * hb + q, go);
      const cn = f32x4.add(f32x4.mul(gf, v128.load(cPrev + o + q)), f32x4.mul(gi, gg));
      const t = tanhv(cn);
      v128.store(c + o + q, cn);
      v128.store(tc + o + q, t);
      v128.store(h + o + q, f32x4.mul(go, t));
    }
    for (; j < units; j++) {
      const q = <usize>j << 2;
      const gi = sigmoid1(load<f32>(zr + q));
      const gf = sigmoid1(load<f32>(zr + hb + q));
      const gg = tanh1(load<f32>(zr + 2 * hb + q));
      const go = sigmoid1(load<f32>(zr + 3 * hb + q));
      store<f32>(zr + q, gi);
      store<f32>(zr + hb + q, gf);
      store<f32>(zr + 2 * hb + q, gg);
      store<f32>(zr + 3 * hb + q, go);
      const cn = gf * load<f32>(cPrev + o + q) + gi * gg;
      const t = tanh1(cn);
      store<f32>(c + o + q, cn);
      store<f32>(tc + o + q, t);
      store<f32>(h + o + q, go * t);
    }
  }
}

/**
 * From dh (gradient into h_t) and dc (into c_t, from the step after; replaced by the gradient
 * into c_{t-1}) to dz (R x 4H), the gradient of the pre-activations.
 */
export function cellBackward(dh: usize, dc: usize, act: usize, cPrev: usize, tc: usize, dz: usize, mask: usize, rows: i32, units: i32): void {
  const hb = <usize>units << 2;
  const one = f32x4.splat(1.0);
  for (let r = 0; r < rows; r++) {
    const ar = act + <usize>r * (hb << 2);
    const dzr = dz + <usize>r * (hb << 2);
    const o = <usize>r * hb;
    if (mask && load<f32>(mask + (<usize>r << 2)) == 0) {
      memory.fill(dzr, 0, hb << 2);
      continue;
    }
    let j = 0;
    for (; j + 4 <= units; j += 4) {
      const q = <usize>j << 2;
      const gi = v128.load(ar + q);
      const gf = v128.load(ar + hb + q);
      const gg = v128.load(ar + 2 * hb + q);
      const go = v128.load(ar + 3 * hb + q);
      const t = v128.load(tc + o + q);
      const dhj = v128.load(dh + o + q);
      const dct = f32x4.add(v128.load(dc + o + q), f32x4.mul(f32x4.mul(dhj, go), f32x4.sub(one, f32x4.mul(t, t))));
      v128.store(dzr + q, f32x4.mul(f32x4.mul(dct, gg), f32x4.mul(gi, f32x4.sub(one, gi))));
      v128.store(dzr + hb + q, f32x4.mul(f32x4.mul(dct, v128.load(cPrev + o + q)), f32x4.mul(gf, f32x4.sub(one, gf))));
      v128.store(dzr + 2 * hb + q, f32x4.mul(f32x4.mul(dct, gi), f32x4.sub(one, f32x4.mul(gg, gg))));
      v128.store(dzr + 3 * hb + q, f32x4.mul(f32x4.mul(dhj, t), f32x4.mul(go, f32x4.sub(one, go))));
      v128.store(dc + o + q, f32x4.mul(dct, gf));
    }
    for (; j < units; j++) {
      const q = <usize>j << 2;
      const gi = load<f32>(ar + q);
      const gf = load<f32>(ar + hb + q);
      const gg = load<f32>(ar + 2 * hb + q);
      const go = load<f32>(ar + 3 * hb + q);
      const t = load<f32>(tc + o + q);
      const dhj = load<f32>(dh + o + q);
      const dct = load<f32>(dc + o + q) + dhj * go * (1 - t * t);
      store<f32>(dzr + q, dct * gg * gi * (1 - gi));
      store<f32>(dzr + hb + q, dct * load<f32>(cPrev + o + q) * gf * (1 - gf));
      store<f32>(dzr + 2 * hb + q, dct * gi * (1 - gg * gg));
      store<f32>(dzr + 3 * hb + q, dhj * t * go * (1 - go));
      store<f32>(dc + o + q, dct * gf);
    }
  }
}

/** dst row += src row for every padded row (mask 0): a carried state passes its gradient back unchanged. */
export function carryRows(mask: usize, src: usize, dst: usize, rows: i32, units: i32): void {
  for (let r = 0; r < rows; r++) {
    if (load<f32>(mask + (<usize>r << 2)) != 0) continue;
    const o = (<usize>r * units) << 2;
    for (let j = 0; j < units; j++) {
      const q = o + (<usize>j << 2);
      store<f32>(dst + q, load<f32>(dst + q) + load<f32>(src + q));
    }
  }
}

/**
 * Inverted dropout mask for n values: 0 with probability `rate`, else 1 / (1 - rate). Each value
 * comes from a hash of (seed, first + index), not a sequential generator, so a mask does not
 * depend on how rows are split between threads.
 */
export function dropoutMask(out: usize, n: i32, first: u32, seed: u32, rate: f32): void {
  const keep = f32x4.splat(1 / (1 - rate));
  const threshold = i32x4.splat(<i32>(rate * 16777216.0));
  const golden = i32x4.splat(<i32>0x9e3779b9);
  const vseed = i32x4.splat(<i32>seed);
  let idx = i32x4(<i32>first, <i32>(first + 1), <i32>(first + 2), <i32>(first + 3));
  const four = i32x4.splat(4);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let x = v128.xor(vseed, i32x4.mul(idx, golden));
    x = v128.xor(x, i32x4.shr_u(x, 16));
    x = i32x4.mul(x, i32x4.splat(<i32>0x85ebca6b));
    x = v128.xor(x, i32x4.shr_u(x, 13));
    x = i32x4.mul(x, i32x4.splat(<i32>0xc2b2ae35));
    x = v128.xor(x, i32x4.shr_u(x, 16));
    // Top 24 bits as a uniform integer; below the threshold the value is dropped.
    const dropped = i32x4.lt_s(i32x4.shr_u(x, 8), threshold);
    v128.store(out + (<usize>i << 2), v128.andnot(keep, dropped));
    idx = i32x4.add(idx, four);
  }
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), dropValue(seed, first + <u32>i, rate));
}

// @ts-ignore: decorator
@inline
function dropValue(seed: u32, index: u32, rate: f32): f32 {
  let x = seed ^ (index * 0x9e3779b9);
  x ^= x >>> 16;
  x *= 0x85ebca6b;
  x ^= x >>> 13;
  x *= 0xc2b2ae35;
  x ^= x >>> 16;
  return (x >>> 8) < <u32>(rate * 16777216.0) ? 0 : 1 / (1 - rate);
}
