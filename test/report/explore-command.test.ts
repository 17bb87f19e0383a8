import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CIDDS_HEADER, formatCiddsRow } from '../../src/flows/cidds-format.js';
import { runNtc, tempDir } from '../helpers.js';

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

test('ntc explore --help explains the command with an example', async () => {
  const r = await runNtc(['explore', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: ntc explore \[options\] <files\.\.\.>/);
  assert.match(r.stdout, /--out <dir>/);
  assert.match(r.stdout, /--max-bad-rows/);
  assert.match(r.stdout, /Example:\n\s+ntc explore .* --out /);
});

test('ntc explore without --out is a usage error', async () => {
  const r = await runNtc(['explore', 'x.csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--out/);
});

test('ntc explore on a missing file fails naming it and writes nothing', async () => {
  const dir = await tempDir();
  const out = join(dir, 'out');
  const r = await runNtc(['explore', join(dir, 'nope.csv'), '--out', out]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /nope\.csv/);
  assert.equal(await exists(out), false);
});

test('ntc explore reports skipped malformed rows on stderr and counts them in the summary', async () => {
  const dir = await tempDir();
  const csv = join(dir, 'flows.csv');
  const good = Array.from({ length: 50 }, (_, i) =>
    formatCiddsRow({ start: Date.UTC(2017, 2, 15) + i * 1000, duration: 0.1, proto: 'TCP', srcAddr: '192.168.1.2', srcPort: 50000, dstAddr: 'EXT_SERVER', dstPort: 80, packets: 2, bytes: 120, flags: 0x18, tos: 0, label: 'normal' }),
  );
  good.splice(20, 0, '2017-03-15 00:00:20.000,0.1,TCP  ,192.168.1.2,50000,EXT_SERVER,80.0,two,120,1,.AP...,0,normal,---,---,---');
  await writeFile(csv, `${CIDDS_HEADER.join(',')}\n${good.join('\n')}\n`);
  const out = join(dir, 'out');
  const r = await runNtc(['explore', csv, '--out', out, '--max-bad-rows', '5', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skipped 1 malformed row/);
  assert.match(r.stderr, /flows\.csv:22/);
  assert.match(r.stdout, /read 50 flows from 1 file \(1 malformed rows skipped\)/);
  const summary = JSON.parse(await readFile(join(out, 'explore.json'), 'utf8'));
  assert.equal(summary.badRowCount, 1);
  assert.equal(summary.files[0].badRows, 1);
  assert.doesNotMatch(r.stderr, /reading/, '--quiet silences the progress bar');
});
