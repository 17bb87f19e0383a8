import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NTC_BIN, runNtc, tempDir } from '../helpers.js';
import { readFlows } from '../../src/flows/read.js';
import { checkRequirements } from '../../src/lab/doctor.js';

const missing = checkRequirements().filter((r) => !r.ok);
const skip = missing.length > 0 ? `needs root and the lab tools (missing: ${missing.map((m) => m.what).join(', ')}; see ntc lab doctor)` : false;

function runCapture(args: string[]): { pid: number; done: Promise<{ code: number | null; stdout: string; stderr: string }>; kill: (s: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, [NTC_BIN, 'lab', 'capture', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { pid: child.pid!, done, kill: (s) => child.kill(s) };
}

function namespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
}

/** Processes sitting in a network namespace that has no name any more: what a leaked lab host looks like. */
function processesInUnnamedNamespaces(): string[] {
  const named = new Set<string>();
  for (const n of existsSync('/run/netns') ? readdirSync('/run/netns') : []) named.add(String(execFileSync('stat', ['-L', '-c', '%i', join('/run/netns', n)], { encoding: 'utf8' }).trim()));
  const root = readlinkSync('/proc/self/ns/net');
  const out: string[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let ns: string;
    try {
      ns = readlinkSync(`/proc/${p}/ns/net`);
    } catch {
      continue;
    }
    const inode = /\[(\d+)\]/.exec(ns)?.[1];
    if (ns !== root && inode && !named.has(inode)) out.push(`${p}: ${readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
  }
  return out;
}

function rootVeths(): string {
  return execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n').filter((l) => /ntc-|p-srv|p-c\d|p-att|br0/.test(l)).join('\n');
}

test('a short real capture writes labelled CIDDS flows for every scan and leaves nothing behind', { skip, timeout: 240_000 }, async () => {
  const dir = await tempDir();
  const out = join(dir, 'cap.csv');
  const linksBefore = rootVeths();
  const run = runCapture(['--out', out, '--minutes', '1.5', '--seed', '7']);
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote \d+ flows/);
  assert.match(r.stderr, /lab capture .*left \d+s.*pcap [\d.]+ MB/, 'progress on stderr');

  const ds = await readFlows([out]);
  assert.equal(ds.badRowCount, 0);
  const c = ds.columns;
  const count: Record<string, number> = {};
  const attackFlows: Record<string, number> = {};
  for (let i = 0; i < ds.length; i++) {
    const label = c.label.values[c.label.codes[i]];
    count[label] = (count[label] ?? 0) + 1;
    if (label !== 'normal') {
      const id = c.attackId.values[c.attackId.codes[i]];
      attackFlows[id] = (attackFlows[id] ?? 0) + 1;
      assert.match(c.attackDescription.values[c.attackDescription.codes[i]], /^nmap args: -n -s/);
    }
  }
  assert.ok(count.normal > 300, JSON.stringify(count));
  assert.ok(count.attacker > 0 && count.victim > 0, JSON.stringify(count));

  const schedule = JSON.parse(readFileSync(join(dir, 'cap.schedule.json'), 'utf8'));
  assert.ok(schedule.attacks.length >= 3);
  for (const a of schedule.attacks) {
    assert.ok(attackFlows[a.id] > 0, `attack ${a.id} (${a.command}) has flows`);
    assert.ok(a.endMs >= a.startMs && a.attacker === '198.18.220.66');
  }
  assert.ok(c.attackType.values.includes('portScan') && c.attackType.values.includes('pingScan'));

  assert.deepEqual(namespaces().filter((n) => n.startsWith(`ntc-${run.pid}-`)), [], 'no namespace of the run is left');
  assert.deepEqual(processesInUnnamedNamespaces(), [], 'no process of the run is left');
  assert.equal(rootVeths(), linksBefore, 'no link was added to the machine');
  assert.deepEqual(readdirSync(tmpdir()).filter((n) => n.startsWith(`ntc-${run.pid}-`)), [], 'no temp dir is left');

  const stats = await runNtc(['lab', 'stats', '--json', out]);
  assert.equal(stats.code, 0, stats.stderr);
  assert.deepEqual(JSON.parse(stats.stdout).byLabel, count);
});

test('Ctrl-C during a capture removes the lab and writes nothing', { skip, timeout: 60_000 }, async () => {
  const dir = await tempDir();
  const out = join(dir, 'cap.csv');
  const run = runCapture(['--out', out, '--minutes', '2', '--quiet']);
  for (let i = 0; i < 100 && !namespaces().some((n) => n.startsWith(`ntc-${run.pid}-`)); i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 4000));
  run.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.code, 130);
  assert.match(r.stderr, /interrupted by SIGINT/);
  assert.equal(existsSync(out), false);
  assert.deepEqual(namespaces().filter((n) => n.startsWith(`ntc-${run.pid}-`)), []);
  assert.deepEqual(processesInUnnamedNamespaces(), []);
});
