/**
 * Runs a row kernel (row-kernels.ts) over blocks of rows on the main thread and on worker threads
 * at once, and returns when every block is done. Callers stay synchronous (fitPreprocessor and
 * transformFlows return values, not promises): the main thread works through blocks itself and
 * then waits on a shared counter. Blocks are claimed one at a time from a shared counter, so a
 * worker that starts late or runs slowly (a busy machine) simply takes fewer blocks.
 *
 * Kernel inputs travel by structured clone: large arrays must be in shared memory (see
 * flows/shared-arrays.ts), where cloning shares them instead of copying.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { runKernel, type KernelCall } from './row-kernels.js';

/** Below minRows rows everything runs on the calling thread; blockRows rows are claimed at a time. */
const settings = { minRows: 1 << 18, maxThreads: 4, blockRows: 1 << 16 };

/** For tests and benchmarks: change when and how rows are spread over threads. */
export function setParallelFeatures(s: { minRows?: number; maxThreads?: number; blockRows?: number }): void {
  Object.assign(settings, s);
}

/** Blocks runBlocks splits `rows` rows into (of `scale` times the usual size). */
export function blockCount(rows: number, scale = 1): number {
  return Math.ceil(rows / (settings.blockRows * scale));
}

/** Control words shared with the workers for one run. */
const NEXT = 0;
const DONE = 1;
const FAILED = 2;

/** Rows `rows` of one kernel call, cut into blocks. */
export interface BlockJob {
  call: KernelCall;
  rows: number;
  /** Blocks this many times the usual size (fewer, larger blocks: less to join up after). */
  scale?: number;
}

export interface BlockTask {
  control: Int32Array;
  jobs: BlockJob[];
  /** First block number of each job, then the total. */
  firstBlock: number[];
  blockRows: number;
}

let pool: Worker[] | undefined;
let poolError: string | undefined;

function threads(): number {
  const env = process.env.NTC_FEATURE_THREADS;
  return Math.max(1, Math.min(env !== undefined ? Number(env) || 1 : availableParallelism(), settings.maxThreads));
}

function workers(count: number): Worker[] {
  pool ??= [];
  while (pool.length < count) {
    const w = new Worker(new URL('./row-worker.js', import.meta.url));
    // Idle workers must not keep the process alive.
    w.unref();
    w.on('error', (err) => (poolError = err.message));
    pool.push(w);
  }
  return pool.slice(0, count);
}

/** Whether `rows` rows are worth spreading over threads (and threads are available). */
export function parallelWorthIt(rows: number): boolean {
  return rows >= settings.minRows && threads() >= 2;
}

/**
 * Calls each job's kernel for every block of its rows (blockCount(rows) blocks, the last shorter),
 * on this thread and the pool's, and returns when all are done. `first` runs on this thread
 * before it joins in: work that must stay on one thread but can overlap the blocks. A kernel must
 * write only to its own rows or its own block's slot.
 */
export function runBlocks(jobs: BlockJob[], first?: () => void): void {
  const firstBlock = [0];
  for (const j of jobs) firstBlock.push(firstBlock[firstBlock.length - 1] + blockCount(j.rows, j.scale));
  const blocks = firstBlock[jobs.length];
  const control = new Int32Array(new SharedArrayBuffer(16));
  const task: BlockTask = { control, jobs, firstBlock, blockRows: settings.blockRows };
  const helpers = blocks > 1 || first ? workers(Math.min(threads() - 1, blocks)) : [];
  for (const w of helpers) w.postMessage(task);
  first?.();
  runClaimedBlocks(task);
  for (;;) {
    const done = Atomics.load(control, DONE);
    if (done >= blocks) break;
    if (Atomics.load(control, FAILED) !== 0 || poolError) {
      throw new Error(`internal: a feature worker failed${poolError ? `: ${poolError}` : ''}`);
    }
    Atomics.wait(control, DONE, done, 1000);
  }
}

/** Claims and runs blocks until none are left (on the main thread and in row-worker.ts). */
export function runClaimedBlocks(task: BlockTask): void {
  const { control, jobs, firstBlock, blockRows } = task;
  const blocks = firstBlock[jobs.length];
  let j = 0;
  try {
    for (;;) {
      const b = Atomics.add(control, NEXT, 1);
      if (b >= blocks) return;
      while (b >= firstBlock[j + 1]) j++;
      const k = b - firstBlock[j];
      const size = blockRows * (jobs[j].scale ?? 1);
      runKernel(jobs[j].call, k, k * size, Math.min(jobs[j].rows, (k + 1) * size));
      Atomics.add(control, DONE, 1);
      Atomics.notify(control, DONE);
    }
  } catch (err) {
    Atomics.store(control, FAILED, 1);
    Atomics.notify(control, DONE);
    throw err;
  }
}
