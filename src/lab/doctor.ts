/** What the lab needs from the machine: root, network namespaces, and a handful of Debian tools. */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Requirement {
  what: string;
  ok: boolean;
  detail: string;
  /** Debian package that provides it, when installing one fixes it. */
  pkg?: string;
}

/** Each binary the lab runs, with the Debian package it comes from. */
export const LAB_TOOLS: readonly (readonly [string, string])[] = [
  ['ip', 'iproute2'],
  ['nmap', 'nmap'],
  ['softflowd', 'softflowd'],
  ['nfcapd', 'nfdump'],
  ['nfdump', 'nfdump'],
  ['tcpdump', 'tcpdump'],
  ['curl', 'curl'],
  ['ping', 'iputils-ping'],
  ['nc', 'netcat-openbsd'],
];

export function findBinary(name: string): string | null {
    // sbin too: a sudo user's PATH often lacks it, where ip and softflowd live.
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const d of dirs) {
    if (!d) continue;
    try {
      accessSync(join(d, name), constants.X_OK);
      return join(d, name);
    } catch {
      // not here
    }
  }
  return null;
}

export function checkRequirements(): Requirement[] {
  const out: Requirement[] = [];
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  out.push({ what: 'root', ok: root, detail: root ? 'running as root' : 'the lab creates network namespaces: run as root (sudo)' });
  for (const [bin, pkg] of LAB_TOOLS) {
    const path = findBinary(bin);
    out.push({ what: bin, ok: path !== null, detail: path ?? `not found on PATH`, pkg });
  }
  const nc = findBinary('nc');
  if (nc) {
    // The lab uses OpenBSD nc options (-N, -u -w); traditional netcat lacks -N.
    const r = spawnSync(nc, ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 });
    const help = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const openbsd = /-N\b/.test(help);
    out.push({ what: 'nc is OpenBSD netcat', ok: openbsd, detail: openbsd ? 'has -N' : `${nc} lacks -N`, pkg: 'netcat-openbsd' });
  }
  if (root && findBinary('ip')) {
    let ok = false;
    let detail = '';
    try {
      execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
      ok = true;
      detail = 'ip netns works';
    } catch (err) {
      detail = `ip netns list failed: ${(err as Error).message}`;
    }
    out.push({ what: 'ip netns', ok, detail });
  }
  return out;
}

export function installHint(reqs: readonly Requirement[]): string | null {
  const pkgs = [...new Set(reqs.filter((r) => !r.ok && r.pkg).map((r) => r.pkg!))];
  return pkgs.length > 0 ? `apt-get install -y ${pkgs.join(' ')}` : null;
}

export function formatRequirements(reqs: readonly Requirement[]): string {
  const lines = reqs.map((r) => `${r.ok ? 'ok     ' : 'MISSING'} ${r.what.padEnd(22)} ${r.detail}`);
  const hint = installHint(reqs);
  if (hint) lines.push('', `install what is missing with: ${hint}`);
  return `${lines.join('\n')}\n`;
}
