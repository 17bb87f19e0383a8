// AssemblyScript: output losses over R rows (time-major steps of a batch). y: the target class per
// row as i32, -1 for padding; w: the row's loss weight (class weight; 0 for padding). The result
// slot receives [loss sum (f64), correct rows (f64)]; the gradient is scaled by `scale` (1 / real
// steps in the whole batch, so per-thread parts add up to the batch mean).

import { expv } from './simd';

/** Softmax in place over K logits per row, weighted cross-entropy, its gradient into dlogits (or none when 0). */
export function softmaxCrossEntropy(logits: usize, y: usize, w: usize, rows: i32, k: i32, scale: f32, dlogits: usize, result: usize): void {
  let loss: f64 = 0;
  let correct: f64 = 0;
  const kb = <usize>k << 2;
  for (let r = 0; r < rows; r++) {
    const row = logits + <usize>r * kb;
    let max = load<f32>(row);
    let best = 0;
    for (let j = 1; j < k; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      if (v > max) {
        max = v;
        best = j;
      }
    }
    let sum: f32 = 0;
    for (let j = 0; j < k; j++) {
      const e = f32x4.extract_lane(expv(f32x4.splat(load<f32>(row + (<usize>j << 2)) - max)), 0);
      store<f32>(row + (<usize>j << 2), e);
      sum += e;
    }
    const inv: f32 = 1 / sum;
    for (let j = 0; j < k; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) * inv);
    const target = load<i32>(y + (<usize>r << 2));
    const weight = load<f32>(w + (<usize>r << 2));
    if (target >= 0) {
      if (best == target) correct += 1;
      const p = load<f32>(row + (<usize>target << 2));
      // A vanishing p_y is held at 1e-30, so a confident wrong answer gives a large finite loss;
      // NaN (diverged weights) stays NaN, so training stops instead of reporting a number.
      loss += <f64>weight * -(<f64>Mathf.log(p > 1e-30 || p != p ? p : 1e-30));
    }
    if (dlogits) {
      const drow = dlogits + <usize>r * kb;
      const s = weight * scale;
      for (let j = 0; j < k; j++) {
        const p = load<f32>(row + (<usize>j << 2));
        store<f32>(drow + (<usize>j << 2), target >= 0 ? s * (p - (j == target ? <f32>1 : <f32>0)) : 0);
      }
    }
  }
  store<f64>(result, loss);
  store<f64>(result, correct, 8);
}

/**
 * Weighted squared error of one regression output per row against the encoded class; a row is
 * correct when the rounded output, clamped to [0, classes), is its class.
 */
export function squaredError(out: usize, y: usize, w: usize, rows: i32, classes: i32, scale: f32, dout: usize, result: usize): void {
  let loss: f64 = 0;
  let correct: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const q = <usize>r << 2;
    const target = load<i32>(y + q);
    const weight = load<f32>(w + q);
    const v = load<f32>(out + q);
    let d: f32 = 0;
    if (target >= 0) {
      d = v - <f32>target;
      loss += <f64>weight * <f64>d * <f64>d;
      // Math.round (half up), as classOfOutput in engine.ts.
      let cls = <i32>Mathf.floor(v + 0.5);
      if (!(v == v)) cls = 0;
      if (cls < 0) cls = 0;
      if (cls > classes - 1) cls = classes - 1;
      if (cls == target) correct += 1;
    }
    if (dout) store<f32>(dout + q, target >= 0 ? 2 * weight * scale * d : 0);
  }
  store<f64>(result, loss);
  store<f64>(result, correct, 8);
}
