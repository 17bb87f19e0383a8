import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temporary name beside `path`, so the final rename stays on one file system. */
export function siblingTempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now().toString(36)}`);
}

/** Write a file so that readers see either the old content or the new, never half of it. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = siblingTempPath(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Replace directory `dir` by one that `fill` writes into a temporary sibling. A process killed
 * midway leaves the previous directory whole (and at worst a stale temporary beside it).
 */
export async function replaceDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const tmp = siblingTempPath(dir);
  const old = `${tmp}-old`;
  try {
    await mkdir(tmp, { recursive: true });
    await fill(tmp);
    // rename() cannot replace a non-empty directory: move the old one aside first.
    let hadOld = true;
    try {
      await rename(dir, old);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      hadOld = false;
    }
    await rename(tmp, dir);
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
