/**
 * Engine-independent helpers for the batch layout of engine.ts: batch-major
 * [batch, seqLen, width] arrays with a mask of real steps.
 */

/** True when some sequence has a real step after a padded one (trailing padding needs no carry: the LSTM is causal). */
export function needsCarry(mask: Float32Array, batch: number, seqLen: number): boolean {
  for (let b = 0; b < batch; b++) {
    let padded = false;
    for (let t = 0; t < seqLen; t++) {
      const real = mask[b * seqLen + t] !== 0;
      if (real && padded) return true;
      if (!real) padded = true;
    }
  }
  return false;
}

export function countReal(mask: Float32Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) n++;
  return n;
}

/**
 * Steps up to and including the batch's last real step. Steps after it are padding in every
 * sequence and, the LSTM being causal, cannot affect any real output: they are not computed.
 * With per-source windows many sequences are short, so this often saves most of the work.
 */
export function realSpan(mask: Float32Array, batch: number, seqLen: number): number {
  let span = 0;
  for (let b = 0; b < batch; b++) {
    for (let t = seqLen - 1; t >= span; t--) {
      if (mask[b * seqLen + t] !== 0) {
        span = t + 1;
        break;
      }
    }
  }
  return span;
}

/** The first `span` steps of batch-major [batch, seqLen, width] as time-major [span, batch, width]. */
export function toTimeMajor(a: Float32Array, batch: number, seqLen: number, span: number, width: number): Float32Array {
  const out = new Float32Array(span * batch * width);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < span; t++) {
      out.set(a.subarray((b * seqLen + t) * width, (b * seqLen + t + 1) * width), (t * batch + b) * width);
    }
  }
  return out;
}

/** Time-major [span, batch, width] back to batch-major [batch, seqLen, width]; steps past `span` stay 0. */
export function toBatchMajor(a: Float32Array, batch: number, seqLen: number, span: number, width: number): Float32Array {
  const out = new Float32Array(batch * seqLen * width);
  for (let t = 0; t < span; t++) {
    for (let b = 0; b < batch; b++) {
      out.set(a.subarray((t * batch + b) * width, (t * batch + b + 1) * width), (b * seqLen + t) * width);
    }
  }
  return out;
}
