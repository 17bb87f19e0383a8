/**
 * Parsing a large file's byte ranges for read-parallel.ts, on worker threads (parse-worker.ts) and
 * on the main thread, which parses too rather than wait for them. Each thread claims ranges in
 * file order from a shared counter until none are left, so a thread that starts late or runs
 * slowly (a busy machine) simply parses less. A thread keeps one set of dictionaries across its
 * ranges and reports how far each range grew them, from which the main thread builds the read's
 * dictionaries in file order.
 *
 * A range is parsed straight into its window of the file's columns (shared memory). Line numbers
 * in its bad rows count from the range start; the main thread makes them absolute. Once every
 * range is parsed, each thread does its share of the join (place): rows to move down to their
 * final place (windows have room to spare, so there are gaps) or, when a range outgrew its
 * window, to copy from that range's own columns, with the codes turned into the read's.
 */
import { InputError } from '../util/errors.js';
import { BadRowLog } from './bad-rows.js';
import { CODED, FlowDictionaries, type ColumnArrays, type ColumnWindow } from './batch-builder.js';
import type { ByteRange } from './byte-source.js';
import type { ColumnExchange } from './column-exchange.js';
import type { Layout } from './layout.js';
import { newContext, sourceBatches } from './read.js';
import type { BadRow, FlowDataset } from './schema.js';

/** What every thread of one read is given. */
export interface ReadTask {
  path: string;
  layout: Layout;
  ranges: ByteRange[];
  /** Per range, where its rows go: its rows of the file's columns, sized from an estimate. */
  windows: ColumnWindow[];
  /**
   * An absolute bad-row limit, which one range alone may exceed. A fraction is left to the main
   * thread: a range dense in bad rows says nothing about the whole file.
   */
  maxBadRowCount?: number;
  /** [next range to claim, 1 once the read must stop claiming], shared by the threads. */
  control: Int32Array;
  /** The BroadcastChannel on which the threads of a read share their columns. */
  channel: string;
  /**
   * For tests: thread t parses ranges t, t + threads, ... instead of claiming them, so that every
   * thread parses ranges between other threads' however fast each starts.
   */
  inTurn?: { threads: number };
}

export interface WorkerInput extends ReadTask {
  thread: number;
}

const NEXT = 0;
const STOP = 1;

export type DictName = 'proto' | 'addr' | 'label' | 'attackType' | 'attackId' | 'attackDescription';
export const DICT_NAMES: readonly DictName[] = ['proto', 'addr', 'label', 'attackType', 'attackId', 'attackDescription'];
export type DictValues = Record<DictName, string[]>;

export interface RangeResult {
  type: 'done';
  range: number;
  thread: number;
  rows: number;
  /** Rows read, good and bad (also those of a batch lost to an abort). */
  rowsRead: number;
  /** Lines consumed by the range (rows, bad rows, blank lines, lines inside quoted fields). */
  lines: number;
  ended: boolean;
  sawMultilineQuote: boolean;
  /** The range's own bad-row limit was exceeded: the read must stop. */
  aborted: boolean;
  badCount: number;
  badRows: BadRow[];
  /**
   * The rows are in the range's window. If not, they are in columns of the thread's own, which go
   * only to other threads (on the channel), so that their memory is released when the workers end.
   */
  inWindow: boolean;
  /** Sizes of the thread's dictionaries after the range: values from the previous sizes on are new in it. */
  dictSizes: Record<DictName, number>;
}

/** A thread's ranges are all parsed; its dictionaries' values (codes index them). */
export interface ThreadDone {
  type: 'finished';
  thread: number;
  dicts: DictValues;
}

export type WorkerColumns = ColumnArrays;

/** Rows from..to-1 of one range, to go to the file's columns from row `offset`. */
export interface PlaceSegment {
  /** The range whose rows these are. */
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

/** From the main thread: this thread's share of putting the ranges' rows into `target`. */
export interface PlaceRequest {
  type: 'place';
  target: WorkerColumns;
  segments: PlaceSegment[];
  /**
   * The columns this thread does. Moves within the target overlap their own rows, so they are
   * shared out by column, each column's segments done in row order by one thread.
   */
  columns: (keyof WorkerColumns)[];
}

export type WorkerMessage =
  | RangeResult
  | ThreadDone
  | { type: 'placed' }
  | { type: 'progress'; range: number; bytesRead: number; rows: number }
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
      remapRows(out as Uint32Array, src as Uint32Array, map, seg.from, seg.to, seg.offset);
    }
  }
}

/**
 * out[offset + k] = map[src[from + k]]: a function of its own, so that its loop is compiled for
 * these array types alone. In row order: within the target, row `at` is never after row `i`, so no
 * row is overwritten before it is read.
 */
function remapRows(out: Uint32Array, src: Uint32Array, map: Uint32Array, from: number, to: number, offset: number): void {
  for (let i = from, at = offset; i < to; i++, at++) out[at] = map[src[i]];
}

/**
 * Claims and parses ranges until none are left or one says the read must stop (too many bad
 * rows, the end of nfdump's data, a quoted field across lines). Each range's result goes to
 * `onResult` as soon as it is parsed; its columns, for other threads to copy from, to `exchange`.
 */
export async function parseClaimed(
  task: WorkerInput,
  exchange: ColumnExchange,
  onResult: (r: RangeResult) => void,
  onProgress: (range: number, bytesRead: number, rows: number) => void,
): Promise<ThreadDone> {
  const dicts = new FlowDictionaries();
  const { control, inTurn } = task;
  // In turn, every range is parsed: a stop must not leave a range unparsed before the one that stopped.
  for (let turn = 0; inTurn || Atomics.load(control, STOP) === 0; turn++) {
    const k = inTurn ? task.thread + turn * inTurn.threads : Atomics.add(control, NEXT, 1);
    if (k >= task.ranges.length) break;
    const { result, columns } = await parseRange(task, k, dicts, (bytes, rows) => onProgress(k, bytes, rows));
    if (columns) exchange.offer(k, columns);
    onResult(result);
    if (result.aborted || result.ended || result.sawMultilineQuote) Atomics.store(control, STOP, 1);
  }
  return { type: 'finished', thread: task.thread, dicts: valuesOf(dicts) };
}

function valuesOf(d: FlowDictionaries): DictValues {
  return { proto: d.proto.values, addr: d.addr.values, label: d.label.values, attackType: d.attackType.values, attackId: d.attackId.values, attackDescription: d.attackDescription.values };
}

async function parseRange(
  task: WorkerInput,
  k: number,
  dicts: FlowDictionaries,
  onProgress: (bytesRead: number, rows: number) => void,
): Promise<{ result: RangeResult; columns: WorkerColumns | undefined }> {
  const range = task.ranges[k];
  const ctx = newContext({ onProgress: (p) => onProgress(p.bytesRead, p.rows) }, range.end - range.start);
  ctx.dicts = dicts;
  // A fraction of 1 never stops early (bad rows cannot outnumber the rows read).
  ctx.log = new BadRowLog(task.maxBadRowCount !== undefined ? { kind: 'count', max: task.maxBadRowCount } : { kind: 'fraction', max: 1 });
  let ds: FlowDataset | undefined;
  let aborted = false;
  try {
    for await (const b of sourceBatches(task.path, ctx, {
      // batchRows only matters once the window is full: the builder then grows to what the range's bytes per row predict.
      batchRows: 1024, grow: true, flushEachChunk: false, layout: task.layout, range, firstLine: 0,
      sharedFor: { bytes: range.end - range.start }, window: task.windows[k],
    })) ds = b;
  } catch (err) {
    if (!(err instanceof InputError) || ctx.log.count === 0) throw err;
    aborted = true; // too many bad rows: report them so the main thread can say where
  }
  const p = ctx.lastParser!;
  const c = ds?.columns;
  const columns: WorkerColumns | undefined = c && !aborted
    ? {
      start: c.start, duration: c.duration, proto: c.proto.codes, srcAddr: c.srcAddr.codes, dstAddr: c.dstAddr.codes,
      srcPort: c.srcPort, dstPort: c.dstPort, packets: c.packets, bytes: c.bytes, flows: c.flows, flags: c.flags, tos: c.tos,
      label: c.label.codes, attackType: c.attackType.codes, attackId: c.attackId.codes, attackDescription: c.attackDescription.codes,
    }
    : undefined;
  const v = valuesOf(dicts);
  const result: RangeResult = {
    type: 'done',
    range: k,
    thread: task.thread,
    rows: aborted ? 0 : (ds?.length ?? 0),
    rowsRead: ctx.rowsBefore,
    lines: p.line,
    ended: p.ended,
    sawMultilineQuote: p.sawMultilineQuote,
    aborted,
    badCount: ctx.log.count,
    badRows: ctx.log.kept,
    inWindow: p.inWindow,
    dictSizes: {
      proto: v.proto.length, addr: v.addr.length, label: v.label.length, attackType: v.attackType.length,
      attackId: v.attackId.length, attackDescription: v.attackDescription.length,
    },
  };
  return { result, columns };
}
