import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNtc } from '../helpers.js';
import { findBinary } from '../../src/lab/doctor.js';

const root = process.getuid?.() === 0;
const skip = !root || !findBinary('ip') ? 'needs root and iproute2 (ip netns)' : false;

test('lab cleanup removes the namespace, processes and temp dir of a dead run', { skip, timeout: 30_000 }, async () => {
  // A pid that has certainly exited stands for the dead run.
  const gone = spawnSync('true').pid!;
  const ns = `ntc-${gone}-t3st-sw`;
  const tmp = join(tmpdir(), `ntc-${gone}-t3st-work`);
  execFileSync('ip', ['netns', 'add', ns]);
  mkdirSync(tmp, { recursive: true });
  const sleeper = spawn('ip', ['netns', 'exec', ns, 'sleep', '300'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const r = await runNtc(['lab', 'cleanup']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`removed ${ns}`));
    assert.ok(!execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(ns));
    assert.equal(existsSync(tmp), false);
    const code = await new Promise((res) => (sleeper.exitCode !== null || sleeper.signalCode !== null ? res(sleeper.signalCode) : sleeper.once('exit', (_c, s) => res(s))));
    assert.ok(code === 'SIGTERM' || code === 'SIGKILL', 'the process inside was ended');
  } finally {
    sleeper.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', ns]);
  }
});
