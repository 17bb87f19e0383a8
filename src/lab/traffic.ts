/**
 * Ordinary user traffic: every client (and the attacker between its scans) runs a seeded random
 * schedule of web browsing with curl, DNS lookups, pings, downloads, uploads and ssh-like sessions
 * against the servers; the servers back up to each other. Nobody talks to the attacker, so any
 * flow towards it in an attack window is an answer to the scan.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dnsQuery } from './agents/dns-message.js';
import { hostByName, type LabHost } from './addresses.js';
import { exited, sleep, type ProcessRegistry } from './processes.js';
import { Rng } from './rng.js';
import type { Topology } from './topology.js';

const SRV1 = hostByName('srv1').ip;
const SRV2 = hostByName('srv2').ip;
const DOMAINS = ['intranet', 'mail', 'wiki', 'files', 'git', 'update', 'cdn', 'ntp', 'xdoesnotexist', 'printer'];
export const UPLOAD_SIZES = [20_000, 300_000, 2_000_000, 8_000_000];

/** A door the attacker's normal traffic passes through; shut while it scans. */
export class Gate {
  private openNow = true;
  private waiters: (() => void)[] = [];
  private busy = 0;
  private idleWaiters: (() => void)[] = [];

  close(): void {
    this.openNow = false;
  }

  open(): void {
    this.openNow = true;
    for (const w of this.waiters.splice(0)) w();
  }

  async pass(signal: AbortSignal): Promise<void> {
    while (!this.openNow && !signal.aborted) {
      await new Promise<void>((r) => {
        this.waiters.push(r);
        signal.addEventListener('abort', () => r(), { once: true });
      });
    }
  }

  enter(): void {
    this.busy++;
  }

  leave(): void {
    this.busy--;
    if (this.busy === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves when no action that passed the gate is still running (or after timeoutMs). */
  idle(timeoutMs: number): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

export interface TrafficStats {
  actions: number;
  failed: number;
}

export interface TrafficContext {
  topo: Topology;
  procs: ProcessRegistry;
  seed: number;
  workDir: string;
  signal: AbortSignal;
  attackerGate: Gate;
  stats: TrafficStats;
}

export async function writeUploadFiles(dir: string): Promise<void> {
  for (const size of UPLOAD_SIZES) await writeFile(join(dir, `upload-${size}.bin`), randomBytes(size));
}

/** Runs until ctx.signal aborts; resolves once every lane has finished its current action. */
export async function runNormalTraffic(ctx: TrafficContext): Promise<void> {
  const lanes: Promise<void>[] = [];
  ctx.topo.hosts.forEach((h, i) => {
    const n = h.role === 'client' ? 4 : h.role === 'attacker' ? 2 : 1;
    for (let lane = 0; lane < n; lane++) lanes.push(runLane(ctx, h, new Rng(ctx.seed * 1009 + i * 17 + lane)));
  });
  await Promise.all(lanes);
}

async function runLane(ctx: TrafficContext, host: LabHost & { ns: string }, rng: Rng): Promise<void> {
  const isAttacker = host.role === 'attacker';
  // Stagger the lanes so they do not start in lock step.
  await sleep(rng.next() * 3000, ctx.signal);
  while (!ctx.signal.aborted) {
    if (isAttacker) {
      await ctx.attackerGate.pass(ctx.signal);
      if (ctx.signal.aborted) break;
      ctx.attackerGate.enter();
    }
    try {
      const ok = await (host.role === 'server' ? serverAction(ctx, host, rng) : userAction(ctx, host, rng));
      ctx.stats.actions++;
      if (!ok) ctx.stats.failed++;
    } finally {
      if (isAttacker) ctx.attackerGate.leave();
    }
    const think = host.role === 'server' ? rng.exp(20_000) : isAttacker ? rng.exp(3000) : rng.exp(1200);
    await sleep(think, ctx.signal);
  }
}

function inNs(ctx: TrafficContext, host: { ns: string }, cmd: string[], timeoutMs: number, input?: Buffer | string): Promise<boolean> {
  return ctx.procs
    .run('ip', ['netns', 'exec', host.ns, ...cmd], { timeoutMs, input, keepStdout: false })
    .then((r) => r.code === 0)
    .catch(() => false);
}

type Kind = 'web' | 'dns' | 'download' | 'upload' | 'ping' | 'ssh';
const USER_MIX: readonly (readonly [Kind, number])[] = [['web', 0.36], ['dns', 0.26], ['download', 0.08], ['upload', 0.04], ['ping', 0.14], ['ssh', 0.12]];

async function userAction(ctx: TrafficContext, host: LabHost & { ns: string }, rng: Rng): Promise<boolean> {
  // The attacker does not ping in its normal role: softflowd keys ICMP flows by type only, so its
  // echo flows to a server would merge with a ping scan's probes and blur the labels.
  const kind = rng.weighted(host.role === 'attacker' ? USER_MIX.filter(([k]) => k !== 'ping') : USER_MIX);
  switch (kind) {
    case 'web': {
      const srv = rng.next() < 0.7 ? SRV1 : SRV2;
      const urls: string[] = [];
      const n = rng.weighted([[1, 0.4], [2, 0.25], [4, 0.2], [8, 0.15]] as const);
      for (let i = 0; i < n; i++) urls.push(rng.next() < 0.15 ? `http://${srv}/` : `http://${srv}/page/${rng.logUniform(300, 400_000)}`);
      // Like a browser: often several connections at once, otherwise one kept-alive connection.
      const parallel = n > 1 && rng.next() < 0.5 ? ['--parallel', '--parallel-max', '4'] : [];
      return inNs(ctx, host, ['curl', '-s', '--max-time', '20', ...parallel, ...urls], 25_000);
    }
    case 'dns': {
      const name = `${rng.pick(DOMAINS)}.lab.example`;
      return inNs(ctx, host, ['nc', '-u', '-w', '1', SRV2, '53'], 5000, dnsQuery(name, rng.int(0, 65535)));
    }
    case 'download':
      return inNs(ctx, host, ['curl', '-s', '--max-time', '30', `http://${SRV2}:8080/file/${rng.logUniform(50_000, 25_000_000)}`], 35_000);
    case 'upload': {
      const file = join(ctx.workDir, `upload-${rng.pick(UPLOAD_SIZES)}.bin`);
      return inNs(ctx, host, ['curl', '-s', '--max-time', '30', '--data-binary', `@${file}`, `http://${SRV2}:8080/upload`], 35_000);
    }
    case 'ping': {
      const peers = ctx.topo.hosts.filter((h) => h.role !== 'attacker' && h.ip !== host.ip);
      const target = rng.next() < 0.6 ? rng.pick(peers.filter((h) => h.role === 'server')) : rng.pick(peers);
      return inNs(ctx, host, ['ping', '-q', '-n', '-c', String(rng.int(1, 5)), '-i', '0.3', '-W', '1', target.ip], 10_000);
    }
    case 'ssh':
      return sshSession(ctx, host, rng);
  }
}

/** An interactive session: a few lines typed with pauses, each answered by the server. */
async function sshSession(ctx: TrafficContext, host: { ns: string }, rng: Rng): Promise<boolean> {
  const child = ctx.procs.start('ip', ['netns', 'exec', host.ns, 'nc', '-N', SRV2, '22'], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin!.on('error', () => undefined);
  const lines = rng.int(2, 12);
  for (let i = 0; i < lines && !ctx.signal.aborted && child.exitCode === null; i++) {
    await sleep(rng.logUniform(150, 2500), ctx.signal);
    child.stdin!.write(`${rng.pick(['ls -la', 'cat notes.txt', 'top -b -n 1', 'df -h', 'git status', 'vim x', 'make'])}\n`);
  }
  child.stdin!.end();
  if (!(await exited(child, 5000))) child.kill('SIGKILL');
  return child.exitCode === 0;
}

async function serverAction(ctx: TrafficContext, host: LabHost & { ns: string }, rng: Rng): Promise<boolean> {
  const other = host.ip === SRV1 ? SRV2 : SRV1;
  if (rng.next() < 0.5) {
    const file = join(ctx.workDir, `upload-${rng.pick(UPLOAD_SIZES)}.bin`);
    return inNs(ctx, host, ['curl', '-s', '--max-time', '30', '--data-binary', `@${file}`, `http://${other}/backup`], 35_000);
  }
  if (rng.next() < 0.5) return inNs(ctx, host, ['ping', '-q', '-n', '-c', '2', '-i', '0.5', '-W', '1', other], 5000);
  return inNs(ctx, host, ['nc', '-u', '-w', '1', SRV2, '53'], 5000, dnsQuery(`${rng.pick(DOMAINS)}.lab.example`, rng.int(0, 65535)));
}
