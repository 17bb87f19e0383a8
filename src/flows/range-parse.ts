/**
 * Parsing one byte range of a flow file for read-parallel.ts, on a worker thread (parse-worker.ts)
 * or on the main thread, which takes the first range itself rather than wait for the workers:
 * with its own dictionaries, straight into its window of the file's columns (shared memory). Line
 * numbers in its bad rows count from the range start; the main thread makes them absolute. Once
 * every range is parsed, each thread does its share of the join (place): rows to move down to
 * their final place (windows have room to spare, so there are gaps) or, when a range outgrew its
 * window, to copy from that range's own columns, with the codes turned into the read's.
 */
import { InputError } from '../util/errors.js';
import { BadRowLog } from './bad-rows.js';
import { CODED, type ColumnArrays, type ColumnWindow } from './batch-builder.js';
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
  /** Where the range's rows go: its rows of the file's columns, sized from an estimate. */
  window: ColumnWindow;
  /**
   * Should the window be too small: columns of its own, in shared memory (so that every worker
   * can copy its rows), sized for these bytes.
   */
  sizeFor: number;
  /** The range's number, and the BroadcastChannel on which the threads of a read share their columns. */
  index: number;
  channel: string;
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
  /**
   * The rows are in the range's window. If not, they are in columns of the worker's own, which go
   * only to other workers (on the channel), so that their memory is released when the workers end.
   */
  inWindow: boolean;
  dicts: { proto: string[]; addr: string[]; label: string[]; attackType: string[]; attackId: string[]; attackDescription: string[] };
}

export type WorkerColumns = ColumnArrays;

type DictName = keyof WorkerResult['dicts'];

/** Rows from..to-1 of one range, to go to the file's columns from row `offset`. */
export interface PlaceSegment {
  /** The range (worker index) whose rows these are. */
  source: number;
  from: number;
  to: number;
  offset: number;
  /** Per dictionary, the read's code of each of the range's codes; null where they are the same. */
  remap: Record<DictName, Uint32Array | null>;
  /**
   * The rows are in `target` already (from..to-1 are rows of the target, in the range's window):
   * to be moved down to `offset` (no further than the rows before them leave free) and remapped.
   */
  inTarget: boolean;
}

/** From the main thread: this worker's share of putting the ranges' rows into `target`. */
export interface PlaceRequest {
  type: 'place';
  target: WorkerColumns;
  segments: PlaceSegment[];
  /**
   * The columns this worker does. Moves within the target overlap their own rows, so they are
   * shared out by column, each column's segments done in row order by one thread.
   */
  columns: (keyof WorkerColumns)[];
}

export type WorkerMessage =
  | WorkerResult
  | { type: 'placed' }
  | { type: 'progress'; bytesRead: number; rows: number }
  | { type: 'error'; message: string; inputError: boolean };

export function place(req: PlaceRequest, sources: Map<number, WorkerColumns>): void {
  const coded = new Map<keyof WorkerColumns, DictName>(CODED);
  for (const seg of req.segments) {
    for (const key of req.columns) {
      const out = req.target[key];
      const src = seg.inTarget ? out : sources.get(seg.source)![key];
      const dict = coded.get(key);
      const map = dict ? seg.remap[dict] : null;
      if (!map) {
        if (!seg.inTarget) out.set(src.subarray(seg.from, seg.to) as never, seg.offset);
        else if (seg.from !== seg.offset) out.copyWithin(seg.offset, seg.from, seg.to);
        continue;
      }
      // In row order: within the target, row `at` is never after row `i`, so no row is overwritten before it is read.
      for (let i = seg.from, at = seg.offset; i < seg.to; i++, at++) out[at] = map[src[i]];
    }
  }
}


/**
 * Parses `input`'s range. The columns are the range's rows (its window's, or its own when the
 * window was too small), for the other threads to copy from; empty after an abort.
 */
export async function parseRange(
  input: WorkerInput,
  onProgress: (bytesRead: number, rows: number) => void,
): Promise<{ result: WorkerResult; columns: WorkerColumns | undefined }> {
  const ctx = newContext({ onProgress: (p) => onProgress(p.bytesRead, p.rows) }, input.range.end - input.range.start);
  // A fraction of 1 never stops early (bad rows cannot outnumber the rows read).
  ctx.log = new BadRowLog(input.maxBadRowCount !== undefined ? { kind: 'count', max: input.maxBadRowCount } : { kind: 'fraction', max: 1 });
  let ds: FlowDataset | undefined;
  let aborted = false;
  try {
    for await (const b of sourceBatches(input.path, ctx, {
      // batchRows only matters once the window is full: the builder then grows to what the range's bytes per row predict.
      batchRows: 1024, grow: true, flushEachChunk: false, layout: input.layout, range: input.range, firstLine: 0,
      sharedFor: { bytes: input.sizeFor }, window: input.window,
    })) ds = b;
  } catch (err) {
    if (!(err instanceof InputError) || ctx.log.count === 0) throw err;
    aborted = true; // too many bad rows: report them so the main thread can say where
  }
  const p = ctx.lastParser!;
  const empty = { codes: new Uint32Array(0), values: [] as string[] };
  const c = ds?.columns;
  const columns: WorkerColumns = {
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
    inWindow: p.inWindow,
    dicts: {
      proto: d.proto.values, addr: d.addr.values, label: d.label.values, attackType: d.attackType.values,
      attackId: d.attackId.values, attackDescription: d.attackDescription.values,
    },
  };
  return { result, columns: !aborted && ds ? columns : undefined };
}
