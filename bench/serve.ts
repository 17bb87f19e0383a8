/**
 * Serve benchmark: a loopback load test of `ntc serve` (a real child process) with autocannon —
 * 10 connections for 10 s posting JSON bodies of 100 flows — plus the server's resident memory
 * before the load and a few seconds after it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureBenchModel } from './classify.js';
import { ensureCiddsFile, makeRowGenerator } from './generate-cidds.js';
import { formatCiddsFlags } from '../src/flows/cidds-format.js';

export interface ServeSection {
  requestsPerSec: number;
  flowsPerSec: number;
  p99Ms: number;
  errors: number;
  rssStartMB: number;
  rssEndMB: number;
  /** RSS after a second identical round: equal to rssEndMB (give or take) when memory has levelled off. */
  rssAfterSecondRoundMB: number;
}

/** The parts of autocannon's result this benchmark reads (the package ships no types). */
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Cannon = (o: Record<string, unknown>) => Promise<CannonResult>;

export interface ServeBenchOptions {
  root: string;
  seed: number;
  durationS?: number;
  connections?: number;
  flowsPerRequest?: number;
  log: (s: string) => void;
}

function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export function requestBody(flows: number, seed: number): string {
  const next = makeRowGenerator(seed);
  return JSON.stringify(
    Array.from({ length: flows }, () => {
      const r = next();
      return { start: new Date(r.start).toISOString(), duration: r.duration, proto: r.proto, srcAddr: r.srcAddr, srcPort: r.srcPort, dstAddr: r.dstAddr, dstPort: r.dstPort, packets: r.packets, bytes: r.bytes, flags: formatCiddsFlags(r.flags), tos: r.tos };
    }),
  );
}

export async function serveBenchmark(o: ServeBenchOptions): Promise<ServeSection> {
  const duration = o.durationS ?? 10;
  const connections = o.connections ?? 10;
  const perRequest = o.flowsPerRequest ?? 100;
  o.log(`serve: load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
  const file = join(o.root, 'bench', 'out', `cidds-200000-seed${o.seed}.csv`);
  await ensureCiddsFile(file, 200_000, o.seed, o.log);
  const model = await ensureBenchModel(join(o.root, 'bench', 'out', 'serve'), file, o.log);
  const child = spawn(process.execPath, [join(o.root, 'bin', 'ntc.js'), 'serve', '--model', model, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let stderr = '';
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      void exited.then((code) => reject(new Error(`ntc serve exited ${code}: ${stderr}`)));
    });
    const url = `http://127.0.0.1:${port}/v1/classify`;
    const body = requestBody(perRequest, o.seed);
    const headers = { 'content-type': 'application/json' };
    for (let i = 0; i < 20; i++) {
      const r = await fetch(url, { method: 'POST', headers, body });
      if (r.status !== 200) throw new Error(`warm-up request answered ${r.status}: ${await r.text()}`);
      await r.arrayBuffer();
    }
    const rssStartMB = rssMB(child.pid!);
    const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;
    o.log(`serve: autocannon ${connections} connections for ${duration} s, ${perRequest} flows per request (${(body.length / 1024).toFixed(0)} KiB)`);
    const res = await autocannon({ url, method: 'POST', headers, body, connections, duration });
    // The service gives memory back 2 s after the last classify request (serve/idle-release.ts).
    await sleep(3000);
    const rssEndMB = rssMB(child.pid!);
    // A second identical round shows whether memory comes back again (a leak would keep climbing).
    const again = await autocannon({ url, method: 'POST', headers, body, connections, duration });
    await sleep(3000);
    const rssAfterSecondRoundMB = rssMB(child.pid!);
    const errors = res.errors + res.timeouts + res.non2xx + again.errors + again.timeouts + again.non2xx;
    o.log(`serve: ${res.requests.total} requests, p50 ${res.latency.p50} ms, p99 ${res.latency.p99} ms, ${errors} errors (both rounds); ` +
      `RSS ${rssStartMB.toFixed(0)} -> ${rssEndMB.toFixed(0)} MB, after a second round ${rssAfterSecondRoundMB.toFixed(0)} MB`);
    return {
      requestsPerSec: Math.round(res.requests.average),
      flowsPerSec: Math.round(res.requests.average * perRequest),
      p99Ms: res.latency.p99,
      errors,
      rssStartMB: Math.round(rssStartMB),
      rssEndMB: Math.round(rssEndMB),
      rssAfterSecondRoundMB: Math.round(rssAfterSecondRoundMB),
    };
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) o.log(`serve: ntc serve exited ${code} after SIGTERM: ${stderr.slice(-500)}`);
  }
}
