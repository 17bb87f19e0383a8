/** The HTTP service, through fastify's in-process injection (no sockets): routes, validation, limits, metrics. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { readFlows } from '../../src/flows/read.js';
import { loadTrained, type TrainedModel } from '../../src/pipeline/load-trained.js';
import { predictFlows } from '../../src/pipeline/predict-flows.js';
import { buildServer } from '../../src/serve/app.js';
import type { ClassifiedFlow } from '../../src/serve/prediction-format.js';
import { tempDir } from '../helpers.js';
import { ciddsText, flowJsonOf, makeFlows, writeModelDir } from './fixtures.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

let dir = '';
let trained: TrainedModel;
let app: FastifyInstance;
const rows = makeFlows({ rows: 300, seed: 21 });
const csv = ciddsText(rows);
const json = rows.map(flowJsonOf);

before(async () => {
  dir = await tempDir('ntc-serve-');
  const file = join(dir, 'flows.csv');
  await writeFile(file, ciddsText(makeFlows({ rows: 2000, seed: 20 })));
  trained = await loadTrained(await writeModelDir(dir, file, { seqLen: 8, seed: 2 }));
  ({ app } = await buildServer(trained, { maxFlows: 500, maxBodyBytes: 200_000 }));
});

after(async () => {
  await app.close();
  trained.model.dispose();
  await rm(dir, { recursive: true, force: true });
});

function post(payload: string | object, contentType = 'application/json') {
  return app.inject({ method: 'POST', url: '/v1/classify', headers: { 'content-type': contentType }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
}

test('POST /v1/classify with JSON flows returns one result per flow, as ntc evaluate would judge the same flows', async () => {
  const res = await post(json);
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { classes: string[]; flows: ClassifiedFlow[] };
  assert.deepEqual(body.classes, trained.preprocessor.classes);
  assert.equal(body.flows.length, rows.length);
  const path = join(dir, 'req.csv');
  await writeFile(path, csv);
  const ds = await readFlows([path]);
  const pred = await predictFlows(trained.model, trained.preprocessor, ds, Uint32Array.from({ length: ds.length }, (_, i) => i), { batchSize: 512, labelled: false });
  assert.deepEqual(body.flows.map((f) => f.predicted), Array.from(pred.classOf, (c) => body.classes[c]));
  assert.equal(body.flows[7].srcAddr, rows[7].srcAddr);
  assert.equal(body.flows[7].start, new Date(rows[7].start).toISOString());
});

test('a CSV body gives the same results as the same flows in JSON', async () => {
  const [a, b] = await Promise.all([post(json), post(csv, 'text/csv')]);
  assert.equal(b.statusCode, 200, b.body);
  assert.deepEqual(b.json(), a.json());
});

test('start as epoch milliseconds, flags as a number and CIDDS-style dates mean the same as ISO and letters', async () => {
  const f = json[0];
  const variants = [f, { ...f, start: Date.parse(f.start) }, { ...f, start: f.start.replace('T', ' ').replace('Z', '') }, { ...f, flags: rows[0].flags }];
  const res = await post(variants);
  assert.equal(res.statusCode, 200, res.body);
  const out = (res.json() as { flows: ClassifiedFlow[] }).flows;
  assert.ok(out.every((o) => o.start === f.start));
});

test('validation errors are 400s naming the field path', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [[json[0], json[1], json[2], { ...json[3], srcPort: '80' }], /^body\/3\/srcPort must be integer$/],
    [[{ ...json[0], srcPort: 70000 }], /^body\/0\/srcPort must be <= 65535$/],
    [[{ ...json[0], dstAddr: undefined }], /^body\/0 must have required property 'dstAddr'$/],
    [[{ ...json[0], colour: 'red' }], /^body\/0 must NOT have additional properties/],
    [[{ ...json[0], flags: 'XYZ' }], /^body\/0\/flags must match pattern/],
    [[{ ...json[0], start: '2017-13-45T99:00:00Z' }], /^body\/0\/start is not a valid date-time/],
    [[{ ...json[0], start: 'yesterday' }], /^body\/0\/start must be an ISO 8601 date-time/],
    [{ flows: json }, /^body must be array$/],
  ];
  for (const [payload, message] of cases) {
    const res = await post(payload as object);
    assert.equal(res.statusCode, 400, `${JSON.stringify(payload).slice(0, 80)} -> ${res.body}`);
    assert.match((res.json() as { message: string }).message, message);
  }
});

test('a CSV body with malformed rows is a 400 listing line and field', async () => {
  const lines = csv.split('\n');
  lines[3] = lines[3].replace(/^([^,]+,[^,]+,[^,]+,[^,]+,)[^,]+/, '$1port?');
  const res = await post(lines.join('\n'), 'text/csv');
  assert.equal(res.statusCode, 400);
  const body = res.json() as { message: string; badRows: Array<{ line: number; field: string }> };
  assert.deepEqual(body.badRows.map((b) => [b.line, b.field]), [[4, 'Src Pt']]);
  assert.match(body.message, /line 4 Src Pt/);
  const noHeader = await post('hello,world\n1,2\n', 'text/csv');
  assert.equal(noHeader.statusCode, 400);
  assert.match((noHeader.json() as { message: string }).message, /^body: /);
});

test('more flows than --max-flows, or a body over --max-body, is a 413 with a clear message', async () => {
  const many = Array.from({ length: 501 }, (_, i) => json[i % json.length]);
  const tooMany = await post(many);
  assert.equal(tooMany.statusCode, 413);
  assert.match((tooMany.json() as { message: string }).message, /more than 500 flows/);
  const manyCsv = `${csv.split('\n')[0]}\n${Array.from({ length: 501 }, (_, i) => csv.split('\n')[1 + (i % rows.length)]).join('\n')}\n`;
  const tooManyCsv = await post(manyCsv, 'text/csv');
  assert.equal(tooManyCsv.statusCode, 413, tooManyCsv.body);
  const big = await post(`${csv}${'x'.repeat(200_001)}`, 'text/csv');
  assert.equal(big.statusCode, 413);
});

test('other content types are refused with 415, unknown routes with 404', async () => {
  assert.equal((await post('hello', 'text/plain')).statusCode, 415);
  const missing = await app.inject({ method: 'GET', url: '/v2/nothing' });
  assert.equal(missing.statusCode, 404);
  assert.match((missing.json() as { message: string }).message, /no route GET \/v2\/nothing/);
});

test('an empty array is classified as nothing', async () => {
  const res = await post([]);
  assert.equal(res.statusCode, 200);
  assert.deepEqual((res.json() as { flows: unknown[] }).flows, []);
});

test('/healthz names the model; /openapi.json documents the flow schema; /metrics counts requests, flows and errors', async () => {
  const health = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(health.statusCode, 200);
  assert.equal((health.json() as { model: { seqLen: number } }).model.seqLen, 8);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { openapi: string; components: { schemas: { Flow: { required: string[] } } } };
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.components.schemas.Flow.required.includes('srcPort'));

  const before = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const flowsBefore = Number(/^ntc_flows_classified_total (\d+)$/m.exec(before)![1]);
  await post(json.slice(0, 10));
  await post([{ ...json[0], srcPort: -1 }]);
  const m = await app.inject({ method: 'GET', url: '/metrics' });
  assert.match(m.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
  assert.equal(Number(/^ntc_flows_classified_total (\d+)$/m.exec(m.body)![1]), flowsBefore + 10);
  assert.match(m.body, /^ntc_http_requests_total\{route="\/v1\/classify",method="POST",status="200"\} \d+$/m);
  assert.match(m.body, /^ntc_http_requests_total\{route="\/v1\/classify",method="POST",status="400"\} \d+$/m);
  assert.match(m.body, /^ntc_request_errors_total\{kind="validation"\} \d+$/m);
  assert.match(m.body, /^ntc_http_request_duration_seconds_bucket\{route="\/v1\/classify",le="\+Inf"\} \d+$/m);
});

test('memory is given back once classify requests stop: after a quiet spell, once, and not while requests keep coming', async () => {
  const quiet = await buildServer(trained, { maxFlows: 500, maxBodyBytes: 200_000, releaseIdleMs: 150 });
  try {
    const releases = async (): Promise<number> => Number(/^ntc_memory_releases_total (\d+)$/m.exec((await quiet.app.inject({ method: 'GET', url: '/metrics' })).body)![1]);
    const classify = () => quiet.app.inject({ method: 'POST', url: '/v1/classify', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(json.slice(0, 20)) });
    assert.equal(await releases(), 0);
    // Requests closer together than the quiet time: no release between them.
    for (let i = 0; i < 5; i++) {
      assert.equal((await classify()).statusCode, 200);
      await sleep(40);
    }
    assert.equal(await releases(), 0);
    await sleep(400);
    assert.equal(await releases(), 1);
    // Metrics scrapes are not work: no further release however long it stays quiet.
    await sleep(400);
    assert.equal(await releases(), 1);
    await classify();
    await sleep(400);
    assert.equal(await releases(), 2);
  } finally {
    await quiet.app.close();
  }
});
