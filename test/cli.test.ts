import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runNtc } from './helpers.js';

test('ntc --help lists the command and exits 0', async () => {
  const r = await runNtc(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: ntc/);
});

test('an unknown subcommand is a usage error with exit code 2', async () => {
  const r = await runNtc(['no-such-command']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command|too many arguments/);
});

test('every command that runs a model takes --engine and --threads; a bad value is a usage error', async () => {
  for (const cmd of ['run', 'train', 'evaluate', 'classify', 'serve']) {
    const help = await runNtc([cmd, '--help']);
    assert.equal(help.code, 0);
    const flat = help.stdout.replace(/\s+/g, ' ');
    assert.match(flat, /--engine <name> .*\(choices: "auto", "native", "wasm", "tfjs", default: "auto"\) --threads <n>/, cmd);
  }
  const bad = await runNtc(['train', 'x.csv', '--out', 'y', '--engine', 'gpu']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--engine <name>' argument 'gpu' is invalid/);
  const zero = await runNtc(['train', 'x.csv', '--out', 'y', '--threads', '0']);
  assert.equal(zero.code, 2);
  assert.match(zero.stderr, /expected a positive whole number, got "0"/);
});
