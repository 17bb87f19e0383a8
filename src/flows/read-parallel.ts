/**
 * Reading one large plain (not gzipped) flow file on several cores: the rows after the header are
 * split at newlines into byte ranges, each parsed by a worker thread (parse-worker.ts) with its own
 * dictionaries, and the parts are joined here with their codes remapped to the read's dictionaries
 * and their line numbers made absolute.
 *
 * A quoted field spanning lines could be cut by a split; a worker that meets a multi-line or
 * unterminated quote says so and the file is then read again in one piece.
 */
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError } from '../util/errors.js';
import type { ByteDictionary } from './byte-dictionary.js';
import type { ByteRange } from './byte-source.js';
import { detectLayout, type Layout } from './layout.js';
import type { ReadContext } from './read.js';
import { splitHeader } from './read.js';
import type { BadRow, FlowColumns, FlowDataset } from './schema.js';
import type { WorkerInput, WorkerMessage, WorkerResult } from './parse-worker.js';
import { sharedArray, sharedLike } from './shared-arrays.js';

/** Below this size a file is read on one thread: starting workers would cost more than it saves. */
const settings = { minBytes: 32 << 20, maxWorkers: 4 };

/** For tests and benchmarks: force or forbid parallel reading. */
export function setParallelReading(s: { minBytes?: number; maxWorkers?: number }): void {
  Object.assign(settings, s);
}

export interface ParallelPlan {
  layout: Layout;
  size: number;
  ranges: ByteRange[];
}

const PROBE = 1 << 16;

/** Decides whether and how to split `path`; undefined means read it on one thread. */
export async function parallelPlan(path: string): Promise<ParallelPlan | undefined> {
  const env = process.env.NTC_READ_WORKERS;
  const workers = Math.min(env !== undefined ? Number(env) : availableParallelism(), settings.maxWorkers);
  if (!(workers >= 2)) return undefined;
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
    const probe = Buffer.alloc(PROBE);
    for (let k = 1; k < workers; k++) {
      const target = bodyStart + Math.floor(((size - bodyStart) * k) / workers);
      const { bytesRead } = await fh.read(probe, 0, PROBE, target);
      const at = probe.subarray(0, bytesRead).indexOf(10);
      if (at < 0) continue;
      const cut = target + at + 1;
      if (cut > cuts[cuts.length - 1] && cut < size) cuts.push(cut);
    }
    cuts.push(size);
    if (cuts.length < 3) return undefined;
    const ranges = cuts.slice(0, -1).map((start, i) => ({ start, end: cuts[i + 1] }));
    return { layout, size, ranges };
  } finally {
    await fh.close();
  }
}

function runWorker(input: WorkerInput, onProgress: (bytesRead: number, rows: number) => void): { done: Promise<WorkerResult>; stop: () => void } {
  const worker = new Worker(new URL('./parse-worker.js', import.meta.url), { workerData: input });
  const done = new Promise<WorkerResult>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress(m.bytesRead, m.rows);
      else if (m.type === 'error') reject(m.inputError ? new InputError(m.message) : new Error(m.message));
      else resolve(m);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`flow parser worker exited with code ${code}`)));
  });
  return { done, stop: () => void worker.terminate() };
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
  const runs = plan.ranges.map((range, k) =>
    runWorker({ path, range, layout: plan.layout, maxBadRowCount: limit.kind === 'count' ? limit.max : undefined }, (bytes, rows) => {
      progress[k] = { bytes, rows };
      report();
    }),
  );
  let results: WorkerResult[];
  try {
    results = await Promise.all(runs.map((r) => r.done));
  } finally {
    for (const r of runs) r.stop();
  }
  if (results.some((r) => r.sawMultilineQuote)) return undefined;
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
  return joinParts(path, plan.layout, results, ctx, badTotal);
}

function remapTable(values: string[], dict: ByteDictionary): Uint32Array {
  const t = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) t[i] = dict.codeOfString(values[i]);
  return t;
}

function isIdentity(map: Uint32Array): boolean {
  for (let i = 0; i < map.length; i++) if (map[i] !== i) return false;
  return true;
}

function joinParts(path: string, layout: Layout, parts: WorkerResult[], ctx: ReadContext, badTotal: number): FlowDataset {
  const n = parts.reduce((s, p) => s + p.rows, 0);
  const d = ctx.dicts;
  const numeric = <K extends 'start' | 'duration' | 'srcPort' | 'dstPort' | 'packets' | 'bytes' | 'flows' | 'flags' | 'tos'>(key: K): FlowColumns[K] => {
    // Shared memory, so that feature threads can read the columns in place.
    const out = sharedLike(parts[0].columns[key], n) as unknown as FlowColumns[K];
    let at = 0;
    for (const p of parts) {
      out.set(p.columns[key] as never, at);
      at += p.rows;
      (p.columns as Partial<WorkerResult['columns']>)[key] = undefined;
    }
    return out;
  };
  type DictKey = 'proto' | 'srcAddr' | 'dstAddr' | 'label' | 'attackType' | 'attackId' | 'attackDescription';
  const tables = parts.map((p) => ({
    proto: remapTable(p.dicts.proto, d.proto),
    addr: remapTable(p.dicts.addr, d.addr),
    label: remapTable(p.dicts.label, d.label),
    attackType: remapTable(p.dicts.attackType, d.attackType),
    attackId: remapTable(p.dicts.attackId, d.attackId),
    attackDescription: remapTable(p.dicts.attackDescription, d.attackDescription),
  }));
  const coded = (key: DictKey, dict: ByteDictionary, table: 'proto' | 'addr' | 'label' | 'attackType' | 'attackId' | 'attackDescription') => {
    const codes = sharedArray(Uint32Array, n);
    let at = 0;
    parts.forEach((p, k) => {
      const src = p.columns[key];
      const map = tables[k][table];
      if (isIdentity(map)) codes.set(src.subarray(0, p.rows), at);
      else for (let i = 0; i < p.rows; i++) codes[at + i] = map[src[i]];
      at += p.rows;
      (p.columns as Partial<WorkerResult['columns']>)[key] = undefined;
    });
    return { codes, values: dict.values };
  };
  const columns: FlowColumns = {
    start: numeric('start'),
    duration: numeric('duration'),
    proto: coded('proto', d.proto, 'proto'),
    srcAddr: coded('srcAddr', d.addr, 'addr'),
    dstAddr: coded('dstAddr', d.addr, 'addr'),
    srcPort: numeric('srcPort'),
    dstPort: numeric('dstPort'),
    packets: numeric('packets'),
    bytes: numeric('bytes'),
    flows: numeric('flows'),
    flags: numeric('flags'),
    tos: numeric('tos'),
    label: coded('label', d.label, 'label'),
    attackType: coded('attackType', d.attackType, 'attackType'),
    attackId: coded('attackId', d.attackId, 'attackId'),
    attackDescription: coded('attackDescription', d.attackDescription, 'attackDescription'),
  };
  return {
    length: n,
    columns,
    sources: [{ path, format: layout.format, rows: n, badRows: badTotal, labelled: layout.labelled }],
    badRowCount: badTotal,
    badRows: [],
  };
}
