/**
 * Worker thread of read-parallel.ts: parses the ranges it claims (range-parse.ts), reporting each
 * as it is done, then does its share of the join when the main thread asks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../util/errors.js';
import { ColumnExchange } from './column-exchange.js';
import { parseClaimed, place, type PlaceRequest, type WorkerInput, type WorkerMessage } from './range-parse.js';

/** Progress for the main thread's bar, a few times a second: a message per chunk cost as much as parsing it. */
class ProgressSender {
  private last = 0;
  constructor(private readonly port: NonNullable<typeof parentPort>) {}

  report(range: number, bytesRead: number, rows: number): void {
    const now = performance.now();
    if (now - this.last < PROGRESS_MS) return;
    this.last = now;
    this.port.postMessage({ type: 'progress', range, bytesRead, rows } satisfies WorkerMessage);
  }
}

const PROGRESS_MS = 100;

async function run(input: WorkerInput): Promise<void> {
  const port = parentPort!;
  const progress = new ProgressSender(port);
  // Listening before this worker reports: the others ask for its columns once all have reported.
  const exchange = new ColumnExchange(input.channel);
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
  const done = await parseClaimed(input, exchange, (r) => port.postMessage(r), (k, bytes, rows) => progress.report(k, bytes, rows));
  port.postMessage(done);
}

run(workerData as WorkerInput).catch((err: unknown) => {
  parentPort!.postMessage({ type: 'error', message: (err as Error).message ?? String(err), inputError: err instanceof InputError } satisfies WorkerMessage);
});
