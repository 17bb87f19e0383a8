import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runNtc } from '../helpers.js';

test('every lab subcommand has --help', async () => {
  for (const sub of ['capture', 'doctor', 'cleanup', 'stats']) {
    const r = await runNtc(['lab', sub, '--help']);
    assert.equal(r.code, 0, sub);
    assert.match(r.stdout, new RegExp(`Usage: ntc lab ${sub}`));
  }
});

test('lab doctor names what is missing, how to install it, and exits 4', async () => {
  const r = await runNtc(['lab', 'doctor'], { env: { PATH: '/nonexistent' } });
  assert.equal(r.code, 4);
  assert.match(r.stdout, /MISSING nmap/);
  assert.match(r.stdout, /apt-get install -y .*nmap.*nfdump/);
});

test('lab capture refuses an unknown scenario and bad numbers as usage errors', async () => {
  assert.equal((await runNtc(['lab', 'capture', '--out', '/tmp/x.csv', '--scenario', 'nope'])).code, 2);
  assert.equal((await runNtc(['lab', 'capture', '--out', '/tmp/x.csv', '--minutes', '-3'])).code, 2);
  assert.equal((await runNtc(['lab', 'capture'])).code, 2, '--out is required');
  const r = await runNtc(['lab', 'capture', '--out', '/nonexistent-ntc-dir/x.csv', '--minutes', '1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot write \/nonexistent-ntc-dir\/x\.csv/);
});
