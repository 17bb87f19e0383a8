import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TCP_FLAG_BIT } from '../../src/flows/schema.js';
import { fitPreprocessor, transformFlows, type FeatureMatrix, type Preprocessor } from '../../src/features/index.js';
import { datasetFromFlows, syntheticFlows, T0 } from './dataset.js';

function column(m: FeatureMatrix, name: string): number[] {
  const j = m.names.indexOf(name);
  assert.ok(j >= 0, `no column ${name} in ${m.names.join(',')}`);
  return Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]);
}

/** The value before standardisation, to check derived features in their own units. */
function rawColumn(p: Preprocessor, m: FeatureMatrix, name: string): number[] {
  const j = p.names.indexOf(name);
  return column(m, name).map((v) => v * p.scaler.std[j] + p.scaler.mean[j]);
}

test('one binary column per TCP flag, taken from the bit set', () => {
  const ds = datasetFromFlows([
    { flags: TCP_FLAG_BIT.S },
    { flags: TCP_FLAG_BIT.S | TCP_FLAG_BIT.A },
    { flags: TCP_FLAG_BIT.A | TCP_FLAG_BIT.P | TCP_FLAG_BIT.F },
    { flags: TCP_FLAG_BIT.R | TCP_FLAG_BIT.U },
  ]);
  const p = fitPreprocessor(ds);
  const m = transformFlows(p, ds);
  assert.deepEqual(column(m, 'flagSyn'), [1, 1, 0, 0]);
  assert.deepEqual(column(m, 'flagAck'), [0, 1, 1, 0]);
  assert.deepEqual(column(m, 'flagPsh'), [0, 0, 1, 0]);
  assert.deepEqual(column(m, 'flagFin'), [0, 0, 1, 0]);
  assert.deepEqual(column(m, 'flagRst'), [0, 0, 0, 1]);
  assert.deepEqual(column(m, 'flagUrg'), [0, 0, 0, 1]);
  // CWR/ECE never set here: constant on the training rows, so left out.
  assert.ok(p.droppedConstant.includes('flagCwr') && p.droppedConstant.includes('flagEce'));
});

test('identities and constants are not features: no addresses, ports, timestamps, Flows or attack ids', () => {
  const ds = datasetFromFlows(syntheticFlows(300));
  const p = fitPreprocessor(ds);
  for (const banned of ['start', 'srcAddr', 'dstAddr', 'srcPort', 'dstPort', 'flows', 'attackId', 'attackDescription', 'label', 'attackType']) {
    assert.ok(!p.names.includes(banned), `${banned} must not be a feature`);
  }
  assert.ok(p.names.includes('logBytes') && p.names.includes('logBytesPerPacket') && p.names.includes('srcLogGap'));
});

test('a protocol seen only outside the training rows gets no one-hot column (unknown)', () => {
  const ds = datasetFromFlows([{ proto: 'TCP' }, { proto: 'UDP' }, { proto: 'TCP' }, { proto: 'ICMP', dstPort: 8 * 256 }]);
  const p = fitPreprocessor(ds, Uint32Array.of(0, 1, 2));
  assert.deepEqual(p.vocabularies.proto, ['TCP', 'UDP']);
  const m = transformFlows(p, ds);
  assert.deepEqual(column(m, 'protoTCP'), [1, 0, 1, 0]);
  assert.deepEqual(column(m, 'protoUDP'), [0, 1, 0, 0]);
  assert.ok(!m.names.includes('protoICMP'));
});

test('a JSON round trip of the preprocessor gives bit-identical features', () => {
  const ds = datasetFromFlows(syntheticFlows(500));
  const train = Uint32Array.from({ length: 350 }, (_, i) => i);
  for (const features of ['full', 'compat'] as const) {
    const p = fitPreprocessor(ds, train, { features });
    const back = JSON.parse(JSON.stringify(p)) as Preprocessor;
    assert.deepEqual(back, p);
    const a = transformFlows(p, ds);
    const b = transformFlows(back, ds);
    assert.deepEqual(Buffer.from(b.data.buffer), Buffer.from(a.data.buffer));
  }
});

test('a reused buffer (dirty, larger than needed) gives the same features as a fresh matrix', () => {
  const ds = datasetFromFlows(syntheticFlows(300));
  for (const features of ['full', 'compat'] as const) {
    const p = fitPreprocessor(ds, undefined, { features });
    const fresh = transformFlows(p, ds);
    const buffer = new Float32Array(fresh.data.length + 77).fill(7.5);
    const reused = transformFlows(p, ds, undefined, { into: buffer });
    assert.equal(reused.data.buffer, buffer.buffer, `${features}: written into the given buffer`);
    assert.equal(reused.data.length, fresh.data.length);
    assert.deepEqual(Buffer.from(reused.data.buffer, 0, reused.data.byteLength), Buffer.from(fresh.data.buffer));
    assert.throws(() => transformFlows(p, ds, undefined, { into: new Float32Array(fresh.data.length - 1) }), /cannot take/);
  }
});

test('port classes: well-known, registered, ephemeral, ICMP apart, none for portless protocols', () => {
  const ds = datasetFromFlows([
    { dstPort: 80, srcPort: 1023 },
    { dstPort: 8080, srcPort: 1024 },
    { dstPort: 50000, srcPort: 49152, proto: 'UDP' },
    { dstPort: 3 * 256 + 3, srcPort: 0, proto: 'ICMP' },
    { dstPort: 0, srcPort: 0, proto: 'IGMP' },
  ]);
  const m = transformFlows(fitPreprocessor(ds), ds);
  assert.deepEqual(column(m, 'dstPortWellKnown'), [1, 0, 0, 0, 0]);
  assert.deepEqual(column(m, 'dstPortRegistered'), [0, 1, 0, 0, 0]);
  assert.deepEqual(column(m, 'dstPortEphemeral'), [0, 0, 1, 0, 0]);
  assert.deepEqual(column(m, 'dstPortIcmp'), [0, 0, 0, 1, 0]);
  assert.deepEqual(column(m, 'dstPortNone'), [0, 0, 0, 0, 1]);
  assert.deepEqual(column(m, 'srcPortWellKnown'), [1, 0, 0, 0, 0]);
  assert.deepEqual(column(m, 'srcPortRegistered'), [0, 1, 0, 0, 0]);
  assert.deepEqual(column(m, 'srcPortEphemeral'), [0, 0, 1, 0, 0]);
  assert.deepEqual(column(m, 'protoICMP'), [0, 0, 0, 1, 0]);
});

test('internal/external flags: private and lab ranges internal, CIDDS names external', () => {
  const ds = datasetFromFlows([
    { srcAddr: '192.168.100.5', dstAddr: 'DNS' },
    { srcAddr: '10000_34', dstAddr: '198.18.0.7' },
    { srcAddr: 'ATTACKER1', dstAddr: 'EXT_SERVER' },
    { srcAddr: 'OPENSTACK_NET', dstAddr: '8.8.8.8' },
  ]);
  const m = transformFlows(fitPreprocessor(ds), ds);
  assert.deepEqual(column(m, 'srcInternal'), [1, 0, 0, 1]);
  assert.deepEqual(column(m, 'dstInternal'), [0, 1, 0, 0]);
});

test('derived numbers: log1p of bytes, packets, duration and bytes per packet', () => {
  const ds = datasetFromFlows([
    { bytes: 1000, packets: 10, duration: 2 },
    { bytes: 60, packets: 1, duration: 0 },
    { bytes: 0, packets: 0, duration: 0.5 },
  ]);
  const p = fitPreprocessor(ds);
  const m = transformFlows(p, ds);
  const close = (a: number[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `${v} vs ${b[i]}`));
  close(rawColumn(p, m, 'logBytes'), [Math.log1p(1000), Math.log1p(60), 0]);
  close(rawColumn(p, m, 'logPackets'), [Math.log1p(10), Math.log1p(1), 0]);
  close(rawColumn(p, m, 'logDuration'), [Math.log1p(2), 0, Math.log1p(0.5)]);
  close(rawColumn(p, m, 'logBytesPerPacket'), [Math.log1p(100), Math.log1p(60), 0]);
});

test('standardisation uses training rows only: mean 0 and std 1 there, saved in the preprocessor', () => {
  const ds = datasetFromFlows(syntheticFlows(400));
  const train = Uint32Array.from({ length: 200 }, (_, i) => i * 2);
  const p = fitPreprocessor(ds, train);
  const m = transformFlows(p, ds, train);
  for (const name of ['logBytes', 'logDuration', 'srcLogGap', 'tos']) {
    const v = column(m, name);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    assert.ok(Math.abs(mean) < 1e-5, `${name} mean ${mean}`);
    assert.ok(Math.abs(sd - 1) < 1e-4, `${name} std ${sd}`);
  }
  const all = transformFlows(p, ds);
  const odd = column(all, 'logBytes').filter((_, i) => i % 2 === 1);
  assert.notEqual(odd.reduce((a, b) => a + b, 0), 0);
  const j = p.names.indexOf('flagSyn');
  assert.equal(p.scaler.mean[j], 0);
  assert.equal(p.scaler.std[j], 1);
});

test('per-source context: log gap since the source\'s previous flow and destination changes', () => {
  const ds = datasetFromFlows([
    { start: T0, srcAddr: 'A', dstAddr: 'X', dstPort: 22 },
    { start: T0 + 500, srcAddr: 'B', dstAddr: 'X', dstPort: 22 },
    { start: T0 + 2000, srcAddr: 'A', dstAddr: 'X', dstPort: 23 },
    { start: T0 + 3000, srcAddr: 'A', dstAddr: 'Y', dstPort: 23 },
    { start: T0 + 3000 + 7200_000, srcAddr: 'A', dstAddr: 'Z', dstPort: 80 },
  ]);
  const p = fitPreprocessor(ds, undefined, { contextIdleSeconds: 3600 });
  const m = transformFlows(p, ds);
  assert.deepEqual(column(m, 'srcNew'), [1, 1, 0, 0, 1]);
  assert.deepEqual(column(m, 'dstPortChanged'), [0, 0, 1, 0, 0]);
  assert.deepEqual(column(m, 'dstAddrChanged'), [0, 0, 0, 1, 0]);
  const gaps = rawColumn(p, m, 'srcLogGap');
  const want = [Math.log1p(3600), Math.log1p(3600), Math.log1p(2), Math.log1p(1), Math.log1p(3600)];
  gaps.forEach((g, i) => assert.ok(Math.abs(g - want[i]) < 1e-5, `row ${i}: ${g} vs ${want[i]}`));
});

test('context of a test row is judged with all earlier flows of its source, whatever split they are in', () => {
  const ds = datasetFromFlows([
    { start: T0, srcAddr: 'A', dstPort: 1 },
    { start: T0 + 1000, srcAddr: 'A', dstPort: 2 },
    { start: T0 + 2000, srcAddr: 'A', dstPort: 2 },
  ]);
  const p = fitPreprocessor(ds);
  const m = transformFlows(p, ds, Uint32Array.of(1));
  assert.deepEqual(column(m, 'dstPortChanged'), [1]);
});

test('compat mode: label-encoded addresses and protocol, ports as numbers, no derived features', () => {
  const ds = datasetFromFlows(syntheticFlows(200));
  const train = Uint32Array.from({ length: 100 }, (_, i) => i);
  const p = fitPreprocessor(ds, train, { features: 'compat' });
  assert.deepEqual(
    p.names.filter((n) => !n.startsWith('flag')),
    ['duration', 'proto', 'srcAddr', 'srcPort', 'dstAddr', 'dstPort', 'packets', 'bytes', 'tos'],
  );
  assert.ok(p.vocabularies.srcAddr && p.vocabularies.srcAddr.length > 1);
  const unseen = datasetFromFlows([...syntheticFlows(100), { srcAddr: 'NEVER_SEEN', dstPort: 443 }]);
  const m = transformFlows(p, unseen, Uint32Array.of(100));
  // An address not seen in training is code 0, the reserved unknown.
  assert.ok(Math.abs(rawColumn(p, m, 'srcAddr')[0]) < 1e-4);
  assert.ok(Math.abs(rawColumn(p, m, 'dstPort')[0] - 443) < 1e-3);
});

test('preprocessor options are validated with a clear message', () => {
  const ds = datasetFromFlows(syntheticFlows(10));
  assert.throws(() => fitPreprocessor(ds, undefined, { features: 'wide' as never }), /unknown feature set "wide"/);
  assert.throws(() => fitPreprocessor(ds, new Uint32Array(0)), /zero training flows/);
});
