// AssemblyScript: one Adam step over n weights, in tfjs's form (so both engines train alike):
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= lr (m / c1) / (sqrt(v / c2) + eps),
// where c1 = 1 - b1^t and c2 = 1 - b2^t are the bias corrections of step t.

export function adam(w: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, b1: f32, b2: f32, eps: f32, c1: f32, c2: f32): void {
  const vb1 = f32x4.splat(b1);
  const vb2 = f32x4.splat(b2);
  const va1 = f32x4.splat(1 - b1);
  const va2 = f32x4.splat(1 - b2);
  const vlr = f32x4.splat(lr / c1);
  const vc2 = f32x4.splat(1 / c2);
  const veps = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = <usize>i << 2;
    const gv = v128.load(g + q);
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + q)), f32x4.mul(va1, gv));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + q)), f32x4.mul(va2, f32x4.mul(gv, gv)));
    v128.store(m + q, mv);
    v128.store(v + q, vv);
    const step = f32x4.div(f32x4.mul(vlr, mv), f32x4.add(f32x4.sqrt(f32x4.mul(vv, vc2)), veps));
    v128.store(w + q, f32x4.sub(v128.load(w + q), step));
  }
  for (; i < n; i++) {
    const q = <usize>i << 2;
    const gv = load<f32>(g + q);
    const mv = b1 * load<f32>(m + q) + (1 - b1) * gv;
    const vv = b2 * load<f32>(v + q) + (1 - b2) * gv * gv;
    store<f32>(m + q, mv);
    store<f32>(v + q, vv);
    store<f32>(w + q, load<f32>(w + q) - (lr / c1) * mv / (Mathf.sqrt(vv / c2) + eps));
  }
}
