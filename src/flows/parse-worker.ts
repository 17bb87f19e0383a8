/**
 * Worker thread of read-parallel.ts: parses one byte range (range-parse.ts), reports what it
 * found, then does its share of the join when the main thread asks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../util/errors.js';
import { ColumnExchange } from './column-exchange.js';
import { parseRange, place, type PlaceRequest, type WorkerInput, type WorkerMessage } from './range-parse.js';

export type { PlaceRequest, PlaceSegment, WorkerColumns, WorkerInput, WorkerMessage, WorkerResult } from './range-parse.js';

/** Progress for the main thread's bar, a few times a second: a message per chunk cost as much as parsing it. */
class ProgressSender {
  private last = 0;
  constructor(private readonly port: NonNullable<typeof parentPort>) {}

  report(bytesRead: number, rows: number): void {
    const now = performance.now();
    if (now - this.last < PROGRESS_MS) return;
    this.last = now;
    this.port.postMessage({ type: 'progress', bytesRead, rows } satisfies WorkerMessage);
  }
}

const PROGRESS_MS = 100;

async function run(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  const progress = new ProgressSender(port);
  // Listening before this worker reports: the others ask for its columns once all have reported.
  const exchange = new ColumnExchange(input.channel, input.index);
  const { result, columns } = await parseRange(input, (bytes, rows) => progress.report(bytes, rows));
  if (columns) exchange.offer(columns);
  port.on('message', (req: PlaceRequest) => {
    exchange
      .columnsOf(req.segments.filter((g) => !g.inTarget).map((g) => g.source))
      .then((sources) => {
        place(req, sources);
        port.postMessage({ type: 'placed' } satisfies WorkerMessage);
      })
      .catch((err: unknown) => {
        port.postMessage({ type: 'error', message: (err as Error).message ?? String(err), inputError: false } satisfies WorkerMessage);
      });
  });
  port.postMessage(result);
}

run(workerData as WorkerInput).catch((err: unknown) => {
  parentPort!.postMessage({ type: 'error', message: (err as Error).message ?? String(err), inputError: err instanceof InputError } satisfies WorkerMessage);
});
