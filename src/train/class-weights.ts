/**
 * Cap on any class weight. Balanced weights for CIDDS reach the thousands (bruteForce is 5k of
 * 31M flows): a batch holding one such flow would have its loss dominated by it, making Adam's
 * steps erratic and the model memorise those few flows. At 50 a rare class still counts 50x an
 * average flow, enough to be learned, while each batch's loss stays bounded.
 */
export const DEFAULT_CLASS_WEIGHT_CAP = 50;

/**
 * Balanced class weights (scikit-learn's `balanced`): n / (k * count[c]) over the training
 * targets, where n counts targets >= 0 and k the classes present; so the mean weight per flow is
 * 1 before capping. Classes absent from training get 1 (they never appear in the loss anyway).
 * Negative targets (padding, unlabelled) are skipped.
 */
export function balancedClassWeights(targets: Int32Array, classes: number, cap = DEFAULT_CLASS_WEIGHT_CAP): number[] {
  if (!(cap > 0)) throw new Error(`class weight cap must be positive, got ${cap}`);
  const counts = new Float64Array(classes);
  let n = 0;
  for (const y of targets) {
    if (y < 0) continue;
    if (y >= classes) throw new Error(`target class ${y} is outside 0..${classes - 1}`);
    counts[y]++;
    n++;
  }
  const present = counts.filter((c) => c > 0).length;
  return Array.from(counts, (c) => (c > 0 ? Math.min(cap, n / (present * c)) : 1));
}
