/**
 * Property tests for POST /v1/classify with random and mutated bodies: the answer is always 200,
 * 400 (with a message) or 413 — never a 500, never a hang.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { CIDDS_HEADER, formatCiddsRow } from '../../src/flows/cidds-format.js';
import { loadTrained, type TrainedModel } from '../../src/pipeline/load-trained.js';
import { buildServer } from '../../src/serve/app.js';
import { tempDir } from '../helpers.js';
import { ciddsText, flowJsonOf, makeFlows, writeModelDir } from './fixtures.js';
import { apply, mutation, TRICKY, withTimeout } from './mutations.js';

const MAX_FLOWS = 60;
const MAX_BODY = 40_000;
const rows = makeFlows({ rows: 30, seed: 8 });
const csvLines = rows.map(formatCiddsRow);
const flows = rows.map(flowJsonOf);
const FIELD_NAMES = Object.keys(flows[0]);

let dir = '';
let trained: TrainedModel;
let app: FastifyInstance;
let answered = { 200: 0, 400: 0, 413: 0 };

before(async () => {
  dir = await tempDir('ntc-fuzz-serve-');
  const file = join(dir, 'flows.csv');
  await writeFile(file, ciddsText(makeFlows({ rows: 1000, seed: 9 })));
  trained = await loadTrained(await writeModelDir(dir, file, { seqLen: 4, seed: 5 }));
  ({ app } = await buildServer(trained, { maxFlows: MAX_FLOWS, maxBodyBytes: MAX_BODY }));
});

after(async () => {
  await app.close();
  trained.model.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function checkAnswer(payload: string | Buffer, contentType: string): Promise<void> {
  const res = await withTimeout(app.inject({ method: 'POST', url: '/v1/classify', headers: { 'content-type': contentType }, payload }), 10_000, 'POST /v1/classify');
  assert.ok([200, 400, 413].includes(res.statusCode), `status ${res.statusCode}: ${res.body.slice(0, 300)} for ${String(payload).slice(0, 200)}`);
  answered[res.statusCode as 200 | 400 | 413]++;
  const body = res.json() as { message?: string; flows?: unknown[] };
  if (res.statusCode === 200) assert.ok(Array.isArray(body.flows));
  else assert.ok(typeof body.message === 'string' && body.message.length > 0, res.body);
}

/** A JSON value of any shape, or one of the values that trip up naive code. */
const oddValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...TRICKY), fc.constantFrom(-1, 0.5, 1e308, -1e308, 2 ** 53, 65536, 8.64e15, 8.64e15 + 1, '2017-08-02', '+275760-09-13T00:00:00Z', '0xff', '........', null, true, [], {}));

type FlowMutation = { kind: 'set'; flow: number; field: string; value: unknown } | { kind: 'delete'; flow: number; field: string } | { kind: 'replace'; flow: number; value: unknown };
const flowMutation: fc.Arbitrary<FlowMutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), flow: fc.nat(flows.length - 1), field: fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 8 })), value: oddValue }),
  fc.record({ kind: fc.constant('delete' as const), flow: fc.nat(flows.length - 1), field: fc.constantFrom(...FIELD_NAMES) }),
  fc.record({ kind: fc.constant('replace' as const), flow: fc.nat(flows.length - 1), value: oddValue }),
);

test('property: mutated JSON flow arrays get 200, 400 with a message, or 413', async () => {
  answered = { 200: 0, 400: 0, 413: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(flowMutation, { maxLength: 4 }), fc.nat(flows.length), fc.integer({ min: 1, max: 3 }), async (muts, keep, repeat) => {
      let body: unknown[] = Array.from({ length: repeat }, () => structuredClone(flows.slice(0, keep))).flat();
      for (const m of muts) {
        const i = m.flow % Math.max(1, body.length);
        if (body.length === 0) break;
        if (m.kind === 'replace') body[i] = m.value;
        else if (m.kind === 'delete') delete (body[i] as Record<string, unknown>)[m.field];
        else if (typeof body[i] === 'object' && body[i] !== null) (body[i] as Record<string, unknown>)[m.field] = m.value;
      }
      await checkAnswer(JSON.stringify(body), 'application/json');
      body = [];
    }),
    { numRuns: 100, seed: 31 },
  );
  assert.ok(answered[200] > 0 && answered[400] > 0 && answered[413] > 0, `every answer must occur: ${JSON.stringify(answered)}`);
});

test('property: random JSON and cut or spliced JSON text get 200, 400 with a message, or 413', async () => {
  const text = JSON.stringify(flows);
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
        fc.tuple(fc.nat(text.length), fc.string({ maxLength: 10 })).map(([at, s]) => text.slice(0, at) + s + text.slice(at + s.length)),
        fc.nat(text.length).map((at) => text.slice(0, at)),
        fc.string({ maxLength: 200 }),
      ),
      async (payload) => checkAnswer(payload, 'application/json'),
    ),
    { numRuns: 100, seed: 32 },
  );
});

test('property: mutated and random CSV bodies get 200, 400 with a message, or 413', async () => {
  const header = CIDDS_HEADER.join(',');
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.tuple(fc.array(fc.tuple(fc.nat(csvLines.length - 1), mutation), { maxLength: 5 }), fc.integer({ min: 1, max: 4 })).map(([muts, repeat]) => {
          const lines: Buffer[] = Array.from({ length: repeat }, () => csvLines).flat().map((l) => Buffer.from(l));
          for (const [i, m] of muts) lines[i] = apply(lines[i].toString('latin1'), m);
          return Buffer.concat([Buffer.from(`${header}\n`), ...lines.flatMap((l) => [l, Buffer.from('\n')])]);
        }),
        fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.concat([Buffer.from(`${header}\n`), Buffer.from(b)])),
        fc.uint8Array({ maxLength: 500 }).map((b) => Buffer.from(b)),
        fc.nat(60_000).map((n) => Buffer.from(`${header}\n${csvLines[0]}\n`.padEnd(n, 'x'))),
      ),
      async (payload) => checkAnswer(payload, 'text/csv'),
    ),
    { numRuns: 100, seed: 33 },
  );
});
