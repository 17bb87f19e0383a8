/**
 * Property tests for the flow readers on mutated input (what `ntc classify` and `ntc serve` are fed
 * by strangers): no crash but InputError, no hang, and every malformed row accounted for with its
 * file, line and field — nothing dropped silently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { formatCiddsRow, CIDDS_HEADER } from '../../src/flows/cidds-format.js';
import { readFlows } from '../../src/flows/read.js';
import { InputError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';
import { makeFlows } from './fixtures.js';
import { apply, mutation, withTimeout } from './mutations.js';

const BASE = makeFlows({ rows: 40, seed: 77 }).map(formatCiddsRow);

test('property: mutated CIDDS rows are read or reported (file, line, field), never dropped, never a crash or a hang', async () => {
  const dir = await tempDir('ntc-fuzz-read-');
  let run = 0;
  let badSeen = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat(BASE.length - 1), mutation), { minLength: 1, maxLength: 8 }), fc.boolean(), async (muts, crlf) => {
      const lines: Buffer[] = BASE.map((l) => Buffer.from(l));
      const mutated = new Set<number>();
      for (const [i, m] of muts) {
        lines[i] = apply(lines[i].toString('latin1'), m);
        mutated.add(i + 2); // 1-based, after the header
      }
      const eol = Buffer.from(crlf ? '\r\n' : '\n');
      const path = join(dir, `m${run++}.csv`);
      await writeFile(path, Buffer.concat([Buffer.from(CIDDS_HEADER.join(',')), eol, ...lines.flatMap((l) => [l, eol])]));
      const blank = lines.filter((l) => l.length === 0 || (l.length === 1 && l[0] === 13)).length;
      const ds = await withTimeout(readFlows([path], { maxBadRows: 1e9 }), 5000, path);
      assert.equal(ds.length + ds.badRowCount, BASE.length - blank, 'every non-blank line is a flow or a reported bad row');
      assert.equal(ds.badRows.length, ds.badRowCount);
      badSeen += ds.badRowCount;
      for (const b of ds.badRows) {
        assert.equal(b.file, path);
        assert.ok(mutated.has(b.line), `line ${b.line} reported bad but was not mutated (${[...mutated]})`);
        assert.ok(typeof b.field === 'string' && b.field.length > 0, `no field for line ${b.line}`);
        assert.ok(b.reason.length > 0);
      }
      // With the default limit the same file is read or refused with an InputError naming it.
      try {
        await withTimeout(readFlows([path]), 5000, path);
      } catch (err) {
        assert.ok(err instanceof InputError, `not an InputError: ${(err as Error).stack}`);
        assert.ok(err.message.includes(path), err.message);
      }
    }),
    { numRuns: 100, seed: 4242 },
  );
  await rm(dir, { recursive: true, force: true });
  assert.ok(badSeen > 50, `the mutations must make bad rows (saw ${badSeen})`);
});

test('property: arbitrary bytes after a CIDDS header (quotes and line breaks included) end in flows or an InputError within bounded time', async () => {
  const dir = await tempDir('ntc-fuzz-bytes-');
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.nat(BASE.length), async (noise, keep) => {
      const path = join(dir, `b${run++}.csv`);
      await writeFile(path, Buffer.concat([Buffer.from(`${CIDDS_HEADER.join(',')}\n${BASE.slice(0, keep).join('\n')}\n`), Buffer.from(noise)]));
      try {
        const ds = await withTimeout(readFlows([path], { maxBadRows: 1e9 }), 5000, path);
        assert.ok(ds.length >= keep - 1, `${ds.length} flows from ${keep} good lines`);
        for (const b of ds.badRows) assert.ok(b.file === path && b.line >= 2 && b.field.length > 0, JSON.stringify(b));
      } catch (err) {
        assert.ok(err instanceof InputError, `not an InputError: ${(err as Error).stack}`);
      }
    }),
    { numRuns: 100, seed: 99 },
  );
  await rm(dir, { recursive: true, force: true });
});

test('property: a mutated header is either understood or refused with an InputError naming the file', async () => {
  const dir = await tempDir('ntc-fuzz-head-');
  let run = 0;
  await fc.assert(
    fc.asyncProperty(mutation, async (m) => {
      const path = join(dir, `h${run++}.csv`);
      await writeFile(path, Buffer.concat([apply(CIDDS_HEADER.join(','), m), Buffer.from(`\n${BASE.slice(0, 5).join('\n')}\n`)]));
      try {
        await withTimeout(readFlows([path], { maxBadRows: 1e9 }), 5000, path);
      } catch (err) {
        assert.ok(err instanceof InputError, `not an InputError: ${(err as Error).stack}`);
        assert.ok(err.message.includes(path), err.message);
      }
    }),
    { numRuns: 60, seed: 7 },
  );
  await rm(dir, { recursive: true, force: true });
});
