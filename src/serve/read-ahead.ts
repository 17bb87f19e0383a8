/**
 * Flow files read and parsed on a worker thread (read-ahead-worker.ts) while the main thread
 * classifies the batches before: `ntc classify` then keeps both cores busy, one with parsing and
 * the model's worker, the other with features, windows and output. The batches are the ones the
 * main thread would read itself (same batch size, same bounded address dictionary, same bad-row
 * accounting); text columns arrive as codes, with each dictionary's new values.
 */
import { Worker } from 'node:worker_threads';
import type { ReadProgress } from '../flows/read.js';
import type { BadRow, DictColumn, FlowColumns, FlowDataset } from '../flows/schema.js';
import { InputError, UserError } from '../util/errors.js';
import type { AddressStats } from './bounded-addresses.js';
import type { AheadMessage, AheadRequest, BatchMessage, WorkerOptions } from './read-ahead-protocol.js';

export interface ReadAheadOptions extends Omit<WorkerOptions, 'progress'> {
  onProgress?: (p: ReadProgress) => void;
}

/** Filled in when the read ends: the whole read's bad rows and address-table figures. */
export interface ReadAheadSummary {
  badRowCount: number;
  badRows: BadRow[];
  addresses: AddressStats;
}

export async function* readAhead(o: ReadAheadOptions, summary: ReadAheadSummary): AsyncGenerator<FlowDataset> {
  const { onProgress, ...rest } = o;
  const options: WorkerOptions = { ...rest, progress: onProgress !== undefined };
  const worker = new Worker(new URL('./read-ahead-worker.js', import.meta.url), { workerData: options });
  const queue: AheadMessage[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  worker.on('message', (m: AheadMessage) => {
    queue.push(m);
    notify();
  });
  worker.on('error', (err) => {
    failure = err;
    notify();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`flow reader thread exited (code ${code}) before the end of the input`);
    notify();
  });
  const dictionaries = new Map<number, string[]>();
  try {
    for (;;) {
      const m = queue.shift();
      if (!m) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'error') throw rebuildError(m);
      else if (m.type === 'end') {
        summary.badRowCount = m.badRowCount;
        summary.badRows = m.badRows;
        summary.addresses = m.addresses;
        return;
      } else {
        const ds = dataset(m, dictionaries);
        worker.postMessage({ type: 'taken' } satisfies AheadRequest);
        yield ds;
      }
    }
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}

/** The batch as a FlowDataset, its text columns on the main thread's copies of the worker's dictionaries. */
function dataset(m: BatchMessage, dictionaries: Map<number, string[]>): FlowDataset {
  for (const { id, from, values } of m.values) {
    let d = dictionaries.get(id);
    if (!d) dictionaries.set(id, (d = []));
    if (d.length !== from) throw new Error(`flow reader thread: dictionary ${id} has ${d.length} values, the batch adds from ${from}`);
    for (const v of values) d.push(v);
  }
  const dict = (name: string): DictColumn => {
    const d = m.dicts[name];
    const values = d && dictionaries.get(d.id);
    if (!values) throw new Error(`flow reader thread: batch column ${name} uses an unknown dictionary`);
    return { codes: d.codes, values };
  };
  const n = m.numeric as unknown as FlowColumns;
  // Every property named in one literal, in BatchBuilder's order: each batch's columns then share
  // one hidden class, where a copy of the posted object got a new one per batch and made every
  // column access on the main thread megamorphic.
  const columns: FlowColumns = {
    start: n.start,
    duration: n.duration,
    proto: dict('proto'),
    srcAddr: dict('srcAddr'),
    dstAddr: dict('dstAddr'),
    srcPort: n.srcPort,
    dstPort: n.dstPort,
    packets: n.packets,
    bytes: n.bytes,
    flows: n.flows,
    flags: n.flags,
    tos: n.tos,
    label: dict('label'),
    attackType: dict('attackType'),
    attackId: dict('attackId'),
    attackDescription: dict('attackDescription'),
  };
  // Batches already made keep their tables; later ones will not use these.
  for (const id of m.retired) dictionaries.delete(id);
  return { length: m.length, columns, sources: m.sources, badRowCount: m.badRowCount, badRows: m.badRows };
}

/** The worker's error as the same kind of error here, so exit codes and messages are unchanged. */
function rebuildError(m: Extract<AheadMessage, { type: 'error' }>): Error {
  if (m.name === 'InputError') return new InputError(m.message);
  if (m.name === 'UserError') return new UserError(m.message, m.exitCode);
  const err = new Error(m.message);
  err.name = m.name;
  if (m.stack) err.stack = `${m.stack}\n    (in the flow reader thread)`;
  return err;
}
