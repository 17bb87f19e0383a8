/**
 * Golden-file comparison for rendered charts. `UPDATE_GOLDEN=1` writes missing or changed files;
 * otherwise a difference fails and names the first differing line.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

export const GOLDEN_DIR = join(ROOT, 'test', 'report', 'golden');

export async function assertGolden(name: string, actual: string): Promise<void> {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    await mkdir(GOLDEN_DIR, { recursive: true });
    await writeFile(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = await readFile(path, 'utf8');
  } catch {
    assert.fail(`no golden file ${path}; run the tests once with UPDATE_GOLDEN=1 to create it, then review it`);
  }
  if (expected === actual) return;
  const a = actual.split(/(?<=>)/);
  const e = expected.split(/(?<=>)/);
  let i = 0;
  while (i < Math.min(a.length, e.length) && a[i] === e[i]) i++;
  assert.fail(
    `${name} differs from ${path} at element ${i + 1}:\n  expected: ${e[i]?.slice(0, 300)}\n  actual:   ${a[i]?.slice(0, 300)}\n` +
      'If the change is intended, rerun with UPDATE_GOLDEN=1 and review the new file (open it in a browser).',
  );
}
