import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { CIDDS_HEADER, formatCiddsRow, type CiddsRow } from '../../src/flows/cidds-format.js';
import { concatDatasets } from '../../src/flows/concat.js';
import { readFlowBatches, readFlows } from '../../src/flows/read.js';
import { sliceDataset } from '../../src/flows/slice.js';
import { tempDir } from '../helpers.js';
import { CIDDS_001_HEAD, rowsOf, writeLines } from './flow-files.js';

const row = (addr: string, label: string, port: number): string =>
  `2017-08-02 00:00:00.419,0.003,TCP  ,${addr},1234,192.168.100.11,${port}.0,2,174,1,.AP...,0,${label},---,---,---`;

test('several files are joined in the order given, with one dictionary per column', async () => {
  const dir = await tempDir();
  const a = await writeLines(dir, 'a.csv', [CIDDS_001_HEAD, row('A', 'normal', 1), row('B', 'normal', 2)]);
  const nf = await writeLines(dir, 'b.csv', [
    'firstSeen,duration,proto,srcAddr,srcPort,dstAddr,dstPort,packets,bytes,flows',
    '2017-08-03 00:00:00.000,0.000,17,C,53,A,53,1,80,1',
  ]);
  const c = await writeLines(dir, 'c.csv', [CIDDS_001_HEAD, row('B', 'attacker', 3)]);
  const ds = await readFlows([a, nf, c]);
  assert.deepEqual(rowsOf(ds).map((r) => [r.srcAddr, r.dstAddr, r.dstPort, r.label, r.proto]), [
    ['A', '192.168.100.11', 1, 'normal', 'TCP'],
    ['B', '192.168.100.11', 2, 'normal', 'TCP'],
    ['C', 'A', 53, '---', 'UDP'],
    ['B', '192.168.100.11', 3, 'attacker', 'TCP'],
  ]);
  assert.deepEqual(ds.sources.map((s) => [s.path, s.format, s.rows, s.labelled]), [
    [a, 'cidds', 2, true],
    [nf, 'nfdump', 1, false],
    [c, 'cidds', 1, true],
  ]);
  // One code per distinct value, shared by the files.
  assert.deepEqual([...new Set(ds.columns.srcAddr.values)].sort(), [...ds.columns.srcAddr.values].sort());
  assert.equal(ds.columns.srcAddr.codes[1], ds.columns.srcAddr.codes[3]);
});

test('concatDatasets merges separately read dictionaries and keeps every value', async () => {
  const dir = await tempDir();
  const x = await readFlows([await writeLines(dir, 'x.csv', [CIDDS_001_HEAD, row('A', 'normal', 1), row('B', 'victim', 2)])]);
  const y = await readFlows([await writeLines(dir, 'y.csv', [CIDDS_001_HEAD, row('B', 'attacker', 3), row('Z', 'normal', 4)])]);
  const joined = concatDatasets([x, y]);
  assert.deepEqual(rowsOf(joined), [...rowsOf(x), ...rowsOf(y)]);
  assert.equal(joined.columns.label.values.filter((v) => v === 'normal').length, 1);
  assert.deepEqual(joined.sources.map((s) => s.rows), [2, 2]);
});

test('sliceDataset takes rows by index and shares the dictionaries', async () => {
  const dir = await tempDir();
  const ds = await readFlows([await writeLines(dir, 's.csv', [CIDDS_001_HEAD, row('A', 'normal', 1), row('B', 'victim', 2), row('C', 'attacker', 3)])]);
  const s = sliceDataset(ds, Uint32Array.of(2, 0));
  assert.equal(s.length, 2);
  assert.deepEqual(rowsOf(s), [rowsOf(ds)[2], rowsOf(ds)[0]]);
  assert.equal(s.columns.srcAddr.values, ds.columns.srcAddr.values);
  assert.throws(() => sliceDataset(ds, Uint32Array.of(3)), /out of range/);
});

const flowArb: fc.Arbitrary<CiddsRow> = fc.record({
  start: fc.integer({ min: Date.UTC(2017, 0, 1), max: Date.UTC(2018, 0, 1) }),
  duration: fc.integer({ min: 0, max: 3_000_000 }).map((ms) => ms / 1000),
  proto: fc.constantFrom('TCP', 'UDP', 'ICMP', 'IGMP'),
  srcAddr: fc.constantFrom('DNS', 'EXT_SERVER', '192.168.100.5', '10000_34', 'ATTACKER2'),
  srcPort: fc.integer({ min: 0, max: 65535 }),
  dstAddr: fc.constantFrom('192.168.220.15', 'OPENSTACK_NET', '17891_201'),
  dstPort: fc.integer({ min: 0, max: 65535 }),
  packets: fc.integer({ min: 1, max: 100000 }),
  bytes: fc.oneof(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 10, max: 999 }).map((m) => m * 1e5)),
  flags: fc.integer({ min: 0, max: 63 }),
  tos: fc.constantFrom(0, 32, 192),
  label: fc.constantFrom('normal', 'attacker', 'victim'),
  attackType: fc.constantFrom('---', 'portScan', 'dos'),
  attackId: fc.constantFrom('---', '12'),
  attackDescription: fc.constantFrom('---', 'nmap args: -sS -T 2', 'a, "quoted" one'),
});

test('rows written by formatCiddsRow read back equal, however the stream is chunked', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(flowArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 97 }), async (flows, chunk) => {
      const text = Buffer.from(`${CIDDS_HEADER.join(',')}\n${flows.map(formatCiddsRow).join('\n')}\n`);
      const pieces: Buffer[] = [];
      for (let i = 0; i < text.length; i += chunk) pieces.push(text.subarray(i, i + chunk));
      const batches = [];
      for await (const b of readFlowBatches(Readable.from(pieces), { batchRows: 7 })) batches.push(b);
      const ds = concatDatasets(batches);
      assert.equal(ds.badRowCount, 0);
      const got = rowsOf(ds);
      assert.equal(got.length, flows.length);
      flows.forEach((f, i) => {
        const g = got[i];
        const isIcmp = f.proto === 'ICMP';
        assert.deepEqual(
          [g.start, g.duration, g.proto, g.srcAddr, g.srcPort, g.dstAddr, g.dstPort, g.packets, g.bytes, g.flags, g.tos, g.label, g.attackType, g.attackId, g.attackDescription],
          [f.start, f.duration, f.proto, f.srcAddr, f.srcPort, f.dstAddr, isIcmp ? Math.floor(f.dstPort / 256) * 256 + (f.dstPort % 256) : f.dstPort, f.packets, f.bytes, f.flags, f.tos, f.label, f.attackType, f.attackId, f.attackDescription],
        );
      });
    }),
    { numRuns: 60 },
  );
});

test('readFlowBatches yields bounded batches whose codes agree across batches', async () => {
  const dir = await tempDir();
  const lines = [CIDDS_001_HEAD];
  for (let i = 0; i < 25; i++) lines.push(row(`H${i % 4}`, i % 3 ? 'normal' : 'attacker', i));
  const path = await writeLines(dir, 'many.csv', lines);
  const sizes: number[] = [];
  const batches = [];
  for await (const b of readFlowBatches(path, { batchRows: 10 })) {
    sizes.push(b.length);
    batches.push(b);
  }
  assert.deepEqual(sizes, [10, 10, 5]);
  const whole = await readFlows([path]);
  assert.deepEqual(rowsOf(concatDatasets(batches)), rowsOf(whole));
  assert.equal(batches[0].columns.srcAddr.values, batches[2].columns.srcAddr.values);
});

test('"-" reads stdin, gzipped or not, and reports progress', async () => {
  const { spawn } = await import('node:child_process');
  const { gzipSync } = await import('node:zlib');
  const readJs = new URL('../../src/flows/read.js', import.meta.url).href;
  const script = `import { readFlows } from ${JSON.stringify(readJs)};
    let calls = 0;
    const ds = await readFlows(['-'], { onProgress: (p) => { calls++; if (p.file !== 'stdin') throw new Error(p.file); } });
    console.log(JSON.stringify({ rows: ds.length, path: ds.sources[0].path, calls }));`;
  const text = [CIDDS_001_HEAD, row('A', 'normal', 1), row('B', 'victim', 2)].join('\n') + '\n';
  for (const input of [Buffer.from(text), gzipSync(text)]) {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
      let s = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (s += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(s) : reject(new Error(`exit ${code}`))));
      child.stdin.end(input);
    });
    const r = JSON.parse(out) as { rows: number; path: string; calls: number };
    assert.equal(r.rows, 2);
    assert.equal(r.path, 'stdin');
    assert.ok(r.calls >= 1);
  }
});
