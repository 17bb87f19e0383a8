/**
 * Reading flow files (CIDDS CSV, nfdump CSV; plain or gzipped) into the columnar FlowDataset.
 *
 * Files are streamed in chunks and parsed straight into typed columns, so memory is bounded by the
 * columns kept, not by the file size. `readFlowBatches` hands out fixed-size batches one by one (for
 * endless streams); `readFlows` fills one builder per file, sized from the file's bytes per row,
 * and splits large plain files across worker threads (read-parallel.ts).
 */
import { UserError, InputError } from '../util/errors.js';
import { BadRowLog, badRowLimit, KEEP_BAD_ROWS } from './bad-rows.js';
import { BatchBuilder, FlowDictionaries, type ColumnWindow } from './batch-builder.js';
import { fileSize, openSource, type ByteRange } from './byte-source.js';
import { concatReleasing } from './concat.js';
import { detectLayout, type Layout } from './layout.js';
import { parallelPlan, readFileParallel } from './read-parallel.js';
import { FlowRowParser } from './row-parser.js';
import type { FlowDataset, SourceFile } from './schema.js';

export interface ReadProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  rows: number;
}

export interface ReadOptions {
  /** Malformed rows tolerated: >= 1 an absolute count, < 1 a fraction of rows read (default 0.001). */
  maxBadRows?: number;
  onProgress?: (p: ReadProgress) => void;
}

export interface BatchReadOptions extends ReadOptions {
  /** Rows per batch (default 65,536). */
  batchRows?: number;
}

export const DEFAULT_BATCH_ROWS = 65536;
/** First allocation when reading a whole file into one data set; grown from the file size after. */
const GROW_START_ROWS = 65536;

/** State shared by the files of one read: dictionaries, the bad-row count, totals for estimates. */
export interface ReadContext {
  dicts: FlowDictionaries;
  log: BadRowLog;
  /** Rows read (good + bad) in files finished before the current one. */
  rowsBefore: number;
  /** Sum of the sizes of all files of the read; 0 when any size is unknown. */
  bytesTotal: number;
  bytesBefore: number;
  onProgress?: (p: ReadProgress) => void;
  /** How the last source ended (for workers reading a byte range). */
  lastParser?: { line: number; ended: boolean; sawMultilineQuote: boolean; rows: number; badRows: number; inWindow: boolean };
}

export function newContext(opts: ReadOptions, bytesTotal: number): ReadContext {
  return { dicts: new FlowDictionaries(), log: new BadRowLog(badRowLimit(opts.maxBadRows)), rowsBefore: 0, bytesTotal, bytesBefore: 0, onProgress: opts.onProgress };
}

export function splitHeader(line: Buffer): string[] {
  let s = line.toString('utf8');
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (s.endsWith('\r')) s = s.slice(0, -1);
  return s.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
}

export interface SourceReadOptions {
  batchRows: number;
  /**
   * Rows of the first batch, each later one twice the last up to batchRows (a consumer that works
   * on batches while later ones are read starts early). Default: batchRows from the start.
   */
  firstBatchRows?: number;
  /**
   * Grow one builder instead of yielding full batches: the whole source comes out as one data set
   * (sized from the first chunk's bytes per row, so usually allocated once).
   */
  grow: boolean;
  /** Yield whatever rows each chunk produced (live streams, where a full batch may be far off). */
  flushEachChunk: boolean;
  /** For a byte range of a file (parallel reading): its layout, known from the header. */
  layout?: Layout;
  range?: ByteRange;
  /** Line number of the range's first row (relative numbering in workers). */
  firstLine?: number;
  /**
   * Grow into shared memory sized for `bytes` of input, not the source's: a parser worker whose
   * columns may become the whole file's (read-parallel.ts).
   */
  sharedFor?: { bytes: number };
  /** Rows of the file's columns to parse into (with sharedFor: where it goes when they run out). */
  window?: ColumnWindow;
}

/** Batches of one source (see SourceReadOptions). */
export async function* sourceBatches(
  source: string | NodeJS.ReadableStream,
  ctx: ReadContext,
  o: SourceReadOptions,
): AsyncGenerator<FlowDataset> {
  const src = await openSource(source, o.range);
  let parser: FlowRowParser | undefined;
  let builder: BatchBuilder | undefined;
  let carry: Buffer | null = null;
  let yielded = 0;
  /** Offset in the (decoded) source of the first byte of the data being parsed. */
  let dataOffset = 0;
  let parsePos = 0;
  const rowsRead = (): number => ctx.rowsBefore + (parser ? parser.rows + parser.badRows : 0);

  const take = (last: boolean): FlowDataset => {
    const bad = parser!.takeBatchBadRows();
    const n = builder!.length;
    const sf: SourceFile = { path: src.name, format: parser!.layout.format, rows: n, badRows: bad.count, labelled: parser!.layout.labelled };
    yielded++;
    const ds = builder!.take([sf], bad.rows, bad.count, last);
    if (!last && !o.grow && builder!.capacity < o.batchRows) builder!.grow(Math.min(o.batchRows, builder!.capacity * 2));
    return ds;
  };
  const startParser = (layout: Layout): void => {
    builder = new BatchBuilder(Math.min(o.firstBatchRows ?? o.batchRows, o.batchRows), ctx.dicts, o.sharedFor !== undefined, o.window);
    parser = new FlowRowParser(layout, src.name, builder, ctx.log, () => ctx.rowsBefore);
    if (o.firstLine !== undefined) parser.line = o.firstLine;
  };
  const estimateTotalRows = (): number => {
    if (ctx.bytesTotal <= 0) return Infinity;
    const done = ctx.bytesBefore + src.bytesRead();
    return done > 0 ? (rowsRead() * ctx.bytesTotal) / done : Infinity;
  };
  /** New capacity for a full builder in grow mode: the estimated rows of this source, at least double. */
  const grownCapacity = (): number => {
    const b = builder!;
    // Bytes parsed so far, not bytes read: the stream reads ahead of the parser.
    const parsed = dataOffset + parsePos;
    const compressed = src.bytesRead() < parsed; // gunzipped: sizes on disk say nothing per row
    const bytes = o.sharedFor?.bytes ?? src.bytesTotal;
    const est = bytes > 0 && parsed > 0 && !compressed ? Math.ceil(((parser!.rows + parser!.badRows) * bytes * 1.02) / parsed) : 0;
    return Math.max(b.capacity * 2, est);
  };
  const onFull = (): boolean => {
    if (!o.grow) return true;
    builder!.grow(grownCapacity());
    return false;
  };

  /** Parses `data` from `pos`, handing over or growing full batches; returns where it stopped. */
  async function* drain(data: Buffer, pos: number, final: boolean): AsyncGenerator<FlowDataset, number> {
    for (;;) {
      pos = parser!.parse(data, pos, data.length, final);
      parsePos = pos;
      if (!builder!.full) return pos;
      if (onFull()) {
        yield take(false);
        if (ctx.bytesTotal <= 0) ctx.log.checkEarly(rowsRead(), rowsRead());
      }
    }
  }

  if (o.layout) startParser(o.layout);
  try {
    for await (const chunk of src.chunks) {
      let data: Buffer = chunk;
      let pos = 0;
      if (carry && parser) {
        // Finish the record cut by the chunk boundary on a small joint buffer instead of copying
        // the whole chunk behind the carried bytes.
        const lf = chunk.indexOf(10);
        const joint = Buffer.concat([carry, lf >= 0 ? chunk.subarray(0, lf + 1) : chunk]);
        const done = yield* drain(joint, 0, false);
        if (lf >= 0 && done === joint.length) {
          dataOffset += carry.length; // now the offset of chunk[0]
          pos = lf + 1;
        } else {
          // A record longer than the joint (a quoted field with newlines): join it all.
          data = Buffer.concat([carry, chunk]);
          pos = done;
        }
        carry = null;
      } else if (carry) {
        data = Buffer.concat([carry, chunk]);
        carry = null;
      }
      if (!parser) {
        const nl = data.indexOf(10);
        if (nl < 0) {
          carry = data;
          continue;
        }
        startParser(detectLayout(splitHeader(data.subarray(0, nl)), src.name));
        pos = nl + 1;
      }
      pos = yield* drain(data, pos, false);
      carry = pos < data.length ? data.subarray(pos) : null;
      dataOffset += pos;
      parsePos = 0;
      data = undefined as unknown as Buffer;
      ctx.log.checkEarly(rowsRead(), estimateTotalRows());
      ctx.onProgress?.({ file: src.name, bytesRead: src.bytesRead(), bytesTotal: src.bytesTotal, rows: parser!.rows });
      if (parser!.ended) break;
      if (o.flushEachChunk && builder!.length > 0) yield take(false);
    }
    if (!parser) {
      if (!carry || carry.length === 0) throw new InputError(`${src.name}: empty file (no header line)`);
      startParser(detectLayout(splitHeader(carry), src.name));
      carry = null;
    }
    if (carry && !parser!.ended) yield* drain(carry, 0, true);
    ctx.onProgress?.({ file: src.name, bytesRead: src.bytesRead(), bytesTotal: src.bytesTotal, rows: parser!.rows });
    if (builder!.length > 0 || yielded === 0 || parser!.batchBadCount > 0) yield take(true);
  } finally {
    src.close();
    ctx.rowsBefore = rowsRead();
    ctx.bytesBefore += src.bytesRead();
    if (parser) ctx.lastParser = { line: parser.line, ended: parser.ended, sawMultilineQuote: parser.sawMultilineQuote, rows: parser.rows, badRows: parser.badRows, inWindow: builder!.inWindow };
  }
}

/**
 * Reads one file, `-` (stdin) or a stream as columnar batches. Codes of text columns are stable
 * across the batches (their `values` arrays are shared and only grow). The bad-row limit applies to
 * the whole stream; it is checked as rows arrive and once more at the end.
 */
export async function* readFlowBatches(source: string | NodeJS.ReadableStream, opts: BatchReadOptions = {}): AsyncGenerator<FlowDataset> {
  const bytesTotal = typeof source === 'string' && source !== '-' ? await fileSize(source) : 0;
  const ctx = newContext(opts, bytesTotal);
  const live = typeof source !== 'string' || source === '-';
  yield* sourceBatches(source, ctx, { batchRows: opts.batchRows ?? DEFAULT_BATCH_ROWS, grow: false, flushEachChunk: live });
  ctx.log.checkFinal(ctx.rowsBefore);
}

/** Reads files in order into one data set; rows of file i follow those of file i-1. */
export async function readFlows(paths: string[], opts: ReadOptions = {}): Promise<FlowDataset> {
  if (paths.length === 0) throw new UserError('no flow files given');
  if (paths.filter((p) => p === '-').length > 1) throw new UserError('stdin (-) can be read only once');
  // Check every file before reading any, so a typo in the last path fails at once.
  let bytesTotal = 0;
  for (const p of paths) {
    if (p === '-') bytesTotal = -Infinity;
    else bytesTotal += await fileSize(p);
  }
  const ctx = newContext(opts, Number.isFinite(bytesTotal) ? bytesTotal : 0);
  const parts: FlowDataset[] = [];
  for (const p of paths) {
    const parallel = p !== '-' && (await parallelPlan(p));
    if (parallel) {
      const ds = await readFileParallel(p, parallel, ctx);
      if (ds) {
        parts.push(ds);
        continue;
      }
    }
    for await (const b of sourceBatches(p, ctx, { batchRows: GROW_START_ROWS, grow: true, flushEachChunk: false })) parts.push(b);
  }
  ctx.log.checkFinal(ctx.rowsBefore);
  const ds = parts.length === 1 ? parts[0] : concatReleasing(parts);
  ds.badRows = ctx.log.kept.slice(0, KEEP_BAD_ROWS);
  ds.badRowCount = ctx.log.count;
  return ds;
}
