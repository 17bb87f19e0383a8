/**
 * Keeps the reader's address dictionary bounded on an endless stream. A read codes every address
 * through one dictionary shared by all its batches, and that dictionary only grows: on a live feed
 * with ever-new hosts (scans, DHCP, NAT pools) it would hold every address ever seen, and feature
 * code that sizes per-batch tables by the dictionary would slow down batch after batch.
 *
 * Between batches, once the dictionary holds more than a limit, the stream gives the reader a fresh
 * one. Nothing downstream depends on codes staying stable across batches: source windows and
 * contexts are keyed by address text, and the output encodes each batch's own dictionary.
 *
 * The restart happens at a batch boundary (the reader is suspended right after handing over a
 * batch, with no rows pending) through FlowDictionaries.restartAddresses(); classify-memory.test.ts
 * compares a restarted stream's output with an unbounded one's.
 */
import type { ReadContext } from '../flows/read.js';
import type { FlowDataset } from '../flows/schema.js';

/** Default limit: 2^18 addresses (some tens of MB of dictionary). */
export const DEFAULT_MAX_ADDRESSES = 1 << 18;

export interface AddressStats {
  /** Largest size the address dictionary reached at a batch boundary. */
  peak: number;
  /** Times a fresh dictionary was started. */
  restarts: number;
}

/** `batches` (read through `ctx`), starting a fresh address dictionary after any batch that left more than `max`. */
export async function* boundedAddresses(batches: AsyncIterable<FlowDataset>, ctx: ReadContext, max: number, stats: AddressStats): AsyncGenerator<FlowDataset> {
  for await (const batch of batches) {
    const size = ctx.dicts.addr.values.length;
    if (size > stats.peak) stats.peak = size;
    yield batch;
    if (ctx.dicts.addr.values.length > max) {
      ctx.dicts.restartAddresses();
      stats.restarts++;
    }
  }
}
