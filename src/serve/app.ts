/**
 * The HTTP service behind `ntc serve`: POST /v1/classify (JSON flows or a CSV body), GET /healthz,
 * GET /metrics, GET /openapi.json. Every refusal is a 4xx with a JSON `{ error, message }` naming
 * the field path or CSV line; anything else reaching the error handler is a bug (500, logged).
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { FlowDataset } from '../flows/schema.js';
import type { TrainedModel } from '../pipeline/load-trained.js';
import { predictFlows } from '../pipeline/predict-flows.js';
import { InputError } from '../util/errors.js';
import { CsvBodyError, csvBodyToDataset, TooManyFlowsError } from './csv-body.js';
import { FLOW_JSON_SCHEMA, flowArraySchema, flowsToDataset, FlowValueError, type FlowJson } from './flow-json.js';
import { ServiceMetrics, type ErrorKind } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { releaseMemory } from '../util/release-memory.js';
import { IdleRelease } from './idle-release.js';
import { classifiedFlow, type ClassifiedFlow } from './prediction-format.js';

export interface ServeOptions {
  /** Largest request body in bytes (413 above). */
  maxBodyBytes: number;
  /** Most flows one request may carry (413 above). */
  maxFlows: number;
  /** Sequences per model call. */
  batchSize?: number;
  version?: string;
  /**
   * Milliseconds without a classify request after which memory is given back to the system
   * (util/release-memory.ts); 0 never.
   */
  releaseIdleMs: number;
}

export const DEFAULT_SERVE_OPTIONS: ServeOptions = { maxBodyBytes: 16 * 1024 * 1024, maxFlows: 20000, batchSize: 512, releaseIdleMs: 2000 };
const CLASSIFY_ROUTE = '/v1/classify';

const REASONS: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error' };

/** A body that is neither a JSON array nor CSV (a content type with no parser of ours). */
class UnsupportedBodyError extends Error {
  readonly statusCode = 415;
  constructor() {
    super('send a JSON array of flows (application/json) or a CSV file (text/csv)');
  }
}

function errorKind(status: number): ErrorKind {
  if (status === 413) return 'too_large';
  if (status === 415) return 'unsupported_media';
  if (status === 404) return 'not_found';
  return status >= 500 ? 'internal' : 'bad_input';
}

export async function buildServer(trained: TrainedModel, options: Partial<ServeOptions> = {}): Promise<{ app: FastifyInstance; metrics: ServiceMetrics }> {
  const o: ServeOptions = { ...DEFAULT_SERVE_OPTIONS, ...options };
  const metrics = new ServiceMetrics();
  const p = trained.preprocessor;
  const app = Fastify({
    logger: false,
    bodyLimit: o.maxBodyBytes,
    // Strict validation: no silent type coercion ("80" is not a port) and no dropped fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, allowUnionTypes: true } },
    return503OnClosing: true,
  });
  app.addSchema(FLOW_JSON_SCHEMA);
  // Only JSON and CSV bodies: anything else (text/plain included) is a 415, not a guess.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer', bodyLimit: o.maxBodyBytes }, (_req, body, done) => done(null, body));

  const idle = new IdleRelease(o.releaseIdleMs, () => {
    releaseMemory();
    metrics.memoryReleases++;
  });
  app.addHook('onRequest', async (req) => {
    metrics.inFlight++;
    if (req.routeOptions.url === CLASSIFY_ROUTE) idle.begin();
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.inFlight--;
    if (req.routeOptions.url === CLASSIFY_ROUTE) idle.end();
    metrics.recordRequest(req.routeOptions.url ?? 'unmatched', req.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    let status: number;
    let extra: object = {};
    if (err.validation) {
      status = 400;
      metrics.recordError('validation');
    } else if (err instanceof FlowValueError || err instanceof InputError) {
      status = 400;
      metrics.recordError('validation');
    } else if (err instanceof CsvBodyError) {
      status = 400;
      extra = err.badRows.length ? { badRows: err.badRows } : {};
      metrics.recordError('bad_input');
    } else if (err instanceof TooManyFlowsError) {
      status = 413;
      metrics.recordError('too_large');
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      metrics.recordError(errorKind(status));
    } else {
      status = 500;
      metrics.recordError('internal');
      process.stderr.write(`ntc serve: internal error: ${err.stack ?? String(err)}\n`);
    }
    const message = status === 500 ? 'internal error (logged by the server)' : err.message;
    void reply.code(status).send({ error: REASONS[status] ?? 'Error', message, ...extra });
  });
  app.setNotFoundHandler((req, reply) => {
    metrics.recordError('not_found');
    void reply.code(404).send({ error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}; see GET /openapi.json` });
  });

  const classify = async (ds: FlowDataset): Promise<{ classes: string[]; flows: ClassifiedFlow[] }> => {
    const flows: ClassifiedFlow[] = [];
    if (ds.length > 0) {
      const rows = new Uint32Array(ds.length);
      for (let i = 0; i < rows.length; i++) rows[i] = i;
      const pred = await predictFlows(trained.model, p, ds, rows, { batchSize: o.batchSize ?? 512, labelled: false });
      for (let i = 0; i < ds.length; i++) flows.push(classifiedFlow(ds, pred, p.classes, i));
    }
    metrics.flowsClassified += ds.length;
    return { classes: p.classes, flows };
  };

  app.addHook('onClose', async () => idle.cancel());
  app.post(
    CLASSIFY_ROUTE,
    {
      schema: { body: { content: { 'application/json': { schema: flowArraySchema(o.maxFlows) }, 'text/csv': { schema: {} }, 'application/csv': { schema: {} } } } },
      // Refuse oversized arrays before validating thousands of items for nothing.
      preValidation: async (req) => {
        if (Array.isArray(req.body) && req.body.length > o.maxFlows) throw new TooManyFlowsError(o.maxFlows);
      },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body) && !Array.isArray(req.body)) throw new UnsupportedBodyError();
      const ds = Buffer.isBuffer(req.body) ? await csvBodyToDataset(req.body, o.maxFlows) : flowsToDataset(req.body as FlowJson[]);
      return classify(ds);
    },
  );

  app.get('/healthz', async () => ({
    status: 'ok',
    model: { classes: p.classes, seqLen: trained.model.spec.seqLen, features: p.names.length, engine: trained.model.engine },
    uptimeSeconds: (Date.now() - metrics.startedAt) / 1000,
  }));
  app.get('/metrics', async (_req, reply) => {
    void reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
    return metrics.render();
  });
  const doc = openApiDocument({ maxFlows: o.maxFlows, maxBodyBytes: o.maxBodyBytes, classes: p.classes, version: o.version ?? '0.1.0' });
  app.get('/openapi.json', async () => doc);
  return { app, metrics };
}
