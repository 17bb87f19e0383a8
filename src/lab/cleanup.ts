/** Removes what dead lab runs left behind: their namespaces (with processes and links) and temp dirs. */
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destroyNamespacesSync, listNamespacesSync, parseLabNs, pidAlive } from './topology.js';

export interface CleanupResult {
  removed: string[];
  /** Namespaces of runs whose process is still alive (left alone). */
  live: string[];
  failed: string[];
}

export function cleanupLeftovers(): CleanupResult {
  const removed: string[] = [];
  const live: string[] = [];
  const dead: string[] = [];
  for (const ns of listNamespacesSync()) {
    const p = parseLabNs(ns);
    if (!p) continue;
    if (pidAlive(p.pid) && p.pid !== process.pid) live.push(ns);
    else dead.push(ns);
  }
  const failed = destroyNamespacesSync(dead);
  removed.push(...dead.filter((n) => !failed.includes(n)));
  for (const name of safeReaddir(tmpdir())) {
    const m = /^ntc-(\d+)-[0-9a-z]{1,8}-/.exec(name);
    if (m && !pidAlive(Number(m[1]))) {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
      removed.push(join(tmpdir(), name));
    }
  }
  return { removed, live, failed };
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
