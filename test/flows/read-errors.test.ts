import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFlows } from '../../src/flows/read.js';
import { summarizeBadRows } from '../../src/flows/read-options.js';
import { InputError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';
import { CIDDS_001_HEAD, writeLines } from './flow-files.js';

const GOOD = '2017-08-02 00:00:00.419,0.003,TCP  ,192.168.210.55,44870,192.168.100.11,445.0,2,174,1,.AP...,0,normal,---,---,---';

test('each kind of malformed row is reported with its file, line and field', async () => {
  const dir = await tempDir();
  const path = await writeLines(dir, 'bad.csv', [
    CIDDS_001_HEAD,
    GOOD,
    '2017-08-02 00:00:00.419,0.003,TCP  ,192.168.210.55,44870,192.168.100.11,445.0,2,174,1,.AP...,0,normal,---', // line 3: too few
    '2017-08-02 00:00:00.419,0.003,TCP  ,192.168.210.55,44870,192.168.100.11,445.0,two,174,1,.AP...,0,normal,---,---,---', // 4
    '2017-13-02 00:00:00.419,0.003,TCP  ,192.168.210.55,44870,192.168.100.11,445.0,2,174,1,.AP...,0,normal,---,---,---', // 5
    '2017-08-02 00:00:00.419,0.003,TCP  ,192.168.210.55,44870,192.168.100.11,445.0,2,174,1,.XP...,0,normal,---,---,---', // 6
    '2017-08-02 00:00:00.419,0.003,TCP  ,192.168.210.55,44870,192.168.100.11,445.5,2,174,1,.AP...,0,normal,---,---,---', // 7
    '2017-08-02 00:00:00.419,0.003,TCP  ,192.168.210.55,44870,192.168.100.11,445.0,2,2.1 X,1,.AP...,0,normal,---,---,---', // 8
    GOOD,
  ]);
  const ds = await readFlows([path], { maxBadRows: 100 });
  assert.equal(ds.length, 2);
  assert.equal(ds.badRowCount, 6);
  assert.deepEqual(ds.badRows.map((b) => [b.file, b.line, b.field]), [
    [path, 3, 'attackID'],
    [path, 4, 'Packets'],
    [path, 5, 'Date first seen'],
    [path, 6, 'Flags'],
    [path, 7, 'Dst Pt'],
    [path, 8, 'Bytes'],
  ]);
  assert.match(ds.badRows[0].reason, /14 fields, expected 16/);
  assert.match(ds.badRows[1].reason, /"two"/);
  assert.equal(ds.sources[0].badRows, 6);
  const summary = summarizeBadRows(ds);
  assert.match(summary, /^skipped 6 malformed rows of 8 \(75%\):/);
  assert.ok(summary.includes(`${path}:4 Packets: not a packet count: "two"`), summary);
});

test('an absolute --max-bad-rows stops the read with the count, the limit and the first bad rows', async () => {
  const dir = await tempDir();
  const bad = GOOD.replace(',2,174,', ',x,174,');
  const path = await writeLines(dir, 'bad.csv', [CIDDS_001_HEAD, GOOD, bad, bad, bad, GOOD]);
  await assert.rejects(readFlows([path], { maxBadRows: 2 }), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.match(err.message, /too many malformed rows: 3 of 4 rows read/);
    assert.match(err.message, /limit of 2 rows/);
    assert.ok(err.message.includes(`${path}:3 Packets`), err.message);
    return true;
  });
  const ok = await readFlows([path], { maxBadRows: 3 });
  assert.equal(ok.length, 2);
});

test('the default limit (0.1% of rows) is checked at the end of the input', async () => {
  const dir = await tempDir();
  const bad = GOOD.replace('.AP...', 'garbage');
  // 1 bad row in 999 (0.1001%) fails; 1 in 1001 (0.0999%) passes.
  const fail = await writeLines(dir, 'fail.csv', [CIDDS_001_HEAD, bad, ...Array<string>(998).fill(GOOD)]);
  await assert.rejects(readFlows([fail]), /too many malformed rows: 1 of 999 rows read .* limit of 0\.1% of rows read/s);
  const pass = await writeLines(dir, 'pass.csv', [CIDDS_001_HEAD, bad, ...Array<string>(1000).fill(GOOD)]);
  const ds = await readFlows([pass]);
  assert.equal(ds.length, 1000);
  assert.equal(ds.badRowCount, 1);
});

test('a file of mostly bad rows stops early instead of reading to the end', async () => {
  const dir = await tempDir();
  const bad = GOOD.replace('2017-08-02', '2017-02-30');
  const lines = [CIDDS_001_HEAD];
  for (let i = 0; i < 40000; i++) lines.push(i % 2 ? GOOD : bad);
  const path = await writeLines(dir, 'half.csv', lines);
  await assert.rejects(readFlows([path], { maxBadRows: 0.01 }), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.match(err.message, /stopped early/);
    const read = Number(/of ([\d,]+) rows read/.exec(err.message)![1].replace(/,/g, ''));
    assert.ok(read < 40000, `stopped after ${read} rows`);
    assert.match(err.message, /Date first seen: not a date: "2017-02-30 00:00:00.419"/);
    return true;
  });
});

test('an unknown header names the file and the headers that were expected', async () => {
  const dir = await tempDir();
  const path = await writeLines(dir, 'other.csv', ['time,source,destination,size', '1,2,3,4']);
  await assert.rejects(readFlows([path]), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.ok(err.message.startsWith(`${path}: line 1: unrecognised header "time,source,destination,size"`), err.message);
    assert.match(err.message, /CIDDS-001: Date first seen,Duration,Proto/);
    assert.match(err.message, /nfdump <= 1\.7\.4 -o csv: ts,te,td,sa,da/);
    assert.match(err.message, /nfdump >= 1\.7\.5 -o csv: firstSeen,duration,proto/);
    assert.match(err.message, /csv-fast/);
    return true;
  });
});

test('an nfdump-like header missing needed columns says which', async () => {
  const dir = await tempDir();
  const path = await writeLines(dir, 'partial.csv', ['firstSeen,proto,srcAddr,dstAddr,packets', 'x']);
  await assert.rejects(readFlows([path]), /lacks: srcPort, dstPort, bytes/);
});

test('missing file, empty file and header-only file', async () => {
  const dir = await tempDir();
  await assert.rejects(readFlows([join(dir, 'nope.csv')]), (err: unknown) => err instanceof InputError && /nope\.csv: no such file/.test(err.message));
  const empty = join(dir, 'empty.csv');
  await writeFile(empty, '');
  await assert.rejects(readFlows([empty]), /empty\.csv: empty file \(no header line\)/);
  const headerOnly = await writeLines(dir, 'header.csv', [CIDDS_001_HEAD]);
  const ds = await readFlows([headerOnly]);
  assert.equal(ds.length, 0);
  assert.deepEqual(ds.sources, [{ path: headerOnly, format: 'cidds', rows: 0, badRows: 0, labelled: true }]);
  await assert.rejects(readFlows([headerOnly, join(dir, 'nope.csv')]), /no such file/, 'all paths are checked before reading');
});

test('corrupt gzip data is an input error naming the file', async () => {
  const dir = await tempDir();
  const path = join(dir, 'broken.csv.gz');
  await writeFile(path, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  await assert.rejects(readFlows([path]), (err: unknown) => err instanceof InputError && err.message.startsWith(`${path}:`));
});

test('rejected rows leave no values behind in the dictionaries', async () => {
  const dir = await tempDir();
  const path = await writeLines(dir, 'phantoms.csv', [
    CIDDS_001_HEAD,
    GOOD,
    // a class and hosts seen only in bad rows: bad flags, then a missing field
    '2017-08-02 00:00:00.419,0.003,TCP  ,ghost1,1,ghost2,445.0,2,174,1,.XP...,0,ghostclass,---,---,---',
    '2017-08-02 00:00:00.419,0.003,UDP  ,ghost3,1,ghost4,445.0,2,174,1,0,ghostclass2,---,---,---',
    GOOD,
  ]);
  const ds = await readFlows([path], { maxBadRows: 5 });
  assert.equal(ds.badRowCount, 2);
  assert.deepEqual(ds.columns.label.values, ['normal']);
  assert.deepEqual([...ds.columns.srcAddr.values].sort(), ['192.168.100.11', '192.168.210.55']);
  assert.deepEqual(ds.columns.proto.values, ['TCP']);
});
