import type { ClassScores, Metrics } from './types.js';

export interface MetricsInput {
  /** Encoded true class per flow (index into `classes`). */
  yTrue: Int32Array;
  /** Encoded predicted class per flow. */
  yPred: Int32Array;
  classes: string[];
  /** The class that means "not an attack"; every other class counts as an attack. */
  normalClass: string;
  split: string;
  r2?: { train: number | null; test: number | null };
  timing?: Partial<Metrics['timing']>;
  flows?: Record<string, number>;
}

/**
 * Scores in the shape of metrics.json. Conventions (scikit-learn's with zero_division=0):
 * - precision is 0 for a class never predicted, recall 0 for a class with no support, F1 0 when
 *   precision + recall is 0;
 * - macro-F1 averages over the classes that occur in the true or the predicted labels (a class
 *   absent from both would add a meaningless 0), as f1_score(average='macro') does;
 * - attack scores treat every class but `normalClass` as one "attack" class: a port scan predicted
 *   as DoS is a correct detection there, though wrong in the per-class scores;
 * - accuracy and rates are 0 on empty input rather than NaN, so the JSON stays valid.
 */
export function computeMetrics(input: MetricsInput): Metrics {
  const { yTrue, yPred, classes } = input;
  const k = classes.length;
  if (yTrue.length !== yPred.length) throw new Error(`yTrue has ${yTrue.length} flows, yPred ${yPred.length}`);
  const normal = classes.indexOf(input.normalClass);
  if (normal < 0) throw new Error(`normal class "${input.normalClass}" is not among the classes ${JSON.stringify(classes)}`);

  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (!(t >= 0 && t < k)) throw new Error(`flow ${i}: true class ${t} is outside 0..${k - 1}`);
    if (!(p >= 0 && p < k)) throw new Error(`flow ${i}: predicted class ${p} is outside 0..${k - 1}`);
    matrix[t][p]++;
  }

  const perClass: Record<string, ClassScores> = {};
  let f1Sum = 0;
  let f1Count = 0;
  let correct = 0;
  classes.forEach((name, c) => {
    const tp = matrix[c][c];
    const support = matrix[c].reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, row) => a + row[c], 0);
    const scores = prf(tp, predicted, support);
    perClass[name] = { ...scores, support };
    correct += tp;
    if (support > 0 || predicted > 0) {
      f1Sum += scores.f1;
      f1Count++;
    }
  });

  // Attack = any class but normal, on both sides.
  let tpAttack = 0;
  let predictedAttack = 0;
  let trueAttack = 0;
  let normalTotal = 0;
  let normalAsAttack = 0;
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const n = matrix[t][p];
      if (t !== normal && p !== normal) tpAttack += n;
      if (p !== normal) predictedAttack += n;
      if (t !== normal) trueAttack += n;
      if (t === normal) normalTotal += n;
      if (t === normal && p !== normal) normalAsAttack += n;
    }
  }

  return {
    split: input.split,
    classes: [...classes],
    confusion: { labels: [...classes], matrix },
    perClass,
    accuracy: ratio(correct, yTrue.length),
    macroF1: ratio(f1Sum, f1Count),
    attack: prf(tpAttack, predictedAttack, trueAttack),
    falsePositiveRate: ratio(normalAsAttack, normalTotal),
    r2: input.r2 ?? { train: null, test: null },
    timing: {
      ingestRowsPerSec: input.timing?.ingestRowsPerSec ?? null,
      trainFlowsPerSec: input.timing?.trainFlowsPerSec ?? null,
      predictFlowsPerSec: input.timing?.predictFlowsPerSec ?? null,
    },
    flows: input.flows ?? {},
  };
}

/**
 * Coefficient of determination, 1 - SS_res / SS_tot, as sklearn.metrics.r2_score: when the true
 * values are constant it is 1 for a perfect prediction and 0 otherwise (never NaN or -Infinity).
 */
export function r2Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length !== yPred.length) throw new Error(`yTrue has ${yTrue.length} values, yPred ${yPred.length}`);
  const n = yTrue.length;
  if (n === 0) throw new Error('r2Score of no values');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i];
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    ssRes += (yTrue[i] - yPred[i]) ** 2;
    ssTot += (yTrue[i] - mean) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

/**
 * The continuous "encoded class" a model predicts, for r2Score. An mse model (1 output) is
 * scored on its raw output, exactly as the replaced project scored its regression. A softmax model
 * is scored on the expected class index under its probabilities, sum_k k * p_k: the continuous
 * counterpart of that regression output (the argmax index would turn every near miss into a
 * whole-class error and make the two scores incomparable).
 */
export function encodedClassValue(prob: Float32Array, outputs: number): Float64Array {
  const n = prob.length / outputs;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (outputs === 1) out[i] = prob[i];
    else for (let c = 1; c < outputs; c++) out[i] += c * prob[i * outputs + c];
  }
  return out;
}

function prf(tp: number, predicted: number, actual: number): { precision: number; recall: number; f1: number } {
  const precision = ratio(tp, predicted);
  const recall = ratio(tp, actual);
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}
