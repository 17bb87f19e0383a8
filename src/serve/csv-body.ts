/**
 * A CSV request body (CIDDS or nfdump header, plain or gzipped) as a FlowDataset, through the same
 * readers the command line uses. A request is all-or-nothing: any malformed row makes it a 400
 * that lists the bad rows by line and field, rather than classifying what was left.
 */
import { Readable } from 'node:stream';
import { concatReleasing } from '../flows/concat.js';
import { readFlowBatches } from '../flows/read.js';
import type { BadRow, FlowDataset } from '../flows/schema.js';
import { InputError } from '../util/errors.js';

/** The body held malformed rows, or none at all. */
export class CsvBodyError extends Error {
  constructor(message: string, readonly badRows: Array<Pick<BadRow, 'line' | 'field' | 'reason'>> = []) {
    super(message);
    this.name = 'CsvBodyError';
  }
}

/** The body had more flows than a request may carry. */
export class TooManyFlowsError extends Error {
  constructor(readonly maxFlows: number) {
    super(`the body holds more than ${maxFlows} flows, the most one request may classify (--max-flows); split it`);
    this.name = 'TooManyFlowsError';
  }
}

const SHOW_BAD_ROWS = 10;

export async function csvBodyToDataset(body: Buffer, maxFlows: number): Promise<FlowDataset> {
  const parts: FlowDataset[] = [];
  const bad: BadRow[] = [];
  let badCount = 0;
  let rows = 0;
  try {
    // Bad rows are collected here, never fatal inside the reader, so the reply can list them.
    for await (const b of readFlowBatches(Readable.from([body]), { maxBadRows: Number.MAX_SAFE_INTEGER, batchRows: Math.min(maxFlows + 1, 65536) })) {
      rows += b.length;
      badCount += b.badRowCount;
      for (const r of b.badRows) if (bad.length < SHOW_BAD_ROWS) bad.push(r);
      if (rows > maxFlows) throw new TooManyFlowsError(maxFlows);
      if (badCount > SHOW_BAD_ROWS) break;
      parts.push(b);
    }
  } catch (err) {
    // The readers name the input `stream`; here it is the request body.
    if (err instanceof InputError) throw new CsvBodyError(err.message.replace(/^stream: /, 'body: ').replace(/\bstream:(\d+)/g, 'body line $1'));
    throw err;
  }
  if (badCount > 0) {
    const list = bad.map((r) => `line ${r.line} ${r.field}: ${r.reason}`).join('; ');
    throw new CsvBodyError(
      `body: ${badCount > SHOW_BAD_ROWS ? `more than ${SHOW_BAD_ROWS}` : badCount} malformed row(s): ${list}`,
      bad.map(({ line, field, reason }) => ({ line, field, reason })),
    );
  }
  if (parts.length === 0) throw new CsvBodyError('body: no flows');
  return parts.length === 1 ? parts[0] : concatReleasing(parts);
}
