import { access, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temporary name beside `path`, so the final rename stays on one file system. */
export function siblingTempPath(path: string): string {
  return join(dirname(path), `${tempPrefix(path)}${process.pid}-${Date.now().toString(36)}`);
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
 * midway leaves the previous directory whole: either at `dir`, or — killed between the two renames —
 * as the `-old` sibling that `setAsideDirs` finds. Stale temporaries of dead processes are removed
 * once the new directory is in place (not before: one of them may be the only whole copy).
 */
export async function replaceDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const tmp = siblingTempPath(dir);
  const old = `${tmp}${OLD_SUFFIX}`;
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
  await removeStaleTemps(dir);
}

/**
 * The previous versions of `dir` that replaceDirAtomic moved aside and has not yet removed, newest
 * first. Only a save killed between its two renames leaves one while `dir` itself is missing; one
 * whose removal was cut short may have lost files, so callers check each for completeness.
 */
export async function setAsideDirs(dir: string): Promise<string[]> {
  return (await siblingTemps(dir)).filter((t) => t.setAside).sort((a, b) => b.stamp - a.stamp).map((t) => t.path);
}

/** Removes the temporaries beside `path` whose writer process is no longer alive. */
export async function removeStaleTemps(path: string): Promise<void> {
  for (const t of await siblingTemps(path)) {
    if (!isAlive(t.pid)) await rm(t.path, { recursive: true, force: true });
  }
}

/** True when `path` exists (whatever it is). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

const OLD_SUFFIX = '-old';

function tempPrefix(path: string): string {
  return `.${basename(path)}.tmp-`;
}

interface SiblingTemp {
  path: string;
  pid: number;
  /** Date.now() when the temporary was named. */
  stamp: number;
  setAside: boolean;
}

async function siblingTemps(path: string): Promise<SiblingTemp[]> {
  const prefix = tempPrefix(path);
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: SiblingTemp[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^([1-9]\d*)-([0-9a-z]+)(-old)?$/.exec(name.slice(prefix.length));
    if (!m) continue;
    out.push({ path: join(dirname(path), name), pid: Number(m[1]), stamp: parseInt(m[2], 36), setAside: m[3] !== undefined });
  }
  return out;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
