/**
 * `ntc lab capture`: builds the lab, runs ordinary traffic and the planned scans while tcpdump
 * records the bridge, turns the recording into NetFlow with softflowd/nfcapd/nfdump, labels the
 * flows from the attack schedule and writes a CIDDS-002 CSV plus the schedule as JSON.
 * Everything it starts is removed at the end: on success, on failure and on SIGINT/SIGTERM.
 */
import { setMaxListeners } from 'node:events';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CIDDS_002_HEADER, formatCiddsRow } from '../flows/cidds-format.js';
import { writeFileAtomic } from '../util/atomic.js';
import { EXIT, UserError } from '../util/errors.js';
import { Progress, formatCount } from '../util/progress.js';
import { planAttacks, type AttackSpec } from './attack-plan.js';
import { runAttacks, type AttackRecord } from './attack-runner.js';
import { checkRequirements, installHint } from './doctor.js';
import { exportFlows, pcapBytes, startPacketCapture, stopPacketCapture } from './flow-export.js';
import { labelFlows, sortByStart, type LabelledFlow } from './label.js';
import { nmapCommand } from './nmap-args.js';
import { parseNfdumpText } from './parse-nfdump.js';
import { ProcessRegistry, sleep } from './processes.js';
import { createTopology, destroyNamespacesSync, namespacesOf, newRunPrefix, planTopology, type Topology } from './topology.js';
import { Gate, runNormalTraffic, writeUploadFiles, type TrafficStats } from './traffic.js';

export interface CaptureOptions {
  out: string;
  minutes: number;
  seed: number;
  scenario: string;
  quiet?: boolean;
  /** Also keep nfdump's raw text here (test fixtures, debugging). */
  nfdumpOut?: string;
}

export interface CaptureSummary {
  out: string;
  schedulePath: string;
  flows: number;
  byLabel: Record<string, number>;
  attacks: number;
  prefix: string;
}

const SERVER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'agents', 'server.js');
const SERVICES: Record<string, string[]> = {
  srv1: ['--http', '80,8080', '--ssh', '22', '--dns', '53'],
  srv2: ['--http', '80,8080', '--ssh', '22', '--dns', '53'],
};

export function schedulePathFor(out: string): string {
  return out.replace(/(\.csv)?(\.gz)?$/i, '') + '.schedule.json';
}

export async function capture(opts: CaptureOptions): Promise<CaptureSummary> {
  await checkWritable(opts.out);
  const reqs = checkRequirements();
  const missing = reqs.filter((r) => !r.ok);
  if (missing.length > 0) {
    const hint = installHint(reqs);
    throw new UserError(`the lab cannot run: ${missing.map((m) => `${m.what} (${m.detail})`).join('; ')}${hint ? `\ninstall with: ${hint}` : ''}`, EXIT.missingRequirement);
  }
  const plan = planAttacks(opts.scenario, opts.minutes, opts.seed);
  for (const a of plan) nmapCommand(a); // refuse a bad target before building anything

  const procs = new ProcessRegistry();
  const prefix = newRunPrefix();
  const topo = planTopology(prefix);
  const stopAll = new AbortController();
  setMaxListeners(0, stopAll.signal);
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) {
      // A second Ctrl-C: no more waiting, remove everything now.
      procs.killAllNow();
      destroyNamespacesSync(namespacesOf(topo));
      process.exit(130);
    }
    interrupted = sig;
    process.stderr.write(`\nntc lab: ${sig}, stopping and removing the lab...\n`);
    stopAll.abort();
  };
  // Last resort if node itself dies (an uncaught exception skips the finally below).
  const onExit = (): void => {
    procs.killAllNow();
    destroyNamespacesSync(namespacesOf(topo));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
  const workDir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  try {
    await createTopology(topo, procs);
    await startServers(topo, procs);
    await writeUploadFiles(workDir);
    await waitForServers(topo, procs, stopAll.signal);
    const tcpdump = startPacketCapture(topo, procs, workDir);
    await sleep(1000, stopAll.signal);
    const { records, stats } = await runTraffic(opts, topo, procs, plan, workDir, stopAll.signal);
    await sleep(2000, stopAll.signal);
    await stopPacketCapture(tcpdump);
    if (interrupted) throw new UserError(`interrupted by ${interrupted}; the lab was removed and nothing was written`, 130);

    log(opts, `lab: ${formatCount(stats.actions)} user actions (${stats.failed} failed), ${records.length} scans; making flows with softflowd -> nfcapd -> nfdump...`);
    const exp = await exportFlows(topo, procs, workDir);
    if (opts.nfdumpOut) await writeFileAtomic(opts.nfdumpOut, exp.text);
    const flows = sortByStart(parseNfdumpText(exp.text, 'nfdump output'));
    if (Number.isFinite(exp.recordsExported) && exp.recordsExported !== flows.length) {
      throw new Error(`softflowd exported ${exp.recordsExported} flow records but nfcapd stored ${flows.length}: export packets were lost`);
    }
    const labelled = labelFlows(flows, records);
    const byLabel = countBy(labelled, (f) => f.label);
    await writeCsv(opts.out, labelled);
    const schedulePath = schedulePathFor(opts.out);
    await writeFileAtomic(schedulePath, `${JSON.stringify(scheduleJson(opts, topo, plan, records, flows, exp.packetsProcessed, byLabel), null, 2)}\n`);
    return { out: opts.out, schedulePath, flows: labelled.length, byLabel, attacks: records.length, prefix };
  } finally {
    stopAll.abort();
    await procs.stopAll(2000);
    const failed = destroyNamespacesSync(namespacesOf(topo));
    await rm(workDir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
    if (failed.length > 0) process.stderr.write(`ntc lab: could not remove ${failed.join(', ')}; run \`ntc lab cleanup\`\n`);
  }
}

/** Fails now rather than after a long capture when the output cannot be written. */
async function checkWritable(out: string): Promise<void> {
  try {
    await access(dirname(out), constants.W_OK);
  } catch (err) {
    throw new UserError(`cannot write ${out}: its directory is missing or not writable (${(err as NodeJS.ErrnoException).code})`);
  }
}

async function runTraffic(opts: CaptureOptions, topo: Topology, procs: ProcessRegistry, plan: AttackSpec[], workDir: string, signal: AbortSignal): Promise<{ records: AttackRecord[]; stats: TrafficStats }> {
  const total = opts.minutes * 60;
  const stats: TrafficStats = { actions: 0, failed: 0 };
  const gate = new Gate();
  const trafficStop = new AbortController();
  setMaxListeners(0, trafficStop.signal);
  signal.addEventListener('abort', () => trafficStop.abort(), { once: true });
  const t0 = Date.now();
  const endMs = t0 + total * 1000;
  let current = 'none yet';
  let done = 0;
  const progress = new Progress({ label: 'lab capture', total, unit: 's', quiet: opts.quiet });
  const tick = setInterval(() => {
    void pcapBytes(workDir).then((b) => {
      const left = Math.max(0, (endMs - Date.now()) / 1000);
      progress.update(Math.min(total, (Date.now() - t0) / 1000), `left ${Math.round(left)}s, pcap ${(b / 1e6).toFixed(1)} MB, ${stats.actions} user actions, scans ${done}/${plan.length}, scan: ${current}`);
    });
  }, 1000);
  const traffic = runNormalTraffic({ topo, procs, seed: opts.seed, workDir, signal: trafficStop.signal, attackerGate: gate, stats });
  const attacks = runAttacks({
    topo, procs, plan, t0, lastStartMs: endMs - 10_000, gate, signal,
    onStart: (a) => (current = `#${a.id} ${nmapCommand(a).options.join(' ')} ${a.targets.join(' ')}`),
    onEnd: () => {
      done++;
      current = 'none';
    },
  });
  try {
    await sleep(endMs - Date.now(), signal);
    // Scans still running at the end get to finish (they stop at their own time limit).
    const records = await attacks;
    trafficStop.abort();
    await traffic;
    return { records, stats };
  } finally {
    trafficStop.abort();
    clearInterval(tick);
    progress.done(`${stats.actions} user actions, ${done} scans`);
  }
}

async function startServers(topo: Topology, procs: ProcessRegistry): Promise<void> {
  for (const h of topo.hosts.filter((x) => x.role === 'server')) {
    procs.start('ip', ['netns', 'exec', h.ns, process.execPath, SERVER_SCRIPT, ...(SERVICES[h.name] ?? ['--http', '80'])], { stdio: 'ignore' });
  }
}

async function waitForServers(topo: Topology, procs: ProcessRegistry, signal: AbortSignal): Promise<void> {
  const client = topo.hosts.find((h) => h.role === 'client')!;
  for (const srv of topo.hosts.filter((h) => h.role === 'server')) {
    let ok = false;
    for (let i = 0; i < 50 && !ok && !signal.aborted; i++) {
      const r = await procs.run('ip', ['netns', 'exec', client.ns, 'curl', '-s', '-o', '/dev/null', '--max-time', '1', `http://${srv.ip}/`], { timeoutMs: 3000 });
      ok = r.code === 0;
      if (!ok) await sleep(100, signal);
    }
    if (!ok && !signal.aborted) throw new Error(`lab server ${srv.name} (${srv.ip}) did not answer HTTP`);
  }
}

async function writeCsv(out: string, flows: readonly LabelledFlow[]): Promise<void> {
  const lines = [CIDDS_002_HEADER.join(',')];
  for (const f of flows) lines.push(formatCiddsRow(f));
  const text = `${lines.join('\n')}\n`;
  await writeFileAtomic(out, /\.gz$/i.test(out) ? gzipSync(text, { level: 9 }) : text);
}

function scheduleJson(opts: CaptureOptions, topo: Topology, plan: AttackSpec[], records: AttackRecord[], flows: { start: number }[], packets: number, byLabel: Record<string, number>) {
  return {
    tool: 'ntc lab capture',
    scenario: opts.scenario,
    seed: opts.seed,
    minutes: opts.minutes,
    firstFlow: flows.length ? new Date(flows[0].start).toISOString() : null,
    lastFlow: flows.length ? new Date(flows[flows.length - 1].start).toISOString() : null,
    hosts: topo.hosts.map(({ name, role, ip }) => ({ name, role, ip })),
    packets,
    flows: flows.length,
    byLabel,
    planned: plan.length,
    attacks: records,
  };
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) out[key(it)] = (out[key(it)] ?? 0) + 1;
  return out;
}

function log(opts: CaptureOptions, msg: string): void {
  if (!opts.quiet) process.stderr.write(`${msg}\n`);
}
