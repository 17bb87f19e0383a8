import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFlows } from '../../src/flows/read.js';
import { parallelPlan, setParallelReading } from '../../src/flows/read-parallel.js';
import { InputError } from '../../src/util/errors.js';
import { ROOT, tempDir } from '../helpers.js';
import { CIDDS_001_HEAD, rowsOf, writeLines } from './flow-files.js';

// Small files are normally read on one thread; these tests split them across 3 workers.
const savedEnv = process.env.NTC_READ_WORKERS;
before(() => {
  process.env.NTC_READ_WORKERS = '3';
  setParallelReading({ minBytes: 0 });
});
after(() => {
  if (savedEnv === undefined) delete process.env.NTC_READ_WORKERS;
  else process.env.NTC_READ_WORKERS = savedEnv;
  setParallelReading({ minBytes: 32 << 20 });
});

function sequential<T>(fn: () => Promise<T>): Promise<T> {
  process.env.NTC_READ_WORKERS = '1';
  return fn().finally(() => (process.env.NTC_READ_WORKERS = '3'));
}

const good = (i: number): string =>
  `2017-08-02 00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')},0.003,` +
  `${i % 7 ? 'TCP  ' : 'ICMP '},host${i % 13},${i % 5000},${i % 3 ? 'DNS' : `1000_${i % 250}`},${i % 7 ? `${i % 1024}.0` : '3.3'},` +
  `${1 + (i % 9)},${i % 11 ? i * 3 : ' 2.1 M'},1,.AP.SF,0,${i % 17 ? 'normal' : 'attacker'},---,---,---`;

test('a file split across workers reads the same rows, dictionaries and bad-row lines as one thread', async () => {
  const dir = await tempDir();
  const lines = [CIDDS_001_HEAD];
  for (let i = 0; i < 3000; i++) lines.push(i % 997 === 5 ? good(i).replace('.AP.SF', 'bogus!') : good(i));
  const path = await writeLines(dir, 'big.csv', lines);
  const plan = await parallelPlan(path);
  assert.equal(plan?.threads, 3);
  assert.ok(plan.ranges.length > 3, 'more ranges than threads, claimed in turn');
  const par = await readFlows([path], { maxBadRows: 10 });
  const seq = await sequential(() => readFlows([path], { maxBadRows: 10 }));
  assert.equal(par.length, seq.length);
  assert.deepEqual(rowsOf(par), rowsOf(seq));
  assert.equal(par.badRowCount, 4);
  assert.deepEqual(par.badRows.map((b) => [b.line, b.field]), seq.badRows.map((b) => [b.line, b.field]));
  assert.deepEqual(par.badRows.map((b) => b.line), [7, 1004, 2001, 2998]);
  assert.deepEqual(par.sources, seq.sources);
});

test('a quoted field spanning lines makes the split read fall back to one piece', async () => {
  const dir = await tempDir();
  const lines = [CIDDS_001_HEAD];
  for (let i = 0; i < 2000; i++) {
    lines.push(i % 50 === 0 ? good(i).replace(/---$/, '"two\nlines, here"') : good(i));
  }
  const path = await writeLines(dir, 'multiline.csv', lines);
  const ds = await readFlows([path]);
  assert.equal(ds.length, 2000);
  assert.equal(ds.badRowCount, 0);
  assert.equal(rowsOf(ds)[1950].attackDescription, 'two\nlines, here');
});

test('workers over an absolute bad-row limit stop the read, naming absolute lines', async () => {
  const dir = await tempDir();
  const lines = [CIDDS_001_HEAD];
  for (let i = 0; i < 3000; i++) lines.push(i >= 2500 ? good(i).replace(',0.003,', ',soon,') : good(i));
  const path = await writeLines(dir, 'late.csv', lines);
  await assert.rejects(readFlows([path], { maxBadRows: 100 }), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.match(err.message, /too many malformed rows/);
    assert.ok(err.message.includes(`${path}:2502 Duration: not a duration in seconds: "soon"`), err.message);
    return true;
  });
});

test('a fraction limit is judged on the whole file, not on one dense range', async () => {
  const dir = await tempDir();
  const lines = [CIDDS_001_HEAD];
  for (let i = 0; i < 3000; i++) lines.push(i >= 2990 && i < 2995 ? good(i).replace(',0.003,', ',soon,') : good(i));
  const path = await writeLines(dir, 'dense.csv', lines);
  const ds = await readFlows([path], { maxBadRows: 0.002 }); // 5 of 3000 is 0.17%, but 0.5% of the last range
  assert.equal(ds.badRowCount, 5);
  assert.equal(ds.length, 2995);
  await assert.rejects(readFlows([path], { maxBadRows: 0.001 }), /5 of 3,000 rows read/);
});

test('two split files read together match one thread: codes remapped into the read\'s dictionaries, progress to the end', async () => {
  const dir = await tempDir();
  const a = [CIDDS_001_HEAD];
  const b = [CIDDS_001_HEAD];
  for (let i = 0; i < 2000; i++) a.push(good(i));
  // The second file meets new hosts and labels first, so its workers' codes differ from the read's.
  for (let i = 0; i < 2000; i++) b.push(good(3000 + i).replace('host', 'other').replace(/normal|attacker/, (l) => (i % 2 ? 'victim' : l)));
  const paths = [await writeLines(dir, 'a.csv', a), await writeLines(dir, 'b.csv', b)];
  const seen: Array<{ file: string; bytesRead: number; bytesTotal: number; rows: number }> = [];
  const par = await readFlows(paths, { onProgress: (p) => seen.push(p) });
  const seq = await sequential(() => readFlows(paths));
  assert.deepEqual(rowsOf(par), rowsOf(seq));
  assert.deepEqual(par.columns.srcAddr.values, seq.columns.srcAddr.values);
  assert.deepEqual(par.columns.label.values, seq.columns.label.values);
  for (const path of paths) {
    const last = seen.filter((p) => p.file === path).at(-1);
    assert.ok(last && last.bytesRead === last.bytesTotal && last.rows === 2000, JSON.stringify(last));
  }
});

test('a split read leaves its columns in shared memory, for feature threads to read in place', async () => {
  const dir = await tempDir();
  const lines = [CIDDS_001_HEAD];
  for (let i = 0; i < 1000; i++) lines.push(good(i));
  const ds = await readFlows([await writeLines(dir, 'shared.csv', lines)]);
  assert.ok(ds.columns.start.buffer instanceof SharedArrayBuffer);
  assert.ok(ds.columns.srcAddr.codes.buffer instanceof SharedArrayBuffer);
});

test('ranges of several read chunks, rows cut at chunk ends, read as on one thread', async () => {
  const dir = await tempDir();
  const lines = [CIDDS_001_HEAD];
  // ~9 MB: each of the 3 ranges spans three 1 MB chunks or more.
  for (let i = 0; i < 80000; i++) lines.push(i % 4999 === 7 ? good(i).replace('.AP.SF', 'bogus!') : good(i));
  const path = await writeLines(dir, 'chunks.csv', lines);
  const par = await readFlows([path], { maxBadRows: 20 });
  const seq = await sequential(() => readFlows([path], { maxBadRows: 20 }));
  assert.equal(par.length, 80000 - 17);
  for (const name of Object.keys(seq.columns) as (keyof typeof seq.columns)[]) {
    const [a, b] = [par.columns[name], seq.columns[name]];
    if ('codes' in a && 'codes' in b) {
      assert.deepEqual(a.values, b.values, name);
      assert.deepEqual(Buffer.from(a.codes.buffer, 0, a.codes.byteLength), Buffer.from(b.codes.buffer, b.codes.byteOffset, b.codes.byteLength), name);
    } else if (!('codes' in a) && !('codes' in b)) {
      assert.deepEqual(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength), name);
    }
  }
  assert.deepEqual(par.badRows.map((b) => b.line), seq.badRows.map((b) => b.line));
});

test('ranges parse straight into the file\'s columns, or into fresh ones when a range holds more rows than its start predicts', async () => {
  const dir = await tempDir();
  const uniform = [CIDDS_001_HEAD];
  const skewed = [CIDDS_001_HEAD];
  for (let i = 0; i < 12000; i++) {
    uniform.push(good(i));
    // Long rows first: the last range starts among them, so its window has room for too few rows.
    skewed.push(i < 3000 ? good(i).replace(/---$/, `long description ${'x'.repeat(2000)}`) : good(i));
  }
  for (const [name, lines, inPlace] of [['uniform.csv', uniform, true], ['skewed.csv', skewed, false]] as const) {
    const path = await writeLines(dir, name, lines);
    const par = await readFlows([path]);
    const seq = await sequential(() => readFlows([path]));
    assert.equal(par.length, 12000);
    assert.deepEqual(rowsOf(par), rowsOf(seq), name);
    // In place, the columns are views of buffers sized from estimates, with room to spare.
    assert.equal(par.columns.start.buffer.byteLength > par.length * 8, inPlace, name);
  }
});

test('ranges parsed in turn by every thread, each meeting new values, give the codes and bad-row lines of one thread', async () => {
  const dir = await tempDir();
  const lines = [CIDDS_001_HEAD];
  // New hosts and labels all through the file: each thread's dictionaries grow in another order.
  for (let i = 0; i < 6000; i++) {
    const row = good(i).replace(`host${i % 13}`, `host${Math.floor(i / 40)}`).replace(/normal|attacker/, (l) => (i % 500 < 20 ? `wave${Math.floor(i / 500)}` : l));
    lines.push(i % 1499 === 3 ? row.replace(',0.003,', ',soon,') : row);
  }
  const path = await writeLines(dir, 'turns.csv', lines);
  setParallelReading({ inTurn: true });
  try {
    const par = await readFlows([path], { maxBadRows: 10 });
    const seq = await sequential(() => readFlows([path], { maxBadRows: 10 }));
    for (const name of Object.keys(seq.columns) as (keyof typeof seq.columns)[]) {
      const [a, b] = [par.columns[name], seq.columns[name]];
      if ('codes' in a && 'codes' in b) {
        assert.deepEqual(a.values, b.values, name);
        assert.deepEqual([...a.codes], [...b.codes], name);
      }
    }
    assert.deepEqual(rowsOf(par), rowsOf(seq));
    assert.deepEqual(par.badRows.map((b) => b.line), [5, 1504, 3003, 4502, 6001]);
  } finally {
    setParallelReading({ inTurn: false });
  }
});

test('nfdump output split across threads ends at its Summary block, whichever threads parsed the ranges after it', async () => {
  const dir = await tempDir();
  const real = readFileSync(join(ROOT, 'test', 'flows', 'fixtures', 'nfdump-1.7.1-real.csv'), 'utf8').trimEnd().split('\n');
  const summary = real.findIndex((l) => l.startsWith('Summary'));
  const lines = [real[0]];
  for (let i = 0; i < 1500; i++) lines.push(...real.slice(1, summary));
  // The summary, then text that is no flow data, over several ranges.
  lines.push(...real.slice(summary));
  for (let i = 0; i < 40000; i++) lines.push(`not a flow ${i}`);
  const path = await writeLines(dir, 'nf.csv', lines);
  const seq = await sequential(() => readFlows([path]));
  assert.equal(seq.length, 1500 * (summary - 1));
  for (const inTurn of [false, true]) {
    setParallelReading({ inTurn });
    try {
      const par = await readFlows([path]);
      assert.equal(par.badRowCount, 0);
      assert.deepEqual(rowsOf(par), rowsOf(seq));
    } finally {
      setParallelReading({ inTurn: false });
    }
  }
});
