import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Gives memory that a burst of work left behind back to the operating system: a full garbage
 * collection (so the contents of dead ArrayBuffers are freed), then glibc's malloc_trim through
 * a small native helper built at install (src/util/native/release-memory.cc). Without the helper
 * (no C++ compiler at install) only the collection runs. For a long-running service between
 * bursts of requests, not for hot paths: a full collection takes milliseconds.
 */
export interface MemoryRelease {
  /** Whether freed memory was given back (malloc_trim ran and released something). */
  trimmed: boolean;
  /** The helper is missing: only the collection ran. */
  gcOnly: boolean;
}

const helperPath = new URL('./native/ntc-release-memory.node', import.meta.url);
let helper: { trim(): boolean } | null | undefined;
let collect: (() => void) | undefined;

function loadHelper(): { trim(): boolean } | null {
  if (helper !== undefined) return helper;
  try {
    helper = existsSync(helperPath) ? (createRequire(import.meta.url)(helperPath.pathname) as { trim(): boolean }) : null;
  } catch {
    helper = null;
  }
  return helper;
}

function fullCollection(): () => void {
  if (!collect) {
    // The flag exposes gc() in contexts made after it is set; the collection covers the whole heap.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  return collect;
}

export function releaseMemory(): MemoryRelease {
  const gc = fullCollection();
  // Twice: memory held outside the heap on behalf of objects with finalizers (external strings,
  // native handles) is only freed once the first collection has run their callbacks.
  gc();
  gc();
  const h = loadHelper();
  return { trimmed: h ? h.trim() : false, gcOnly: h === null };
}

/** Whether releaseMemory can give memory back (the native helper was built and loads). */
export function canTrimMemory(): boolean {
  return loadHelper() !== null;
}
