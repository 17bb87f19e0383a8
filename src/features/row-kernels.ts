/**
 * The kernels row-pool.ts spreads over threads, by name (a worker gets the name and plain data, not
 * a function). Each writes only its own rows, or its own block's slot of a statistics array.
 */
import { contextBlock, type ContextBlockInput } from './context-blocks.js';
import { fitCountsBlock, transformBlock, type FullRows, type FullTables, type TransformContext, type TransformPlan } from './full-kernel.js';

export type KernelCall =
  | { kernel: 'fitCounts'; inp: FullRows; tables: FullTables; width: number; out: Float64Array }
  | { kernel: 'transform'; inp: FullRows; tables: FullTables; plan: TransformPlan; ctx: TransformContext; data: Float32Array }
  | { kernel: 'context'; inp: ContextBlockInput };

export function runKernel(call: KernelCall, block: number, from: number, to: number): void {
  switch (call.kernel) {
    case 'fitCounts':
      fitCountsBlock(call.inp, call.tables, from, to, call.out.subarray(block * call.width, (block + 1) * call.width));
      return;
    case 'transform':
      transformBlock(call.inp, call.tables, call.plan, call.ctx, call.data, from, to);
      return;
    case 'context':
      contextBlock(call.inp, from, to);
      return;
    default:
      throw new Error(`internal: no row kernel ${(call as { kernel: string }).kernel}`);
  }
}
