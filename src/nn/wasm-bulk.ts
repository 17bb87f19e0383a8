/**
 * A worker's part of a background predict: its rows of the bulk areas, cut into chunks of its
 * workspace's capacity, each laid out time-major, run, and its outputs put back batch-major —
 * all on the worker, so the main thread hands over a whole batch once instead of every chunk.
 * Each chunk computes only up to its own last real step: callers that sort sequences by length
 * (the stream classifier) thereby skip most padding.
 */
import type { ModelSpec } from './engine.js';
import { needsCarry, realSpan } from './layout.js';
import type { LstmKernels } from './wasm-kernels.js';
import { type LstmPass, type MemoryPlan, type PassJob, PassMode, type ThreadPlan } from './wasm-pass.js';

const NO_RESULT = new Float64Array(2);

/**
 * Rows per chunk: small chunks keep a chunk's gates and states in the core's cache (1.05 us a
 * step at 64 rows against 1.2-1.35 at 256, on sequences of mixed lengths sorted by length).
 */
export const BULK_CHUNK_ROWS = 64;

export function predictBulk(k: LstmKernels, memory: WebAssembly.Memory, spec: ModelSpec, plan: MemoryPlan, thread: ThreadPlan, pass: LstmPass, job: PassJob): void {
  const f32 = new Float32Array(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  const S = spec.seqLen;
  const I = spec.inputSize;
  const K = spec.outputs;
  const { bulk } = plan;
  const chunk = Math.min(thread.capacity, BULK_CHUNK_ROWS);
  for (let done = 0; done < job.rows; done += chunk) {
    const first = job.rowOffset + done;
    const rows = Math.min(chunk, job.rows - done);
    const mask = f32.subarray(bulk.mask / 4 + first * S, bulk.mask / 4 + (first + rows) * S);
    const span = realSpan(mask, rows, S);
    if (span === 0) continue;
    const carry = needsCarry(mask, rows, S);
    const n = span * rows;
    k.toTimeMajor(bulk.x + first * S * I * 4, rows, S, span, I, thread.x);
    i32.fill(-1, thread.y / 4, thread.y / 4 + n);
    f32.fill(0, thread.w / 4, thread.w / 4 + n);
    if (carry) {
      const mb = thread.mask / 4;
      for (let t = 0; t < span; t++) for (let r = 0; r < rows; r++) f32[mb + t * rows + r] = mask[r * S + t];
    }
    pass.run({ mode: PassMode.Predict, rows, span, carry, rowOffset: first, batchRows: job.batchRows, scale: 0, dropoutSeed: 0 }, NO_RESULT);
    const lb = thread.logits / 4;
    const ob = bulk.out / 4;
    for (let t = 0; t < span; t++) {
      for (let r = 0; r < rows; r++) {
        const src = lb + (t * rows + r) * K;
        const dst = ob + ((first + r) * S + t) * K;
        for (let j = 0; j < K; j++) f32[dst + j] = f32[src + j];
      }
    }
  }
}
