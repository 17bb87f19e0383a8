/**
 * Axis labels: `0.25`, `1,500`, `40.1k`, `2.5M`. A plain `~s` format lets Vega pick one SI prefix
 * for all ticks from the tick step, which prints `0k` and `200m` (for 0.2 seconds); formatting
 * each label on its own, SI only from 10,000 up, avoids both.
 */
export const SI_LABEL = "abs(datum.value) >= 10000 ? format(datum.value, '.3~s') : format(datum.value, ',.4~r')";

/** 1, 10, 100, ... up to the first power of ten at or above `max` (at most 12 ticks). */
export function powersOfTen(max: number): number[] {
  const out = [1];
  while (out[out.length - 1] < max && out.length < 12) out.push(out[out.length - 1] * 10);
  return out;
}
