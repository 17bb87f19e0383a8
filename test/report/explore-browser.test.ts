import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CIDDS_002_HEADER, formatCiddsRow } from '../../src/flows/cidds-format.js';
import { TCP_FLAG_BIT } from '../../src/flows/schema.js';
import { runNtc, tempDir } from '../helpers.js';
import { checkPageInBrowser, type PageCheck } from './browser.js';
import { sampleModelReport } from './sample-report.js';

/** A small CIDDS-002 file: normal web and DNS traffic, a SYN port scan and a ping scan. */
async function writeSmallCidds(dir: string): Promise<string> {
  const t0 = Date.UTC(2017, 7, 2, 10);
  const rows: string[] = [CIDDS_002_HEADER.join(',')];
  for (let i = 0; i < 300; i++) {
    const dns = i % 4 === 0;
    rows.push(
      formatCiddsRow({
        start: t0 + i * 2000,
        duration: dns ? 0.001 : (i % 17) * 0.25,
        proto: dns ? 'UDP' : 'TCP',
        srcAddr: `192.168.100.${5 + (i % 6)}`,
        srcPort: 40000 + i,
        dstAddr: dns ? 'DNS' : i % 3 ? '192.168.200.4' : '10000_34',
        dstPort: dns ? 53 : 443,
        packets: dns ? 1 : 3 + (i % 40),
        bytes: dns ? 70 : (3 + (i % 40)) * (60 + ((i * 37) % 1400)),
        flags: dns ? 0 : TCP_FLAG_BIT.A | TCP_FLAG_BIT.P | TCP_FLAG_BIT.S | TCP_FLAG_BIT.F,
        tos: 0,
        label: 'normal',
      }),
    );
  }
  for (let i = 0; i < 120; i++) {
    rows.push(
      formatCiddsRow({
        start: t0 + 100_000 + i * 50,
        duration: 0,
        proto: 'TCP',
        srcAddr: '192.168.220.16',
        srcPort: 55555,
        dstAddr: '192.168.220.1',
        dstPort: 1 + i * 7,
        packets: 1,
        bytes: 58,
        flags: TCP_FLAG_BIT.S,
        tos: 0,
        label: 'attacker',
        attackType: 'portScan',
        attackId: '1',
        attackDescription: 'nmap args: -sS -T 3',
      }),
    );
  }
  for (let i = 0; i < 20; i++) {
    rows.push(
      formatCiddsRow({
        start: t0 + 200_000 + i * 300,
        duration: 0,
        proto: 'ICMP',
        srcAddr: '192.168.220.16',
        srcPort: 0,
        dstAddr: `192.168.220.${i + 1}`,
        dstPort: 8 * 256,
        packets: 1,
        bytes: 42,
        flags: 0,
        tos: 0,
        label: 'attacker',
        attackType: 'pingScan',
        attackId: '2',
      }),
    );
  }
  const path = join(dir, 'CIDDS-002-small.csv');
  await writeFile(path, `${rows.join('\n')}\n`);
  return path;
}

function assertRenderedCleanly(check: PageCheck, expectCharts: string[]): void {
  assert.deepEqual(check.blockedRequests, [], 'the page must not request anything');
  assert.deepEqual(check.consoleErrors, []);
  assert.deepEqual(check.figuresWithoutSvg, []);
  assert.deepEqual(check.charts.map((c) => c.name).sort(), [...expectCharts].sort());
  for (const c of check.charts) {
    assert.ok(c.width > 50 && c.height > 50, `${c.name} is ${c.width}x${c.height}`);
    assert.ok(c.marks > 0, `${c.name} drew no marks`);
  }
}

const EXPLORE_CHARTS = [
  'class-counts',
  'attack-type-counts',
  'protocol-counts',
  'correlation',
  ...['duration', 'packets', 'bytes', 'bytesPerPacket', 'srcPort', 'dstPort', 'tos'].map((f) => `histogram-${f}`),
];

test('ntc explore writes a page whose every chart renders in Chromium, offline, without errors', async () => {
  const dir = await tempDir();
  const csv = await writeSmallCidds(dir);
  const out = join(dir, 'out');
  const r = await runNtc(['explore', csv, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /read 440 flows from 1 file/);
  assert.match(r.stdout, /attack types: normal 300, portScan 120, pingScan 20/);
  assert.match(r.stdout, new RegExp(`wrote ${join(out, 'explore.html').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const summary = JSON.parse(await readFile(join(out, 'explore.json'), 'utf8'));
  assert.equal(summary.flows, 440);
  assert.deepEqual(summary.protocolCounts, [{ name: 'TCP', count: 345 }, { name: 'UDP', count: 75 }, { name: 'ICMP', count: 20 }]);

  const shot = join(dir, 'explore.png');
  const check = await checkPageInBrowser(join(out, 'explore.html'), { screenshot: shot });
  assertRenderedCleanly(check, EXPLORE_CHARTS);
  assert.equal(check.title, 'Flow data exploration');
  if (process.env.KEEP_SCREENSHOT) process.stderr.write(`screenshot: ${shot}\n`);
});

test('the model report renders every chart in Chromium without requests or errors', async () => {
  const dir = await tempDir();
  const path = join(dir, 'report.html');
  await writeFile(path, await sampleModelReport());
  const check = await checkPageInBrowser(path, { screenshot: process.env.KEEP_SCREENSHOT ? join(dir, 'report.png') : undefined });
  assertRenderedCleanly(check, ['loss-curve', 'accuracy-curve', 'confusion', 'class-scores', ...EXPLORE_CHARTS]);
  if (process.env.KEEP_SCREENSHOT) process.stderr.write(`screenshot: ${join(dir, 'report.png')}\n`);
});

test('the browser check catches a page that reaches for the network', async () => {
  const dir = await tempDir();
  const path = join(dir, 'leaky.html');
  await writeFile(path, '<!DOCTYPE html><title>x</title><img src="http://192.0.2.1/pixel.png"><figure class="chart" data-chart="empty"></figure>');
  const check = await checkPageInBrowser(path);
  assert.deepEqual(check.blockedRequests, ['http://192.0.2.1/pixel.png']);
  assert.deepEqual(check.figuresWithoutSvg, ['empty']);
});
