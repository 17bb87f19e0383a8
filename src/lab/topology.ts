/**
 * The lab network: one namespace per host plus a "switch" namespace holding the bridge, so not a
 * single link, address or route is added to the machine's own namespace. Hosts get one veth into
 * the bridge, a 198.18.0.0/16 address and no other route; namespaces never forward.
 */
import { execFileSync } from 'node:child_process';
import { LAB_HOSTS, LAB_NET, intToIp, type LabHost } from './addresses.js';
import type { ProcessRegistry } from './processes.js';

/** All lab namespaces start with this; `ntc-<pid>-<tag>-...` tells runs (and dead runs) apart. */
export const LAB_PREFIX = 'ntc-';

export interface Topology {
  prefix: string;
  switchNs: string;
  bridge: string;
  hosts: (LabHost & { ns: string })[];
}

export function newRunPrefix(pid = process.pid): string {
  return `${LAB_PREFIX}${pid}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Parses `ntc-<pid>-<tag>-<name>`; null for names that are not the lab's. */
export function parseLabNs(name: string): { prefix: string; pid: number } | null {
  const m = /^(ntc-(\d+)-[0-9a-z]{1,8})-[a-z0-9]+$/.exec(name);
  return m ? { prefix: m[1], pid: Number(m[2]) } : null;
}

export function planTopology(prefix: string): Topology {
  return {
    prefix,
    switchNs: `${prefix}-sw`,
    bridge: 'br0',
    hosts: LAB_HOSTS.map((h) => ({ ...h, ns: `${prefix}-${h.name}` })),
  };
}

export function namespacesOf(t: Topology): string[] {
  return [t.switchNs, ...t.hosts.map((h) => h.ns)];
}

export async function createTopology(t: Topology, procs: ProcessRegistry): Promise<void> {
  const ip = (...args: string[]) => procs.check('ip', args, { timeoutMs: 10000 });
  for (const ns of namespacesOf(t)) await ip('netns', 'add', ns);
  await ip('-n', t.switchNs, 'link', 'set', 'lo', 'up');
  await ip('-n', t.switchNs, 'link', 'add', t.bridge, 'type', 'bridge');
  await ip('-n', t.switchNs, 'link', 'set', t.bridge, 'up');
  for (const h of t.hosts) {
    const port = `p-${h.name}`;
    await ip('-n', t.switchNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns);
    await ip('-n', t.switchNs, 'link', 'set', port, 'master', t.bridge, 'up');
    await ip('-n', h.ns, 'link', 'set', 'lo', 'up');
    // Without segmentation offload the bridge sees wire-sized packets, as a real switch port
    // would; otherwise one 64 kB "packet" stands for 45 and flow packet counts are wrong.
    await ip('-n', h.ns, 'link', 'set', 'eth0', 'gso_max_size', '1500', 'gso_max_segs', '1');
    await ip('-n', h.ns, 'addr', 'add', `${h.ip}/${LAB_NET.bits}`, 'dev', 'eth0');
    await ip('-n', h.ns, 'link', 'set', 'eth0', 'up');
  }
  await verifyIsolation(t, procs);
}

/** Refuses to go on unless each host has exactly the lab route, no default route, and does not forward. */
async function verifyIsolation(t: Topology, procs: ProcessRegistry): Promise<void> {
  const labRoute = `${intToIp(LAB_NET.base)}/${LAB_NET.bits}`;
  for (const h of t.hosts) {
    const routes = (await procs.check('ip', ['-n', h.ns, '-4', 'route', 'show'])).trim().split('\n').filter(Boolean);
    const bad = routes.filter((r) => !r.startsWith(`${labRoute} dev eth0`));
    if (bad.length > 0 || routes.length !== 1) throw new Error(`lab host ${h.name} has unexpected routes: ${routes.join('; ')}`);
    const forward = (await procs.check('ip', ['netns', 'exec', h.ns, 'cat', '/proc/sys/net/ipv4/ip_forward'])).trim();
    if (forward !== '0') throw new Error(`lab host ${h.name} forwards packets (ip_forward=${forward})`);
  }
}

/** Ends every process inside the namespaces, then deletes them (veths and the bridge go with them). */
export function destroyNamespacesSync(names: string[]): string[] {
  const failed: string[] = [];
  for (const ns of names) {
    for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
      for (const pid of pidsIn(ns)) {
        try {
          process.kill(pid, sig);
        } catch {
          // gone already
        }
      }
      if (sig === 'SIGTERM' && pidsIn(ns).length > 0) sleepSync(300);
    }
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      if (listNamespacesSync().includes(ns)) failed.push(ns);
    }
  }
  return failed;
}

export function pidsIn(ns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .filter((p) => p !== process.pid);
  } catch {
    return [];
  }
}

export function listNamespacesSync(): string[] {
  try {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0])
      .filter(Boolean);
  } catch {
    return [];
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
