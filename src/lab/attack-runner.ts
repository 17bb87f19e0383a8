/**
 * Runs the planned scans from the attacker's namespace at their planned times and records what
 * really happened (start, end, command) for labelling. The attacker's normal traffic is held back
 * from just before a scan until its labelling window has closed, so its ordinary flows never fall
 * inside a window.
 */
import type { AttackSpec, ScanKind, Timing } from './attack-plan.js';
import { LABEL_GRACE_MS, type AttackWindow } from './label.js';
import { attackType, describeNmap, nmapCommand } from './nmap-args.js';
import { exited, sleep, type ProcessRegistry } from './processes.js';
import type { Gate } from './traffic.js';
import type { Topology } from './topology.js';

export interface AttackRecord extends AttackWindow {
  scan: ScanKind;
  timing: Timing;
  /** Target specs as given to nmap. */
  targetSpecs: string[];
  command: string;
  plannedAtSec: number;
  start: string;
  end: string;
  exitCode: number | null;
  /** True when nmap was stopped at the attack's time limit (or by Ctrl-C) instead of finishing. */
  stopped: boolean;
}

export interface AttackRunContext {
  topo: Topology;
  procs: ProcessRegistry;
  plan: readonly AttackSpec[];
  /** Epoch ms when traffic started; atSec counts from here. */
  t0: number;
  /** No scan starts later than this (epoch ms). */
  lastStartMs: number;
  gate: Gate;
  signal: AbortSignal;
  onStart?: (a: AttackSpec) => void;
  onEnd?: (r: AttackRecord) => void;
}

export async function runAttacks(ctx: AttackRunContext): Promise<AttackRecord[]> {
  const attacker = ctx.topo.hosts.find((h) => h.role === 'attacker');
  if (!attacker) throw new Error('the lab has no attacker host');
  const records: AttackRecord[] = [];
  for (const spec of ctx.plan) {
    const cmd = nmapCommand(spec); // validates every target before anything runs
    await sleep(ctx.t0 + spec.atSec * 1000 - Date.now(), ctx.signal);
    if (ctx.signal.aborted || Date.now() > ctx.lastStartMs) break;
    ctx.gate.close();
    await ctx.gate.idle(20_000);
    await sleep(500);
    ctx.onStart?.(spec);
    const startMs = Date.now();
    const child = ctx.procs.start('ip', ['netns', 'exec', attacker.ns, 'nmap', ...cmd.options, ...cmd.targets], { stdio: 'ignore' });
    const stop = (): void => void child.kill('SIGTERM');
    ctx.signal.addEventListener('abort', stop, { once: true });
    const finished = await exited(child, spec.maxSec * 1000);
    if (!finished) {
      child.kill('SIGTERM');
      if (!(await exited(child, 3000))) child.kill('SIGKILL');
      await exited(child, 3000);
    }
    ctx.signal.removeEventListener('abort', stop);
    const endMs = Date.now();
    const rec: AttackRecord = {
      id: spec.id,
      attackType: attackType(spec.scan),
      description: describeNmap(cmd),
      attacker: attacker.ip,
      targets: cmd.addresses,
      startMs,
      endMs,
      scan: spec.scan,
      timing: spec.timing,
      targetSpecs: cmd.targets,
      command: ['nmap', ...cmd.options, ...cmd.targets].join(' '),
      plannedAtSec: spec.atSec,
      start: new Date(startMs).toISOString(),
      end: new Date(endMs).toISOString(),
      exitCode: child.exitCode,
      stopped: !finished || ctx.signal.aborted,
    };
    records.push(rec);
    ctx.onEnd?.(rec);
    await sleep(LABEL_GRACE_MS + 1500, ctx.signal);
    ctx.gate.open();
  }
  ctx.gate.open();
  return records;
}
