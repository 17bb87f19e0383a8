/** Messages between read-ahead.ts and its worker thread. */
import type { ReadProgress } from '../flows/read.js';
import type { BadRow, ColumnName, SourceFile } from '../flows/schema.js';
import type { AddressStats } from './bounded-addresses.js';

/** The dictionary-coded columns of a FlowDataset. */
export const DICT_COLUMNS = ['proto', 'srcAddr', 'dstAddr', 'label', 'attackType', 'attackId', 'attackDescription'] as const satisfies readonly ColumnName[];

/**
 * Rows of the first batch by default; later ones double up to the batch size asked for. Small
 * first batches start the main thread early, and they also let the compiler see every per-batch
 * function run through whole, a few times, before the batches grow long: with 16k-row first
 * batches it optimized them mid-loop and discarded that code again, and 1M flows took ~4 % more
 * time and ~5 % more CPU (2,048 rows measured best among 256 to 16,384).
 */
export const FIRST_BATCH_ROWS = 2048;

export interface WorkerOptions {
  inputs: string[];
  maxBadRows?: number;
  batchRows: number;
  /** Rows of the first batch (default FIRST_BATCH_ROWS): the main thread starts on it early. */
  firstBatchRows?: number;
  maxAddresses: number;
  /** Post progress messages. */
  progress: boolean;
}

export interface BatchMessage {
  type: 'batch';
  length: number;
  /** The numeric columns. */
  numeric: Record<string, ArrayBufferView>;
  /** The coded columns: codes into dictionary `id`. */
  dicts: Record<string, { id: number; codes: Uint32Array }>;
  /** Values of dictionary `id` from index `from` on, not sent before. */
  values: { id: number; from: number; values: string[] }[];
  /** Dictionaries no later batch uses. */
  retired: number[];
  sources: SourceFile[];
  badRowCount: number;
  badRows: BadRow[];
}

export type AheadMessage =
  | BatchMessage
  | { type: 'progress'; progress: ReadProgress }
  | { type: 'end'; badRowCount: number; badRows: BadRow[]; addresses: AddressStats }
  | { type: 'error'; name: string; message: string; stack?: string; exitCode?: number };

/** The main thread has taken a batch: the worker may read one more. */
export type AheadRequest = { type: 'taken' };
