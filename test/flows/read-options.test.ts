import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { addReadOptions, parseMaxBadRows, readOptionsFrom } from '../../src/flows/read-options.js';

test('--max-bad-rows accepts a count, a fraction and a percentage', () => {
  assert.equal(parseMaxBadRows('100'), 100);
  assert.equal(parseMaxBadRows('0.001'), 0.001);
  assert.equal(parseMaxBadRows('0.1%'), 0.001);
  assert.equal(parseMaxBadRows('0'), 0);
  for (const bad of ['-1', 'ten', '1.5', '150%', '']) assert.throws(() => parseMaxBadRows(bad), `${bad} should be refused`);
});

test('addReadOptions wires --max-bad-rows into ReadOptions', () => {
  const cmd = addReadOptions(new Command('x').exitOverride());
  cmd.parse(['--max-bad-rows', '2.5%'], { from: 'user' });
  assert.deepEqual(readOptionsFrom(cmd.opts()), { maxBadRows: 0.025 });
  const plain = addReadOptions(new Command('y').exitOverride());
  plain.parse([], { from: 'user' });
  assert.deepEqual(readOptionsFrom(plain.opts()), {});
});
