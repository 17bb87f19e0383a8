import type * as TF from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';
import {
  type BatchResult, type ModelSpec, type NamedTensor, type SequenceBatch, type SequenceModel,
  checkLength, checkWeights, classCount, classOfOutput, validateSpec, weightShapes,
} from './engine.js';
import { initialWeights } from './init.js';
import { tfjsWasm } from './tfjs-backend.js';
import { lstmCell, registerLstmCell } from './tfjs-lstm-cell.js';
import { lstmLayerBptt } from './tfjs-lstm-layer.js';
import { concatRows, registerRows, splitRows } from './tfjs-rows.js';
import { addBiasFastGrad, matMulFastGrad } from './tfjs-fast-grad.js';
import { countReal, needsCarry, realSpan, toBatchMajor, toTimeMajor } from './layout.js';

type Tensor = TF.Tensor;
type Tensor2D = TF.Tensor2D;

/**
 * Stacked LSTM + per-step dense output, written with tfjs ops and trained with tfjs autodiff and
 * Adam on the wasm backend. Same network, batch 256 x 16 steps, 2 cores (other jobs running):
 * tf.layers ~600 sequences/s training; this code ~3,000.
 * The gap comes from wasm-backend costs this code avoids:
 * - matMul with a transposed operand runs ~10x slower than transposing first, and the default
 *   gradient of matMul uses transposed operands -> tfjs-fast-grad.ts;
 * - Unpack/Slice/Split copy the whole input out of wasm memory for every piece, so per-step
 *   slices are slow -> tfjs-rows.ts, and the input projection of each layer and the output
 *   layer run as one matMul over all steps;
 * - a step's gate arithmetic as ~14 small kernels forward and ~30 backward -> one fused kernel
 *   each way, tfjs-lstm-cell.ts (Tanh is ~8x slower than Sigmoid there: tanh = 2 sigmoid(2x) - 1);
 * - summing a bias gradient over rows with the Sum kernel -> a ones-row product;
 * - autodiff through the step loop -> hand-written backpropagation through time for a layer
 *   without padding carry (tfjs-lstm-layer.ts), weight gradients as one product over all steps.
 * Steps after a batch's last real step are not computed (layout.ts realSpan).
 *
 * Reproducibility: initial weights, dropout masks and (in fit) shuffling come from seeded JS
 * generators; the wasm kernels run single-threaded and deterministically, so the same seed, data
 * and tfjs version give bit-identical weights on the same machine (tested). Other CPUs or engines
 * may differ in the last bits of float32 sums, and then diverge slowly over training.
 */
export async function createTfjsModel(spec: ModelSpec, weights?: NamedTensor[], options: TfjsModelOptions = {}): Promise<TfjsSequenceModel> {
  const tf = await tfjsWasm();
  registerLstmCell(tf);
  registerRows(tf);
  return new TfjsSequenceModel(tf, validateSpec(spec), weights ?? initialWeights(spec), options.fusedCell ?? true);
}

export interface TfjsModelOptions {
  /**
   * Fused LSTM-cell kernels and hand-written BPTT (default), or plain tfjs ops with autodiff: the
   * ops path exists for cross-checks and benchmarks.
   */
  fusedCell?: boolean;
}

/** Time-major targets of a batch: row t * B + b is sequence b's step t. */
interface Targets {
  /** crossentropy: [span * B, K] one-hot times the step's weight; mse: [span * B, 1] encoded class. */
  target: Tensor2D;
  /** mse only: [span * B, 1] step weight (mask x class weight). */
  weight?: Tensor2D;
}

interface LayerVars {
  kernel: TF.Variable;
  recurrent: TF.Variable;
  bias: TF.Variable;
  units: number;
}

export class TfjsSequenceModel implements SequenceModel {
  readonly engine = 'tfjs-wasm';
  /** The wasm backend runs single-threaded here (its threaded build needs cross-origin isolation). */
  readonly threads = 1;
  readonly predictsInBackground = false;
  private readonly vars: TF.Variable[];
  private readonly lstm: LayerVars[];
  private readonly denseKernel: TF.Variable;
  private readonly denseBias: TF.Variable;
  private readonly optimizer: TF.Optimizer;
  private readonly dropoutRng: Rng;
  private readonly matMul: (a: Tensor, b: Tensor) => Tensor2D;
  private readonly addBias: (x: Tensor, bias: Tensor) => Tensor2D;
  private disposed = false;

  constructor(private readonly tf: typeof TF, readonly spec: ModelSpec, weights: NamedTensor[], private readonly fusedCell: boolean) {
    checkWeights(spec, weights);
    this.vars = weights.map((w) => tf.variable(tf.tensor(w.values, w.shape, 'float32'), true, `${w.name}#${uid()}`));
    this.lstm = spec.layers.map((units, i) => ({
      kernel: this.vars[3 * i], recurrent: this.vars[3 * i + 1], bias: this.vars[3 * i + 2], units,
    }));
    this.denseKernel = this.vars[3 * spec.layers.length];
    this.denseBias = this.vars[3 * spec.layers.length + 1];
    this.optimizer = tf.train.adam(spec.lr);
    // A stream apart from initialisation's (same seed, different purpose).
    this.dropoutRng = new Rng(spec.seed ^ 0x5eed);
    this.matMul = matMulFastGrad(tf);
    this.addBias = addBiasFastGrad(tf, this.matMul);
  }

  async trainBatch(batch: SequenceBatch): Promise<BatchResult> {
    return this.run(batch, true);
  }

  async evaluateBatch(batch: SequenceBatch): Promise<BatchResult> {
    return this.run(batch, false);
  }

  async predict(x: Float32Array, batch: number, mask?: Float32Array): Promise<Float32Array> {
    this.checkAlive();
    const { tf, spec } = this;
    checkLength('x', x, batch * spec.seqLen * spec.inputSize);
    if (mask) checkLength('mask', mask, batch * spec.seqLen);
    const span = mask ? realSpan(mask, batch, spec.seqLen) : spec.seqLen;
    if (span === 0) return new Float32Array(batch * spec.seqLen * spec.outputs);
    const outputs = tf.tidy(() => {
      const inputs = this.uploadInputs(x, batch, span);
      const carry = mask && needsCarry(mask, batch, spec.seqLen) ? this.uploadMaskSteps(mask, batch, span) : undefined;
      const logits = this.forward(inputs, span, carry, false);
      return spec.loss === 'crossentropy' ? tf.softmax(logits) : logits;
    });
    const timeMajor = outputs.dataSync() as Float32Array;
    outputs.dispose();
    return toBatchMajor(timeMajor, batch, spec.seqLen, span, spec.outputs);
  }

  /** Gradient of the loss (without dropout) with respect to every weight; for gradient checks. */
  lossGradients(batch: SequenceBatch): NamedTensor[] {
    this.checkAlive();
    const { tf, spec } = this;
    const n = batch.batch;
    const steps = countReal(batch.mask);
    const span = realSpan(batch.mask, n, spec.seqLen);
    const grads = tf.tidy(() => {
      const inputs = this.uploadInputs(batch.x, n, span);
      const carry = needsCarry(batch.mask, n, spec.seqLen) ? this.uploadMaskSteps(batch.mask, n, span) : undefined;
      const targets = this.uploadTargets(batch, n, span);
      return this.completeGradients(tf.variableGrads(() => this.loss(this.forward(inputs, span, carry, false), targets, steps), this.vars).grads);
    });
    return weightShapes(spec).map(({ name, shape }, i) => {
      const g = grads[this.vars[i].name];
      const values = new Float32Array(g.dataSync() as Float32Array);
      g.dispose();
      return { name, shape, values };
    });
  }

  getWeights(): NamedTensor[] {
    this.checkAlive();
    return weightShapes(this.spec).map(({ name, shape }, i) => ({
      name, shape, values: new Float32Array(this.vars[i].dataSync() as Float32Array),
    }));
  }

  /** Replaces the weights; Adam's moment estimates are kept (used to restore the best epoch). */
  setWeights(weights: NamedTensor[]): void {
    this.checkAlive();
    checkWeights(this.spec, weights);
    weights.forEach((w, i) => this.vars[i].assign(this.tf.tensor(w.values, w.shape, 'float32')));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.vars.forEach((v) => v.dispose());
    this.optimizer.dispose();
  }

  /**
   * Gradients for every variable, in variable order. A one-step batch never uses the recurrent
   * kernels, so tfjs leaves them out; but tfjs's Adam keeps its moments by position in this map,
   * so a missing entry would pair every later variable with another's moments. Unused means 0.
   */
  private completeGradients(grads: TF.NamedTensorMap): TF.NamedTensorMap {
    const out: TF.NamedTensorMap = {};
    for (const v of this.vars) out[v.name] = grads[v.name] ?? this.tf.zerosLike(v);
    return out;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('model used after dispose()');
  }

  private run(batch: SequenceBatch, training: boolean): BatchResult {
    this.checkAlive();
    const { tf, spec } = this;
    const { seqLen } = spec;
    const n = batch.batch;
    checkLength('x', batch.x, n * seqLen * spec.inputSize);
    checkLength('y', batch.y, n * seqLen);
    checkLength('mask', batch.mask, n * seqLen);
    const steps = countReal(batch.mask);
    if (steps === 0) return { loss: 0, correct: 0, steps: 0 };
    const span = realSpan(batch.mask, n, seqLen);

    let kept: Tensor | undefined;
    const lossValue = tf.tidy(() => {
      const inputs = this.uploadInputs(batch.x, n, span);
      const carry = needsCarry(batch.mask, n, seqLen) ? this.uploadMaskSteps(batch.mask, n, span) : undefined;
      const targets = this.uploadTargets(batch, n, span);
      const lossFn = (): TF.Scalar => {
        const logits = this.forward(inputs, span, carry, training);
        kept = tf.keep(logits);
        return this.loss(logits, targets, steps);
      };
      if (!training) return lossFn();
      const { value, grads } = tf.variableGrads(lossFn, this.vars);
      this.optimizer.applyGradients(this.completeGradients(grads));
      return value;
    });
    const loss = (lossValue.dataSync() as Float32Array)[0];
    lossValue.dispose();
    const outputs = kept!.dataSync() as Float32Array;
    kept!.dispose();
    return { loss, correct: this.countCorrect(outputs, batch, span), steps };
  }

  private countCorrect(timeMajor: Float32Array, batch: SequenceBatch, span: number): number {
    const { spec } = this;
    const n = batch.batch;
    let correct = 0;
    for (let t = 0; t < span; t++) {
      for (let b = 0; b < n; b++) {
        const i = b * spec.seqLen + t;
        if (batch.mask[i] === 0) continue;
        if (classOfOutput(spec, timeMajor, (t * n + b) * spec.outputs) === batch.y[i]) correct++;
      }
    }
    return correct;
  }

  /**
   * Output pre-activations [span * B, outputs], time-major. Between layers the sequence is one
   * [span * B, units] tensor, so the input projection of a layer and the output layer are each one
   * large matMul over all steps; only the recurrent product runs step by step.
   */
  private forward(inputs: Tensor2D, span: number, carry: Tensor2D[] | undefined, training: boolean): Tensor2D {
    const { tf } = this;
    let seq = inputs;
    for (const layer of this.lstm) {
      seq = this.fusedCell && !carry
        ? lstmLayerBptt(tf, seq, layer.kernel, layer.recurrent, layer.bias, span, layer.units)
        : this.lstmLayer(seq, span, layer, carry);
      if (training && this.spec.dropout > 0) seq = tf.mul(seq, this.dropoutMask(seq.shape[0], layer.units));
    }
    return this.addBias(this.matMul(seq, this.denseKernel), this.denseBias);
  }

  /**
   * One LSTM layer over all steps of a time-major [span * B, in] input. With `carry` (padding
   * before or between real steps) a padded step leaves h and c unchanged, so padding never reaches
   * a real step's output.
   */
  private lstmLayer(inputs: Tensor2D, span: number, v: LayerVars, carry: Tensor2D[] | undefined): Tensor2D {
    const { tf } = this;
    const mm = this.matMul;
    const tanh = (x: Tensor): Tensor2D => tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1);
    const projected = splitRows(tf, this.addBias(mm(inputs, v.kernel), v.bias), span);
    let h: Tensor2D | undefined;
    let c: Tensor2D | undefined;
    const out: Tensor2D[] = [];
    for (let t = 0; t < span; t++) {
      // h and c start at zero: skip the product with h on the first step.
      const z: Tensor2D = h ? tf.add(projected[t], mm(h, v.recurrent)) : projected[t];
      let cNew: Tensor2D;
      let hNew: Tensor2D;
      if (this.fusedCell) {
        ({ h: hNew, c: cNew } = lstmCell(tf, z, c ?? tf.zeros([z.shape[0], v.units])));
      } else {
        const [zi, zf, zg, zo] = tf.split(z, 4, 1);
        const ig: Tensor2D = tf.mul(tf.sigmoid(zi), tanh(zg));
        cNew = c ? tf.add(tf.mul(tf.sigmoid(zf), c), ig) : ig;
        hNew = tf.mul(tf.sigmoid(zo), tanh(cNew));
      }
      if (carry) {
        const m = carry[t];
        c = (c ? tf.add(c, tf.mul(m, tf.sub(cNew, c))) : tf.mul(m, cNew)) as Tensor2D;
        h = (h ? tf.add(h, tf.mul(m, tf.sub(hNew, h))) : tf.mul(m, hNew)) as Tensor2D;
      } else {
        c = cNew;
        h = hNew;
      }
      out.push(h!);
    }
    return concatRows(tf, out);
  }

  private loss(logits: Tensor2D, targets: Targets, realSteps: number): TF.Scalar {
    const { tf } = this;
    const { target, weight } = targets;
    if (this.spec.loss === 'crossentropy') return tf.mul(tf.sum(tf.mul(tf.logSoftmax(logits), target)), -1 / realSteps);
    return tf.mul(tf.sum(tf.mul(tf.square(tf.sub(logits, target)), weight!)), 1 / realSteps);
  }

  private dropoutMask(rows: number, cols: number): Tensor2D {
    const p = this.spec.dropout;
    const keep = 1 / (1 - p);
    const m = new Float32Array(rows * cols);
    for (let i = 0; i < m.length; i++) m[i] = this.dropoutRng.next() < p ? 0 : keep;
    return this.tf.tensor2d(m, [rows, cols]);
  }

  private uploadInputs(x: Float32Array, n: number, span: number): Tensor2D {
    const { seqLen, inputSize } = this.spec;
    return this.tf.tensor2d(toTimeMajor(x, n, seqLen, span, inputSize), [span * n, inputSize]);
  }

  private uploadMaskSteps(mask: Float32Array, n: number, span: number): Tensor2D[] {
    const tm = toTimeMajor(mask, n, this.spec.seqLen, span, 1);
    const out: Tensor2D[] = [];
    for (let t = 0; t < span; t++) out.push(this.tf.tensor2d(tm.subarray(t * n, (t + 1) * n), [n, 1]));
    return out;
  }

  private uploadTargets(batch: SequenceBatch, n: number, span: number): Targets {
    const { spec, tf } = this;
    const cw = spec.classWeights;
    const classes = classCount(spec);
    const k = spec.outputs;
    const target = new Float32Array(span * n * k);
    const weight = spec.loss === 'mse' ? new Float32Array(span * n) : undefined;
    for (let t = 0; t < span; t++) {
      for (let b = 0; b < n; b++) {
        const i = b * spec.seqLen + t;
        if (batch.mask[i] === 0) continue;
        const y = batch.y[i];
        if (!(y >= 0 && y < classes)) throw new Error(`target class ${y} at sequence ${b}, step ${t} is outside 0..${classes - 1}`);
        const w = batch.mask[i] * (cw ? cw[y] : 1);
        const row = t * n + b;
        if (weight) {
          target[row] = y;
          weight[row] = w;
        } else target[row * k + y] = w;
      }
    }
    return {
      target: tf.tensor2d(target, [span * n, k]),
      weight: weight ? tf.tensor2d(weight, [span * n, 1]) : undefined,
    };
  }
}

let counter = 0;
/** tfjs variable names must be unique per process; several models may live side by side. */
function uid(): number {
  return ++counter;
}
