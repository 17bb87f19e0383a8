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
