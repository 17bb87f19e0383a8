import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceMap, type SourceEntry } from '../../src/features/source-map.js';

interface Entry extends SourceEntry {
  name: string;
}

const entry = (name: string, lastStartMs: number): Entry => ({ name, lastStartMs, code: -1 });

test('source map: entries by source text, looked up by code; eviction and a new dictionary are honoured', () => {
  const m = new SourceMap<Entry>();
  const first = ['10.0.0.1', '10.0.0.2', 'DNS'];
  m.use(first);
  assert.equal(m.get(0), undefined);
  m.set(0, entry('a', 0));
  m.set(2, entry('dns', 5000));
  assert.equal(m.get(0)?.name, 'a');
  assert.equal(m.get(1), undefined);
  assert.equal(m.size, 2);
  // 10.0.0.1 (last seen at 0 s) is idle at 61 s; DNS (5 s) is not.
  assert.equal(m.evictIdle(61_000, 60), 1);
  assert.equal(m.get(0), undefined, 'an evicted source is gone for its code too');
  assert.equal(m.get(2)?.name, 'dns');
  m.set(0, entry('a again', 61_000));
  assert.equal(m.get(0)?.name, 'a again');
  // At most one sweep per idle time of stream time: DNS, idle by 115 s, stays until the next.
  assert.equal(m.evictIdle(120_000, 60), 0);
  assert.equal(m.get(2)?.name, 'dns');
  // A new dictionary: the same sources under other codes.
  const second = ['DNS', 'x', '10.0.0.1'];
  m.use(second);
  assert.equal(m.get(0)?.name, 'dns');
  assert.equal(m.get(2)?.name, 'a again');
  assert.equal(m.get(1), undefined);
  const evicted: string[] = [];
  assert.equal(m.evictIdle(200_000, 60, (e) => evicted.push(e.name)), 2);
  assert.deepEqual(evicted.sort(), ['a again', 'dns']);
  assert.equal(m.get(0), undefined);
  assert.equal(m.get(2), undefined);
  assert.equal(m.size, 0);
});
