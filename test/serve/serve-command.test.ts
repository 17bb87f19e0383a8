/** `ntc serve` as a real process on loopback: where it listens, and a graceful SIGTERM. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NTC_BIN, tempDir } from '../helpers.js';
import { ciddsText, makeFlows, writeModelDir } from './fixtures.js';

let dir = '';
let model = '';
const csv = ciddsText(makeFlows({ rows: 400, seed: 31 }));

before(async () => {
  dir = await tempDir('ntc-serve-cmd-');
  const file = join(dir, 'flows.csv');
  await writeFile(file, csv);
  model = await writeModelDir(dir, file, { seqLen: 8, seed: 1 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Server {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  exit: Promise<number | string | null>;
}

async function startServer(args: string[] = []): Promise<Server> {
  const child = spawn(process.execPath, [NTC_BIN, 'serve', '--model', model, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exit = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 20 s: ${stderr}`)), 20_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exit.then((code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
  return { child, port, stderr: () => stderr, exit };
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 2000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

test('ntc serve listens on 127.0.0.1 only by default', async () => {
  const s = await startServer();
  try {
    assert.ok(await canConnect('127.0.0.1', s.port));
    const others = Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal);
    for (const a of others) assert.equal(await canConnect(a!.address, s.port), false, `reachable on ${a!.address}`);
  } finally {
    s.child.kill('SIGTERM');
    assert.equal(await s.exit, 0, s.stderr());
  }
});

test('SIGTERM while a request is in flight: the request completes with 200, then the process exits 0', async () => {
  const s = await startServer();
  const body = Buffer.from(csv);
  const half = Math.floor(body.length / 2);
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, method: 'POST', path: '/v1/classify', headers: { 'content-type': 'text/csv', 'content-length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    // Half the body now; the rest only after the signal, so the request is surely in flight.
    req.write(body.subarray(0, half));
    setTimeout(() => {
      s.child.kill('SIGTERM');
      setTimeout(() => req.end(body.subarray(half)), 300);
    }, 300);
  });
  const res = await response;
  assert.equal(res.status, 200, res.text);
  assert.equal((JSON.parse(res.text) as { flows: unknown[] }).flows.length, 400);
  assert.equal(await s.exit, 0, s.stderr());
  assert.match(s.stderr(), /SIGTERM: finishing requests in flight/);
  assert.equal(await canConnect('127.0.0.1', s.port), false);
});
