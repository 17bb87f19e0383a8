import type * as TF from '@tensorflow/tfjs';
import { lstmCell, lstmCellGrad } from './tfjs-lstm-cell.js';
import { splitRows } from './tfjs-rows.js';

type Tensor = TF.Tensor;
type Tensor2D = TF.Tensor2D;

/**
 * A whole LSTM layer (no padding carry) with hand-written backpropagation through time. Autodiff
 * of the step loop records ~10 tape nodes per step and computes the recurrent-kernel gradient as
 * one small product per step plus a running sum; here the backward loop does only what must be
 * sequential (the cell gradient and dh = dz U^T), and the weight gradients are three large
 * products over all steps: dW = X^T dZ, dU = H_prev^T dZ_tail, db = 1^T dZ.
 *
 * x: [span * B, in] time-major; returns h for every step, [span * B, units] time-major.
 */
export function lstmLayerBptt(
  tf: typeof TF, x: Tensor2D, kernel: Tensor, recurrent: Tensor, bias: Tensor, span: number, units: number,
): Tensor2D {
  const rows = x.shape[0] / span;
  const layer = tf.customGrad(((xIn: Tensor2D, w: Tensor2D, u: Tensor2D, b: Tensor, save: TF.GradSaveFunc) => {
    const projected = splitRows(tf, tf.add(tf.matMul(xIn, w), b), span);
    const hs: Tensor2D[] = [];
    const cs: Tensor2D[] = [tf.zeros([rows, units])];
    const acts: Tensor2D[] = [];
    const tcs: Tensor2D[] = [];
    for (let t = 0; t < span; t++) {
      const z: Tensor2D = t === 0 ? projected[0] : tf.add(projected[t], tf.matMul(hs[t - 1], u));
      const out = lstmCell(tf, z, cs[t]);
      hs.push(out.h);
      cs.push(out.c);
      acts.push(out.act);
      tcs.push(out.tc);
    }
    // Saved: x, w, u, then per step h, c_prev, act, tanh(c).
    save([xIn, w, u, ...hs, ...cs.slice(0, span), ...acts, ...tcs]);
    return {
      value: span === 1 ? hs[0] : tf.concat(hs, 0),
      gradFunc: (dy: Tensor2D, saved: Tensor[]) => {
        const [xs, ws, us] = saved as Tensor2D[];
        const sh = saved.slice(3, 3 + span) as Tensor2D[];
        const sc = saved.slice(3 + span, 3 + 2 * span) as Tensor2D[];
        const sa = saved.slice(3 + 2 * span, 3 + 3 * span) as Tensor2D[];
        const st = saved.slice(3 + 3 * span, 3 + 4 * span) as Tensor2D[];
        const dys = splitRows(tf, dy, span);
        const uT: Tensor2D = tf.transpose(us);
        const dzs: Tensor2D[] = new Array(span);
        let dhNext: Tensor2D | undefined;
        let dc: Tensor2D = tf.zeros([rows, units]);
        for (let t = span - 1; t >= 0; t--) {
          const dh: Tensor2D = dhNext ? tf.add(dys[t], dhNext) : dys[t];
          const g = lstmCellGrad(tf, dh, dc, sa[t], sc[t], st[t]);
          dzs[t] = g.dz;
          dc = g.dcPrev;
          if (t > 0) dhNext = tf.matMul(g.dz, uT) as Tensor2D;
        }
        const dZ = span === 1 ? dzs[0] : tf.concat(dzs, 0);
        const dx = tf.matMul(dZ, tf.transpose(ws));
        const dw = tf.matMul(tf.transpose(xs), dZ);
        const db = tf.reshape(tf.matMul(tf.ones([1, dZ.shape[0]]), dZ), [4 * units]);
        const du = span === 1
          ? tf.zerosLike(us)
          : tf.matMul(tf.transpose(tf.concat(sh.slice(0, span - 1), 0)), tf.concat(dzs.slice(1), 0));
        return [dx, dw, du, db];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return layer(x, kernel, recurrent, bias) as Tensor2D;
}
