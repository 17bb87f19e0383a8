import { type PassJob, PassMode } from './wasm-pass.js';

/**
 * The few integers a worker thread needs per job, in an Int32Array over a SharedArrayBuffer:
 * the main thread writes a job and bumps SEQ; the worker runs it and sets DONE to the same
 * number. Atomics.wait/notify on both sides, so a job costs microseconds to hand over.
 */
export const C = {
  SEQ: 0,
  DONE: 1,
  MODE: 2,
  ROWS: 3,
  SPAN: 4,
  CARRY: 5,
  ROW_OFFSET: 6,
  BATCH_ROWS: 7,
  CAPACITY: 8,
  SCALE: 9,
  DROPOUT_SEED: 10,
  FAILED: 11,
  LOSS: 12, // float64 over 12-13
  CORRECT: 14, // float64 over 14-15
  BULK_ROWS: 16,
  SIZE: 18,
} as const;

export const EXIT = 99;

export function writeJob(ctrl: Int32Array, job: PassJob, capacity: number, bulkRows = 0): void {
  const f32 = new Float32Array(ctrl.buffer, ctrl.byteOffset, C.SIZE);
  ctrl[C.MODE] = job.mode;
  ctrl[C.ROWS] = job.rows;
  ctrl[C.SPAN] = job.span;
  ctrl[C.CARRY] = job.carry ? 1 : 0;
  ctrl[C.ROW_OFFSET] = job.rowOffset;
  ctrl[C.BATCH_ROWS] = job.batchRows;
  ctrl[C.CAPACITY] = capacity;
  ctrl[C.BULK_ROWS] = bulkRows;
  f32[C.SCALE] = job.scale;
  ctrl[C.DROPOUT_SEED] = job.dropoutSeed | 0;
}

export function readJob(ctrl: Int32Array): { job: PassJob; capacity: number; bulkRows: number } {
  const f32 = new Float32Array(ctrl.buffer, ctrl.byteOffset, C.SIZE);
  return {
    job: {
      mode: ctrl[C.MODE] as PassMode,
      rows: ctrl[C.ROWS],
      span: ctrl[C.SPAN],
      carry: ctrl[C.CARRY] === 1,
      rowOffset: ctrl[C.ROW_OFFSET],
      batchRows: ctrl[C.BATCH_ROWS],
      scale: f32[C.SCALE],
      dropoutSeed: ctrl[C.DROPOUT_SEED] >>> 0,
    },
    capacity: ctrl[C.CAPACITY],
    bulkRows: ctrl[C.BULK_ROWS],
  };
}

/** Loss sum and correct rows, as float64 inside the control block. */
export function resultView(ctrl: Int32Array): Float64Array {
  return new Float64Array(ctrl.buffer, ctrl.byteOffset + C.LOSS * 4, 2);
}
