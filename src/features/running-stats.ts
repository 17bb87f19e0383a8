/**
 * Mean, population standard deviation, min and max in one pass; sums are shifted by the first
 * value for accuracy. Values are added in row order, so the result does not depend on blocking.
 */
export class RunningStats {
  private n = 0;
  private shift = 0;
  private sum = 0;
  private sumSq = 0;
  min = Infinity;
  max = -Infinity;

  add(v: Float64Array, count: number): void {
    if (this.n === 0 && count > 0) this.shift = v[0];
    const k = this.shift;
    let { sum, sumSq, min, max } = this;
    for (let i = 0; i < count; i++) {
      const x = v[i];
      const d = x - k;
      sum += d;
      sumSq += d * d;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    this.sum = sum;
    this.sumSq = sumSq;
    this.min = min;
    this.max = max;
    this.n += count;
  }

  /** One value; the same arithmetic as add(), so both give identical results. */
  push(x: number): void {
    if (this.n === 0) this.shift = x;
    const d = x - this.shift;
    this.sum += d;
    this.sumSq += d * d;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.n++;
  }

  mean(): number {
    return this.shift + this.sum / this.n;
  }

  std(): number {
    const m = this.sum / this.n;
    return Math.sqrt(Math.max(0, this.sumSq / this.n - m * m));
  }
}
