/**
 * Joins the small batches a live stream yields (one per chunk read, ~10k flows) into larger ones.
 * Every batch boundary costs the stream classifier a re-run of each open window's prefix, so
 * 10k-flow batches from stdin ran five times slower than a file read in 64k-flow batches. A batch is
 * handed on once it holds `minRows` flows, or once its first flows have waited `maxDelayMs` — also
 * while the stream is stalled, so a quiet live feed is still answered promptly.
 */
import { concatDatasets } from '../flows/concat.js';
import type { FlowDataset } from '../flows/schema.js';

export async function* coalesceBatches(source: AsyncIterable<FlowDataset>, minRows: number, maxDelayMs: number): AsyncGenerator<FlowDataset> {
  const it = source[Symbol.asyncIterator]();
  let held: FlowDataset[] = [];
  let heldRows = 0;
  let heldSince = 0;
  let pending: Promise<IteratorResult<FlowDataset>> | undefined;
  const take = (): FlowDataset => {
    const out = held.length === 1 ? held[0] : concatDatasets(held);
    held = [];
    heldRows = 0;
    return out;
  };
  let finished = false;
  try {
    for (;;) {
      pending ??= it.next();
      let r: IteratorResult<FlowDataset> | 'late';
      if (held.length > 0) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((res) => (timer = setTimeout(() => res('late'), Math.max(0, heldSince + maxDelayMs - Date.now()))));
        r = await Promise.race([pending, late]);
        clearTimeout(timer);
      } else {
        r = await pending;
      }
      if (r === 'late') {
        // The read stays in flight; it is awaited again on the next turn.
        yield take();
        continue;
      }
      pending = undefined;
      if (r.done) break;
      if (held.length === 0) heldSince = Date.now();
      held.push(r.value);
      heldRows += r.value.length;
      if (heldRows >= minRows) yield take();
    }
    finished = true;
    if (held.length > 0) yield take();
  } finally {
    // Stopped early (the output went away): close the source unless a read is still in flight,
    // which would make return() wait for input that may never come.
    if (!finished && pending === undefined) await it.return?.(undefined);
  }
}

/** What `idleTicks` yields when its source has been quiet for the delay. */
export const IDLE = Symbol('idle');

/**
 * Passes `source` through, and yields IDLE each time it stays quiet for `delayMs` while `waiting()`
 * says results are held back (the stream classifier's deferred windows), so a live feed that goes
 * quiet still gets its last results promptly.
 */
export async function* idleTicks<T>(source: AsyncIterable<T>, delayMs: number, waiting: () => boolean): AsyncGenerator<T | typeof IDLE> {
  const it = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  let finished = false;
  try {
    for (;;) {
      pending ??= it.next();
      let r: IteratorResult<T> | 'idle';
      if (waiting()) {
        let timer: NodeJS.Timeout | undefined;
        const idle = new Promise<'idle'>((res) => (timer = setTimeout(() => res('idle'), delayMs)));
        r = await Promise.race([pending, idle]);
        clearTimeout(timer);
      } else {
        r = await pending;
      }
      if (r === 'idle') {
        // The read stays in flight; it is awaited again on the next turn.
        yield IDLE;
        continue;
      }
      pending = undefined;
      if (r.done) break;
      yield r.value;
    }
    finished = true;
  } finally {
    // As coalesceBatches: close the source only when no read is in flight.
    if (!finished && pending === undefined) await it.return?.(undefined);
  }
}
