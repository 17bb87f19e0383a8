/**
 * Axis labels: `0.25`, `443`, `1.5k`, `2.5M`. A plain `~s` format lets Vega pick one SI prefix
 * for all ticks from the tick step, which prints `0k` and `200m` (for 0.2 seconds); formatting
 * each label on its own, SI only from 1,000 up, avoids both.
 */
export const SI_LABEL = "abs(datum.value) >= 1000 ? format(datum.value, '.3~s') : format(datum.value, ',.4~r')";

/**
 * Powers of ten from the one at or below `from` (default 1) up to the first at or above `max`,
 * at most 12 of them.
 */
export function powersOfTen(max: number, from = 1): number[] {
  let e = Math.floor(Math.log10(from));
  const out: number[] = [];
  do {
    out.push(Number(`1e${e}`));
    e++;
  } while (out[out.length - 1] < max && out.length < 12);
  return out;
}
