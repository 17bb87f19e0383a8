/**
 * A worker thread of the WebAssembly engine: runs its share of every batch on the shared memory,
 * as the main thread runs the other share. Started by wasm-model.ts with workerData
 * { memory, control, spec, threads, index, kind }.
 */
import { workerData } from 'node:worker_threads';
import type { ModelSpec } from './engine.js';
import { C, EXIT, readJob, resultView } from './wasm-control.js';
import { type KernelKind, kernelsFor } from './wasm-kernels.js';
import { predictBulk } from './wasm-bulk.js';
import { LstmPass, type MemoryPlan, PassMode, memoryPlan } from './wasm-pass.js';

const { memory, control, spec, threads, index, kind } = workerData as {
  memory: WebAssembly.Memory; control: SharedArrayBuffer; spec: ModelSpec; threads: number; index: number; kind: KernelKind;
};
const ctrl = new Int32Array(control);
const kernels = await kernelsFor(kind, memory);
const result = resultView(ctrl);
let pass: LstmPass | undefined;
let plan: MemoryPlan | undefined;
let capacity = 0;
let bulkRows = 0;
// 0, not the current value: the main thread may have posted the first job before this thread started.
let seen = 0;

for (;;) {
  Atomics.wait(ctrl, C.SEQ, seen);
  seen = Atomics.load(ctrl, C.SEQ);
  const { job, capacity: cap, bulkRows: bulk } = readJob(ctrl);
  if ((job.mode as number) === EXIT) break;
  try {
    if (!pass || !plan || cap !== capacity || bulk !== bulkRows) {
      plan = memoryPlan(spec, threads, cap, kernels.heapBase(), bulk);
      pass = new LstmPass(kernels, memory, spec, plan.params, plan.threads[index], plan.params.grads[index]);
      capacity = cap;
      bulkRows = bulk;
    }
    if (job.mode === PassMode.PredictBulk) predictBulk(kernels, memory, spec, plan, plan.threads[index], pass, job);
    else pass.run(job, result);
  } catch (err) {
    ctrl[C.FAILED] = 1;
    process.stderr.write(`ntc wasm worker ${index}: ${(err as Error).stack ?? String(err)}\n`);
  }
  Atomics.store(ctrl, C.DONE, seen);
  Atomics.notify(ctrl, C.DONE);
}
