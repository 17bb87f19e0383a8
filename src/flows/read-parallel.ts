/**
 * Reading one large plain (not gzipped) flow file on several cores: the rows after the header are
 * split at newlines into byte ranges, which this thread and worker threads (parse-worker.ts) claim
 * in turn and parse with dictionaries of their own (range-parse.ts); the parts are joined here
 * with their codes remapped to the read's dictionaries and their line numbers made absolute.
 *
 * Each range is parsed straight into a window of the file's columns, placed where its rows are
 * expected to start (rows per byte sampled at the range's start) with room to spare; joining then
 * only closes the gaps between windows, in memory already touched. Copying every range but the
 * first into fresh columns cost about as much again in page faults as the copy itself.
 *
 * A quoted field spanning lines could be cut by a split; a thread that meets a multi-line or
 * unterminated quote says so and the file is then read again in one piece.
 */
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError } from '../util/errors.js';
import type { ByteRange } from './byte-source.js';
import { detectLayout, type Layout } from './layout.js';
import type { ReadContext } from './read.js';
import { splitHeader } from './read.js';
import type { BadRow, DictColumn, FlowColumns, FlowDataset } from './schema.js';
import { CODED, type FlowDictionaries } from './batch-builder.js';
import { ColumnExchange } from './column-exchange.js';
import {
  DICT_NAMES, parseClaimed, place, type DictName, type PlaceRequest, type PlaceSegment, type RangeResult, type ReadTask, type ThreadDone,
  type WorkerColumns, type WorkerInput, type WorkerMessage,
} from './range-parse.js';
import { sharedArray } from './shared-arrays.js';

/** Below this size a file is read on one thread: starting workers would cost more than it saves. */
const settings = { minBytes: 32 << 20, maxWorkers: 4, inTurn: false };

/** For tests and benchmarks: force or forbid parallel reading; inTurn: see ReadTask.inTurn. */
export function setParallelReading(s: { minBytes?: number; maxWorkers?: number; inTurn?: boolean }): void {
  Object.assign(settings, s);
}

export interface ParallelPlan {
  layout: Layout;
  size: number;
  /** Threads to parse on (this one and threads - 1 workers). */
  threads: number;
  /** In file order, largest first: threads claim them in turn (see rangeShares). */
  ranges: ByteRange[];
  /** Per range, bytes per row in a sample at its start (NaN where the sample held no whole row). */
  bytesPerRow: number[];
}

const PROBE = 1 << 16;
/** Reads so far, to name each read's worker channel. */
let reads = 0;

/** Decides whether and how to split `path`; undefined means read it on one thread. */
export async function parallelPlan(path: string): Promise<ParallelPlan | undefined> {
  const env = process.env.NTC_READ_WORKERS;
  const threads = Math.min(env !== undefined ? Number(env) : availableParallelism(), settings.maxWorkers);
  if (!(threads >= 2)) return undefined;
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size < settings.minBytes) return undefined;
    const head = Buffer.alloc(Math.min(PROBE, size));
    await fh.read(head, 0, head.length, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return undefined; // gzip: one stream, one thread
    const nl = head.indexOf(10);
    if (nl < 0) return undefined;
    const layout = detectLayout(splitHeader(head.subarray(0, nl)), path);
    const bodyStart = nl + 1;
    const cuts = [bodyStart];
    const bytesPerRow = [sampleBytesPerRow(head, bodyStart)];
    const probe = Buffer.alloc(PROBE);
    const shares = rangeShares(threads);
    let before = 0;
    for (const share of shares.slice(0, -1)) {
      before += share;
      const target = bodyStart + Math.floor((size - bodyStart) * before);
      const { bytesRead } = await fh.read(probe, 0, PROBE, target);
      const sample = probe.subarray(0, bytesRead);
      const at = sample.indexOf(10);
      if (at < 0) continue;
      const cut = target + at + 1;
      if (cut > cuts[cuts.length - 1] && cut < size) {
        cuts.push(cut);
        bytesPerRow.push(sampleBytesPerRow(sample, at + 1));
      }
    }
    cuts.push(size);
    if (cuts.length < 3) return undefined;
    const ranges = cuts.slice(0, -1).map((start, i) => ({ start, end: cuts[i + 1] }));
    return { layout, size, threads, ranges, bytesPerRow };
  } finally {
    await fh.close();
  }
}

/**
 * Shares of the file for ranges in file order: each round gives every thread a range of half of
 * what is left over that round, down to ranges of about a thirty-second, then the rest in one
 * range per thread. Large ranges first keep the joins few; small ones last let the thread that
 * finishes first take more, so the threads finish close together.
 */
function rangeShares(threads: number): number[] {
  const shares: number[] = [];
  let left = 1;
  while (left / (2 * threads) >= 1 / 32) {
    for (let t = 0; t < threads; t++) shares.push(left / (2 * threads));
    left /= 2;
  }
  for (let t = 0; t < threads; t++) shares.push(left / threads);
  return shares;
}

/** Mean length of the whole lines of `sample` from `from` on. */
function sampleBytesPerRow(sample: Buffer, from: number): number {
  let lines = 0;
  let last = from - 1;
  for (let at = sample.indexOf(10, from); at >= 0; at = sample.indexOf(10, at + 1)) {
    lines++;
    last = at;
  }
  return lines > 0 ? (last + 1 - from) / lines : NaN;
}

/**
 * A range's window in the file's columns: its estimated rows with a margin. Only rows written
 * are ever touched, so the margin costs address space, not memory; the last range's is larger.
 */
function windowRows(range: ByteRange, bytesPerRow: number, last: boolean): number {
  const est = (range.end - range.start) / (bytesPerRow > 0 ? bytesPerRow : 64);
  return Math.ceil(est * (last ? 1.25 : 1.03)) + 1024;
}

/** A parsing thread: a worker, or this thread. */
interface ParseThread {
  /** Resolves when the thread has no more ranges to parse. */
  finished: Promise<ThreadDone>;
  /** Asks the thread to do its share of the join; resolves once it is done. */
  place(req: PlaceRequest): Promise<void>;
  stop(): void;
}

type OnResult = (r: RangeResult) => void;
type OnProgress = (range: number, bytesRead: number, rows: number) => void;

/** This thread, parsing ranges too while the workers start up (it would otherwise only wait). */
function runHere(input: WorkerInput, onResult: OnResult, onProgress: OnProgress): ParseThread {
  const exchange = new ColumnExchange(input.channel);
  return {
    finished: parseClaimed(input, exchange, onResult, onProgress),
    place: async (req) => place(req, await exchange.columnsOf(req.segments.filter((g) => !g.inTarget).map((g) => g.source))),
    stop: () => exchange.close(),
  };
}

function runWorker(input: WorkerInput, onResult: OnResult, onProgress: OnProgress): ParseThread {
  const worker = new Worker(new URL('./parse-worker.js', import.meta.url), { workerData: input });
  let finished!: { resolve: (r: ThreadDone) => void; reject: (e: Error) => void };
  let placed: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const fail = (err: Error): void => {
    finished.reject(err);
    placed?.reject(err);
  };
  const finishedPromise = new Promise<ThreadDone>((resolve, reject) => (finished = { resolve, reject }));
  worker.on('message', (m: WorkerMessage) => {
    if (m.type === 'progress') onProgress(m.range, m.bytesRead, m.rows);
    else if (m.type === 'error') fail(m.inputError ? new InputError(m.message) : new Error(m.message));
    else if (m.type === 'placed') placed?.resolve();
    else if (m.type === 'done') onResult(m);
    else finished.resolve(m);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`flow parser worker exited with code ${code}`)));
  return {
    finished: finishedPromise,
    place: (req) =>
      new Promise<void>((resolve, reject) => {
        placed = { resolve, reject };
        worker.postMessage(req);
      }),
    stop: () => void worker.terminate(),
  };
}

/** Reads one file with workers; undefined when it must be read in one piece after all. */
export async function readFileParallel(path: string, plan: ParallelPlan, ctx: ReadContext): Promise<FlowDataset | undefined> {
  const progress = plan.ranges.map(() => ({ bytes: 0, rows: 0 }));
  const report = (): void =>
    ctx.onProgress?.({
      file: path,
      bytesRead: progress.reduce((n, p) => n + p.bytes, 0) + plan.ranges[0].start,
      bytesTotal: plan.size,
      rows: progress.reduce((n, p) => n + p.rows, 0),
    });
  const limit = ctx.log.limit;
  const last = plan.ranges.length - 1;
  const capacities = plan.ranges.map((range, k) => windowRows(range, plan.bytesPerRow[k], k === last));
  const target = sharedColumns(capacities.reduce((a, b) => a + b, 0));
  const offsets = capacities.map((_, k) => capacities.slice(0, k).reduce((a, b) => a + b, 0));
  const task: ReadTask = {
    path, layout: plan.layout, ranges: plan.ranges, maxBadRowCount: limit.kind === 'count' ? limit.max : undefined,
    windows: plan.ranges.map((_, k) => ({ columns: target, offset: offsets[k], capacity: capacities[k] })),
    control: new Int32Array(new SharedArrayBuffer(8)),
    channel: `ntc-read-${process.pid}-${++reads}`,
    inTurn: settings.inTurn ? { threads: plan.threads } : undefined,
  };
  const found: (RangeResult | undefined)[] = plan.ranges.map(() => undefined);
  const onResult = (r: RangeResult): void => {
    found[r.range] = r;
  };
  const onProgress = (k: number, bytes: number, rows: number): void => {
    progress[k] = { bytes, rows };
    report();
  };
  // The workers first, so that they start up while this thread parses.
  const threads: ParseThread[] = [];
  for (let t = 1; t < plan.threads; t++) threads[t] = runWorker({ ...task, thread: t }, onResult, onProgress);
  threads[0] = runHere({ ...task, thread: 0 }, onResult, onProgress);
  try {
    const done = await Promise.all(threads.map((t) => t.finished));
    // Ranges are claimed in file order: one missing follows one that stopped the read.
    let results: RangeResult[] = [];
    for (const r of found) {
      if (!r) {
        if (!results.some((p) => p.ended || p.sawMultilineQuote)) throw new Error('internal: a range of a parallel read was left unparsed');
        break;
      }
      results.push(r);
      if (r.aborted) break;
    }
    // Workers send progress a few times a second: the last of it is now known.
    results.forEach((r) => (progress[r.range] = { bytes: plan.ranges[r.range].end - plan.ranges[r.range].start, rows: r.rows }));
    if (found.some((r) => r?.sawMultilineQuote)) return undefined;
    // nfdump's summary ends the data: ranges after the one that met it hold no flows.
    const endAt = results.findIndex((r) => r.ended);
    if (endAt >= 0) results = results.slice(0, endAt + 1);

    let line = 2;
    let rowsRead = ctx.rowsBefore;
    let badTotal = 0;
    let aborted = false;
    for (const r of results) {
      const fixed: BadRow[] = r.badRows.map((b) => ({ ...b, line: b.line + line }));
      rowsRead += r.rowsRead;
      badTotal += r.badCount;
      ctx.log.addCounted(fixed, r.badCount, rowsRead);
      line += r.lines;
      if (r.aborted) aborted = true;
    }
    if (aborted) ctx.log.abort(rowsRead);
    ctx.rowsBefore = rowsRead;
    ctx.bytesBefore += plan.size;
    report();
    return await joinParts(path, plan.layout, results, done, threads, ctx, badTotal, { target, offsets });
  } finally {
    for (const t of threads) t.stop();
  }
}

function sharedColumns(n: number): WorkerColumns {
  return {
    start: sharedArray(Float64Array, n), duration: sharedArray(Float64Array, n), proto: sharedArray(Uint32Array, n),
    srcAddr: sharedArray(Uint32Array, n), dstAddr: sharedArray(Uint32Array, n), srcPort: sharedArray(Int32Array, n),
    dstPort: sharedArray(Int32Array, n), packets: sharedArray(Float64Array, n), bytes: sharedArray(Float64Array, n),
    flows: sharedArray(Float64Array, n), flags: sharedArray(Uint8Array, n), tos: sharedArray(Uint8Array, n),
    label: sharedArray(Uint32Array, n), attackType: sharedArray(Uint32Array, n), attackId: sharedArray(Uint32Array, n),
    attackDescription: sharedArray(Uint32Array, n),
  };
}

function viewOf(c: WorkerColumns, n: number): WorkerColumns {
  const view = <T extends WorkerColumns[keyof WorkerColumns]>(a: T): T => a.subarray(0, n) as T;
  return {
    start: view(c.start), duration: view(c.duration), proto: view(c.proto), srcAddr: view(c.srcAddr), dstAddr: view(c.dstAddr),
    srcPort: view(c.srcPort), dstPort: view(c.dstPort), packets: view(c.packets), bytes: view(c.bytes), flows: view(c.flows),
    flags: view(c.flags), tos: view(c.tos), label: view(c.label), attackType: view(c.attackType), attackId: view(c.attackId),
    attackDescription: view(c.attackDescription),
  };
}

/**
 * Per range, the read's code of each of its thread's codes, null where they are the same (the
 * codes a range can hold are those its thread had entered by its end). Values are entered range by
 * range in file order, each range's in the order its thread first met them (its dictSizes say
 * which those are), so that codes come out as one thread reading the file gives them.
 */
function remapTables(parts: RangeResult[], done: ThreadDone[], d: FlowDictionaries): Array<PlaceSegment['remap']> {
  const maps = done.map((t) => Object.fromEntries(DICT_NAMES.map((name) => [name, new Uint32Array(t.dicts[name].length)])) as Record<DictName, Uint32Array>);
  const entered = done.map(() => Object.fromEntries(DICT_NAMES.map((name) => [name, 0])) as Record<DictName, number>);
  for (const p of parts) {
    for (const name of DICT_NAMES) {
      const values = done[p.thread].dicts[name];
      const map = maps[p.thread][name];
      for (let c = entered[p.thread][name]; c < p.dictSizes[name]; c++) map[c] = d[name].codeOfValue(values[c]);
      entered[p.thread][name] = Math.max(entered[p.thread][name], p.dictSizes[name]);
    }
  }
  return parts.map((p) => {
    const m = maps[p.thread];
    return Object.fromEntries(DICT_NAMES.map((name) => [name, isIdentity(m[name], p.dictSizes[name]) ? null : m[name]])) as PlaceSegment['remap'];
  });
}

function isIdentity(map: Uint32Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (map[i] !== i) return false;
  return true;
}

/** The file's columns as the workers parsed into them, and where each range's window starts. */
interface Windows {
  target: WorkerColumns;
  offsets: number[];
}

const ALL_COLUMNS: (keyof WorkerColumns)[] = [
  'start', 'duration', 'proto', 'srcAddr', 'dstAddr', 'srcPort', 'dstPort', 'packets', 'bytes', 'flows', 'flags', 'tos',
  'label', 'attackType', 'attackId', 'attackDescription',
];

/**
 * The file's columns, in shared memory (so that feature threads can read them in place), with
 * each range's rows at their offset and its codes remapped to the read's dictionaries (remap tables
 * built here in range order, so codes are as one thread gives them). The workers do the moving:
 * when every range stayed in its window, each closes the gaps in its share of the columns; else
 * each copies its share of the rows into fresh columns.
 */
async function joinParts(
  path: string, layout: Layout, parts: RangeResult[], done: ThreadDone[], workers: ParseThread[], ctx: ReadContext, badTotal: number, windows: Windows,
): Promise<FlowDataset> {
  const n = parts.reduce((s, p) => s + p.rows, 0);
  const d = ctx.dicts;
  const remaps = remapTables(parts, done, d);
  const inPlace = parts.every((p) => p.rows === 0 || p.inWindow);
  const target = inPlace ? windows.target : sharedColumns(n);
  const segments: PlaceSegment[] = [];
  let offset = 0;
  parts.forEach((p, k) => {
    const from = inPlace ? windows.offsets[p.range] : 0;
    const still = inPlace && from === offset && Object.values(remaps[k]).every((m) => m === null);
    if (p.rows > 0 && !still) segments.push({ source: p.range, from, to: from + p.rows, offset, remap: remaps[k], inTarget: inPlace });
    offset += p.rows;
  });
  const requests = inPlace ? byColumn(segments, workers.length) : byRow(segments, workers.length);
  await Promise.all(requests.map((r, w) => (r.segments.length > 0 && r.columns.length > 0 ? workers[w].place({ type: 'place', target, ...r }) : undefined)));
  const out = inPlace ? viewOf(target, n) : target;
  const coded = (codes: Uint32Array, values: string[]): DictColumn => ({ codes, values });
  const columns: FlowColumns = {
    start: out.start,
    duration: out.duration,
    proto: coded(out.proto, d.proto.values),
    srcAddr: coded(out.srcAddr, d.addr.values),
    dstAddr: coded(out.dstAddr, d.addr.values),
    srcPort: out.srcPort,
    dstPort: out.dstPort,
    packets: out.packets,
    bytes: out.bytes,
    flows: out.flows,
    flags: out.flags,
    tos: out.tos,
    label: coded(out.label, d.label.values),
    attackType: coded(out.attackType, d.attackType.values),
    attackId: coded(out.attackId, d.attackId.values),
    attackDescription: coded(out.attackDescription, d.attackDescription.values),
  };
  return {
    length: n,
    columns,
    sources: [{ path, format: layout.format, rows: n, badRows: badTotal, labelled: layout.labelled }],
    badRowCount: badTotal,
    badRows: [],
  };
}

type Share = Pick<PlaceRequest, 'segments' | 'columns'>;

/** Copies into fresh columns: every column, the rows cut into one equal share per worker. */
function byRow(segments: PlaceSegment[], workers: number): Share[] {
  const total = segments.reduce((s, g) => s + g.to - g.from, 0);
  const shares = Array.from({ length: workers }, () => ({ segments: [] as PlaceSegment[], columns: ALL_COLUMNS }));
  let taken = 0;
  for (const g of segments) {
    for (let from = g.from; from < g.to; ) {
      const w = Math.min(workers - 1, Math.floor((taken * workers) / total));
      const shareEnd = Math.ceil(((w + 1) * total) / workers);
      const to = Math.min(g.to, from + Math.max(1, shareEnd - taken));
      shares[w].segments.push({ ...g, from, to, offset: g.offset + (from - g.from) });
      taken += to - from;
      from = to;
    }
  }
  return shares;
}

/**
 * Moves within the file's columns: every row, the columns shared out (a move overlaps its own
 * rows, so one column's rows must go in order on one thread), balanced by bytes moved and codes
 * remapped.
 */
function byColumn(segments: PlaceSegment[], workers: number): Share[] {
  const dictOf = new Map(CODED);
  const sample = sharedColumns(0);
  const cost = ALL_COLUMNS.map((key) => {
    let c = 0;
    for (const g of segments) {
      const dict = dictOf.get(key);
      if (dict && g.remap[dict]) c += (g.to - g.from) * 8; // a table lookup per row costs more than a moved byte
      else if (g.from !== g.offset) c += (g.to - g.from) * sample[key].BYTES_PER_ELEMENT;
    }
    return { key, c };
  }).filter((x) => x.c > 0).sort((a, b) => b.c - a.c);
  const shares = Array.from({ length: workers }, () => ({ segments, columns: [] as (keyof WorkerColumns)[], load: 0 }));
  for (const { key, c } of cost) {
    const least = shares.reduce((a, b) => (b.load < a.load ? b : a));
    least.columns.push(key);
    least.load += c;
  }
  return shares.map(({ segments: s, columns }) => ({ segments: s, columns }));
}
