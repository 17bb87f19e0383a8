/**
 * Math.log1p for the arguments flow features nearly always take (whole counts, seconds with
 * millisecond precision), read from tables that Math.log1p itself filled. A table entry is used
 * only when the argument is exactly the entry's argument, so every result is identical to calling
 * Math.log1p; a lookup costs a few nanoseconds against ~15 for the call, which ran 10 times a row.
 */
const COUNTS = 1 << 16;
const MILLIS = 1 << 15;

const log1pOfCount = new Float64Array(COUNTS);
for (let k = 0; k < COUNTS; k++) log1pOfCount[k] = Math.log1p(k);

const log1pOfMillis = new Float64Array(MILLIS);
for (let k = 0; k < MILLIS; k++) log1pOfMillis[k] = Math.log1p(k / 1000);

/** Math.log1p(Math.max(0, v)); fast for whole numbers below 65,536 (packets, bytes). */
export function log1pNonNegative(v: number): number {
  const k = v | 0;
  // k === v also holds for v = -0, whose Math.max(0, v) is +0: entry 0.
  return k === v && k >= 0 && k < COUNTS ? log1pOfCount[k] : Math.log1p(Math.max(0, v));
}

/** Math.log1p(Math.max(0, s)); fast for whole milliseconds below 32.768 s (durations, gaps). */
export function log1pSeconds(s: number): number {
  // A candidate entry only: the k / 1000 === s check decides, so rounding here cannot change a result.
  const k = (s * 1000 + 0.5) | 0;
  return k >= 0 && k < MILLIS && k / 1000 === s ? log1pOfMillis[k] : Math.log1p(Math.max(0, s));
}
