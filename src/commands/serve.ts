import { InvalidArgumentError, type Command } from 'commander';
import { loadTrained } from '../pipeline/load-trained.js';
import { buildServer, DEFAULT_SERVE_OPTIONS } from '../serve/app.js';
import { UserError } from '../util/errors.js';

/** `16mb`, `512kb`, `1048576`. */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$/i.exec(text);
  if (!m) throw new InvalidArgumentError(`expected a size such as 1048576, 512kb or 16mb, got "${text}"`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const scale = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
  const v = Math.floor(Number(m[1]) * scale);
  if (v < 1) throw new InvalidArgumentError(`a size must be at least 1 byte, got "${text}"`);
  return v;
}

function positiveInt(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a positive whole number, got "${v}"`);
    return n;
  };
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`a port must be 0..65535, got "${v}"`);
  return n;
}

/** How long a SIGTERM waits for requests in flight before giving up. */
const SHUTDOWN_GRACE_MS = 30_000;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .summary('serve a saved model over HTTP (POST /v1/classify)')
    .description(
      'Classify flows over HTTP with a saved model. POST /v1/classify takes a JSON array of flows or a CIDDS/nfdump CSV body ' +
        '(text/csv) and returns each flow\'s predicted class and probabilities; each request is judged on its own (its flows are ' +
        'windowed per source as ntc evaluate does; nothing is kept between requests). GET /healthz, GET /metrics (Prometheus), ' +
        'GET /openapi.json. SIGTERM finishes requests in flight, then exits.',
    )
    .requiredOption('-m, --model <dir>', 'model directory written by ntc train or ntc run (e.g. runs/latest/model)')
    .option('--port <n>', 'TCP port (0 picks a free one)', port, 8080)
    .option('--host <address>', 'address to listen on (only this one)', '127.0.0.1')
    .option('--max-body <size>', 'largest request body (413 above)', parseByteSize, DEFAULT_SERVE_OPTIONS.maxBodyBytes)
    .option('--max-flows <n>', 'most flows per request (413 above)', positiveInt('--max-flows'), DEFAULT_SERVE_OPTIONS.maxFlows)
    .option('--batch-size <n>', 'sequences per model call', positiveInt('--batch-size'), 512)
    .addHelpText('after', '\nExample:\n  ntc serve --model runs/latest/model --port 8080\n  curl -s localhost:8080/v1/classify -H content-type:text/csv --data-binary @flows.csv')
    .action(async (o: { model: string; port: number; host: string; maxBody: number; maxFlows: number; batchSize: number }) => {
      const trained = await loadTrained(o.model);
      const { app } = await buildServer(trained, { maxBodyBytes: o.maxBody, maxFlows: o.maxFlows, batchSize: o.batchSize, version: process.env.npm_package_version });
      let address: string;
      try {
        address = await app.listen({ port: o.port, host: o.host });
      } catch (err) {
        trained.model.dispose();
        throw new UserError(`cannot listen on ${o.host}:${o.port}: ${(err as Error).message}`);
      }
      // The command resolves (and the process exits 0) once a signal has closed the server and
      // every request in flight has been answered. The handlers go in before the "listening" line:
      // stderr to a pipe is written synchronously, so whoever waits for that line may signal at
      // once, and a SIGTERM before the handler exists kills the process.
      await new Promise<void>((resolve, reject) => {
        const stop = (signal: string): void => {
          process.stderr.write(`ntc serve: ${signal}: finishing requests in flight\n`);
          const force = setTimeout(() => reject(new UserError(`requests still running ${SHUTDOWN_GRACE_MS / 1000}s after ${signal}; exiting`)), SHUTDOWN_GRACE_MS);
          force.unref();
          app.close().then(() => {
            clearTimeout(force);
            resolve();
          }, reject);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
        process.stderr.write(`ntc serve: listening on ${address} (model ${o.model}, classes ${trained.preprocessor.classes.join(', ')})\n`);
      });
      trained.model.dispose();
      process.stderr.write('ntc serve: stopped\n');
    });
}
