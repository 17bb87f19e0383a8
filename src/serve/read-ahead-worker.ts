/**
 * The worker thread of read-ahead.ts: reads and parses flow files as `ntc classify` reads them on
 * its own thread (one read context, bounded address dictionary), and posts each batch's columns
 * with the dictionary values the main thread has not seen yet. It stays at most MAX_AHEAD batches
 * ahead of the main thread, so memory stays bounded by a few batches whatever the file size.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { newContext, sourceBatches, type ReadProgress } from '../flows/read.js';
import { fileSize } from '../flows/byte-source.js';
import type { DictColumn, FlowDataset } from '../flows/schema.js';
import { boundedAddresses, type AddressStats } from './bounded-addresses.js';
import { DICT_COLUMNS, FIRST_BATCH_ROWS, type AheadMessage, type AheadRequest, type BatchMessage, type WorkerOptions } from './read-ahead-protocol.js';

/** Batches posted and not yet taken by the main thread, at most. */
const MAX_AHEAD = 2;
/** Progress is posted at most this often (the reader reports every chunk). */
const PROGRESS_MS = 100;

const o = workerData as WorkerOptions;
const port = parentPort!;
let credits = MAX_AHEAD;
let wake: (() => void) | null = null;
port.on('message', (m: AheadRequest) => {
  if (m.type === 'taken') {
    credits++;
    wake?.();
    wake = null;
  }
});

const post = (m: AheadMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

/** Dictionary ids (by values array: a restarted dictionary is a new array) and values already sent. */
const dictIds = new Map<string[], number>();
const sent: number[] = [];

/** A typed array whose buffer holds nothing else, so it can be transferred. */
function own<T extends { buffer: ArrayBufferLike; byteLength: number; slice(): T }>(a: T): T {
  return a.buffer.byteLength === a.byteLength && !(a.buffer instanceof SharedArrayBuffer) ? a : a.slice();
}

function batchMessage(ds: FlowDataset): { m: BatchMessage; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const numeric: Record<string, ArrayBufferView> = {};
  const dicts: BatchMessage['dicts'] = {};
  const values: BatchMessage['values'] = [];
  for (const [name, col] of Object.entries(ds.columns)) {
    if ((DICT_COLUMNS as readonly string[]).includes(name)) {
      const d = col as DictColumn;
      let id = dictIds.get(d.values);
      if (id === undefined) {
        id = sent.length;
        dictIds.set(d.values, id);
        sent.push(0);
      }
      if (d.values.length > sent[id]) {
        values.push({ id, from: sent[id], values: d.values.slice(sent[id]) });
        sent[id] = d.values.length;
      }
      const codes = own(d.codes);
      transfer.push(codes.buffer as ArrayBuffer);
      dicts[name] = { id, codes };
    } else {
      const a = own(col as Float64Array);
      transfer.push(a.buffer as ArrayBuffer);
      numeric[name] = a;
    }
  }
  // A table no column of this batch uses is one no later batch will use (the address table
  // after a restart): forget it here and on the main thread.
  const retired: number[] = [];
  const used = new Set(Object.values(dicts).map((d) => d.id));
  for (const [values, id] of dictIds) {
    if (!used.has(id)) {
      dictIds.delete(values);
      retired.push(id);
    }
  }
  const m: BatchMessage = { type: 'batch', length: ds.length, numeric, dicts, values, retired, sources: ds.sources, badRowCount: ds.badRowCount, badRows: ds.badRows };
  return { m, transfer };
}

async function run(): Promise<void> {
  let bytesTotal = 0;
  for (const p of o.inputs) bytesTotal += await fileSize(p);
  let lastProgress = 0;
  const onProgress = (p: ReadProgress): void => {
    const now = Date.now();
    if (now - lastProgress < PROGRESS_MS && p.bytesRead < p.bytesTotal) return;
    lastProgress = now;
    post({ type: 'progress', progress: p });
  };
  const ctx = newContext({ maxBadRows: o.maxBadRows, onProgress: o.progress ? onProgress : undefined }, bytesTotal);
  const addresses: AddressStats = { peak: 0, restarts: 0 };
  for (const path of o.inputs) {
    // The first batches are small, so the main thread starts early; then each twice the last.
    const read = sourceBatches(path, ctx, { batchRows: o.batchRows, firstBatchRows: o.firstBatchRows ?? FIRST_BATCH_ROWS, grow: false, flushEachChunk: false });
    for await (const batch of boundedAddresses(read, ctx, o.maxAddresses, addresses)) {
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
      const { m, transfer } = batchMessage(batch);
      post(m, transfer);
    }
  }
  ctx.log.checkFinal(ctx.rowsBefore);
  post({ type: 'end', badRowCount: ctx.log.count, badRows: ctx.log.kept, addresses });
}

run().catch((err: unknown) => {
  const e = err as Error & { exitCode?: number };
  post({ type: 'error', name: e.name ?? 'Error', message: e.message ?? String(err), stack: e.stack, exitCode: e.exitCode });
});
