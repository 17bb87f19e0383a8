/**
 * Worker thread of read-parallel.ts: parses one byte range of a flow file into columns with its
 * own dictionaries and sends them back (typed array buffers are transferred, not copied). Line
 * numbers in its bad rows count from the range start; the main thread makes them absolute.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../util/errors.js';
import { BadRowLog } from './bad-rows.js';
import type { ByteRange } from './byte-source.js';
import type { Layout } from './layout.js';
import { newContext, sourceBatches } from './read.js';
import type { BadRow, FlowDataset } from './schema.js';

export interface WorkerInput {
  path: string;
  range: ByteRange;
  layout: Layout;
  /**
   * An absolute bad-row limit, which one range alone may exceed. A fraction is left to the main
   * thread: a range dense in bad rows says nothing about the whole file.
   */
  maxBadRowCount?: number;
}

export interface WorkerResult {
  type: 'done';
  rows: number;
  /** Rows read, good and bad (also those of a batch lost to an abort). */
  rowsRead: number;
  /** Lines consumed by the range (rows, bad rows, blank lines, lines inside quoted fields). */
  lines: number;
  ended: boolean;
  sawMultilineQuote: boolean;
  /** The worker's own bad-row limit was exceeded: the read must stop. */
  aborted: boolean;
  badCount: number;
  badRows: BadRow[];
  columns: {
    start: Float64Array; duration: Float64Array; proto: Uint32Array; srcAddr: Uint32Array; dstAddr: Uint32Array;
    srcPort: Int32Array; dstPort: Int32Array; packets: Float64Array; bytes: Float64Array; flows: Float64Array;
    flags: Uint8Array; tos: Uint8Array; label: Uint32Array; attackType: Uint32Array; attackId: Uint32Array;
    attackDescription: Uint32Array;
  };
  dicts: { proto: string[]; addr: string[]; label: string[]; attackType: string[]; attackId: string[]; attackDescription: string[] };
}

export type WorkerMessage =
  | WorkerResult
  | { type: 'progress'; bytesRead: number; rows: number }
  | { type: 'error'; message: string; inputError: boolean };

async function run(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  const ctx = newContext(
    { onProgress: (p) => port.postMessage({ type: 'progress', bytesRead: p.bytesRead, rows: p.rows } satisfies WorkerMessage) },
    input.range.end - input.range.start,
  );
  // A fraction of 1 never stops early (bad rows cannot outnumber the rows read).
  ctx.log = new BadRowLog(input.maxBadRowCount !== undefined ? { kind: 'count', max: input.maxBadRowCount } : { kind: 'fraction', max: 1 });
  let ds: FlowDataset | undefined;
  let aborted = false;
  try {
    for await (const b of sourceBatches(input.path, ctx, { batchRows: 65536, grow: true, flushEachChunk: false, layout: input.layout, range: input.range, firstLine: 0 })) ds = b;
  } catch (err) {
    if (!(err instanceof InputError) || ctx.log.count === 0) throw err;
    aborted = true; // too many bad rows: report them so the main thread can say where
  }
  const p = ctx.lastParser!;
  const empty = { codes: new Uint32Array(0), values: [] as string[] };
  const c = ds?.columns;
  const columns: WorkerResult['columns'] = {
    start: c?.start ?? new Float64Array(0),
    duration: c?.duration ?? new Float64Array(0),
    proto: (c?.proto ?? empty).codes,
    srcAddr: (c?.srcAddr ?? empty).codes,
    dstAddr: (c?.dstAddr ?? empty).codes,
    srcPort: c?.srcPort ?? new Int32Array(0),
    dstPort: c?.dstPort ?? new Int32Array(0),
    packets: c?.packets ?? new Float64Array(0),
    bytes: c?.bytes ?? new Float64Array(0),
    flows: c?.flows ?? new Float64Array(0),
    flags: c?.flags ?? new Uint8Array(0),
    tos: c?.tos ?? new Uint8Array(0),
    label: (c?.label ?? empty).codes,
    attackType: (c?.attackType ?? empty).codes,
    attackId: (c?.attackId ?? empty).codes,
    attackDescription: (c?.attackDescription ?? empty).codes,
  };
  const d = ctx.dicts;
  const result: WorkerResult = {
    type: 'done',
    rows: aborted ? 0 : (ds?.length ?? 0),
    rowsRead: ctx.rowsBefore,
    lines: p.line,
    ended: p.ended,
    sawMultilineQuote: p.sawMultilineQuote,
    aborted,
    badCount: ctx.log.count,
    badRows: ctx.log.kept,
    columns,
    dicts: {
      proto: d.proto.values, addr: d.addr.values, label: d.label.values, attackType: d.attackType.values,
      attackId: d.attackId.values, attackDescription: d.attackDescription.values,
    },
  };
  const buffers = new Set<ArrayBuffer>();
  for (const a of Object.values(columns)) if (a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0) buffers.add(a.buffer);
  port.postMessage(result, [...buffers]);
}

run(workerData as WorkerInput).catch((err: unknown) => {
  parentPort!.postMessage({ type: 'error', message: (err as Error).message ?? String(err), inputError: err instanceof InputError } satisfies WorkerMessage);
});
