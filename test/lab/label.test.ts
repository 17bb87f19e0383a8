import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { parseNfdumpText, type LabFlow } from '../../src/lab/parse-nfdump.js';
import { labelFlows, sortByStart, LABEL_GRACE_MS, type AttackWindow } from '../../src/lab/label.js';
import { InputError } from '../../src/util/errors.js';
import { TCP_FLAG_BIT } from '../../src/flows/schema.js';

// Recorded with `ntc lab capture --minutes 1.5 --seed 11 --nfdump-out ...` (nfdump 1.7.1), trimmed
// to every attacker flow, 60 of the SYN scan's 2000 flows and every 12th other flow.
const FIXTURES = join(ROOT, 'test', 'lab', 'fixtures');
const text = readFileSync(join(FIXTURES, 'nfdump-sample.txt'), 'utf8');
const schedule = JSON.parse(readFileSync(join(FIXTURES, 'schedule-sample.json'), 'utf8')) as { attacks: AttackWindow[] };
const ATTACKER = '198.18.220.66';
const flows = parseNfdumpText(text, 'nfdump-sample.txt');

test('recorded nfdump output parses into one flow per line with exact times, ports and flags', () => {
  assert.equal(flows.length, text.trim().split('\n').length);
  const http = flows[0];
  assert.equal(http.start, Date.UTC(2026, 10, 25, 13, 6, 16, 382));
  assert.equal(http.duration, 0.101);
  assert.equal(http.proto, 'TCP');
  assert.equal(http.srcAddr, '198.18.210.21');
  assert.equal(http.dstPort, 8080);
  assert.equal(http.packets, 1248);
  assert.equal(http.bytes, 65406);
  assert.equal(http.flags, TCP_FLAG_BIT.A | TCP_FLAG_BIT.P | TCP_FLAG_BIT.S | TCP_FLAG_BIT.F);
  const echo = flows.find((f) => f.proto === 'ICMP' && f.srcAddr === ATTACKER)!;
  assert.equal(echo.dstPort, 8 * 256, 'ICMP echo request 8.0 is type 8, code 0');
  const unreachable = flows.find((f) => f.proto === 'ICMP' && f.dstAddr === ATTACKER && f.dstPort !== 0);
  assert.equal(unreachable?.dstPort, 3 * 256 + 3, 'port unreachable 3.3 from the UDP scan');
});

test('a malformed nfdump line is an input error naming file, line and field', () => {
  const bad = `${text.split('\n')[0]}\n2026-11-25 13:06:16.742|0.002|6|198.18.210.22|43212|198.18.100.10|80|seven|458|...AP.SF|0\n`;
  assert.throws(() => parseNfdumpText(bad, 'x.txt'), (e: unknown) => e instanceof InputError && /x\.txt:2: field pkt: not a number/.test(e.message));
  assert.throws(() => parseNfdumpText('2026-11-25 13:06:16|0.1|6|a|1|b|2|3|4|...AP.SF|0', 'y.txt'), /y\.txt:1: field ts/);
  assert.throws(() => parseNfdumpText('2026-11-25 13:06:16.742|0.002|6|198.18.210.22|1|198.18.100.10|80|1|2|..X.....|0', 'z.txt'), /field flg/);
});

const labelled = labelFlows(flows, schedule.attacks);
const byId = (id: string) => schedule.attacks.find((a) => a.id === id)!;

test('scan probes are attacker flows and the targets answers are victim flows, with the attack named', () => {
  const syn = byId('2');
  const probes = labelled.filter((f) => f.srcAddr === ATTACKER && f.proto === 'TCP' && f.flags === TCP_FLAG_BIT.S && f.start >= syn.startMs);
  assert.ok(probes.length >= 20);
  for (const f of probes) {
    assert.equal(f.label, 'attacker');
    assert.equal(f.attackType, 'portScan');
    assert.equal(f.attackId, '2');
    assert.equal(f.attackDescription, 'nmap args: -n -sS -T4 -p 96-295');
  }
  const answers = labelled.filter((f) => f.dstAddr === ATTACKER && f.proto === 'TCP' && f.flags & TCP_FLAG_BIT.R && f.start >= syn.startMs && f.start <= syn.endMs);
  assert.ok(answers.length > 0);
  for (const f of answers) assert.deepEqual([f.label, f.attackId], ['victim', '2']);
});

test('the ping sweep and the UDP scan are labelled with their own attack types', () => {
  const ping = labelled.filter((f) => f.attackId === '1');
  assert.deepEqual([...new Set(ping.map((f) => `${f.label} ${f.proto} ${f.attackType}`))].sort(), ['attacker ICMP pingScan', 'victim ICMP pingScan']);
  const udp = labelled.filter((f) => f.attackId === '3');
  assert.ok(udp.some((f) => f.label === 'attacker' && f.proto === 'UDP'));
  assert.ok(udp.some((f) => f.label === 'victim' && f.proto === 'ICMP' && f.dstPort === 3 * 256 + 3));
});

test("the attacker's ordinary traffic between scans and all traffic among other hosts is normal", () => {
  const dnsOfAttacker = labelled.filter((f) => f.proto === 'UDP' && (f.dstPort === 53 || f.srcPort === 53) && (f.srcAddr === ATTACKER || f.dstAddr === ATTACKER));
  assert.ok(dnsOfAttacker.length >= 4);
  for (const f of dnsOfAttacker) assert.deepEqual([f.label, f.attackType, f.attackId, f.attackDescription], ['normal', '---', '---', '---']);
  for (const f of labelled.filter((x) => x.srcAddr !== ATTACKER && x.dstAddr !== ATTACKER)) assert.equal(f.label, 'normal');
  const counts = { normal: 0, attacker: 0, victim: 0 } as Record<string, number>;
  for (const f of labelled) counts[f.label]++;
  assert.ok(counts.normal > 50 && counts.attacker > 60 && counts.victim > 3, JSON.stringify(counts));
});

test('an attack window runs from the scan start to its end plus the grace period, inclusive', () => {
  const a: AttackWindow = { id: '9', attackType: 'portScan', description: 'nmap args: -sS', attacker: ATTACKER, targets: ['198.18.100.10'], startMs: 10_000, endMs: 20_000 };
  const flow = (start: number, src = ATTACKER, dst = '198.18.100.10'): LabFlow => ({ start, duration: 0, proto: 'TCP', srcAddr: src, srcPort: 40000, dstAddr: dst, dstPort: 80, packets: 1, bytes: 44, flags: 2, tos: 0 });
  const out = labelFlows([flow(9_999), flow(10_000), flow(20_000 + LABEL_GRACE_MS), flow(20_001 + LABEL_GRACE_MS), flow(15_000, ATTACKER, '198.18.100.11'), flow(15_000, '198.18.100.10', ATTACKER)], [a]);
  assert.deepEqual(out.map((f) => f.label), ['normal', 'attacker', 'attacker', 'normal', 'normal', 'victim']);
});

test('flows sort by start time, as nfdump -O tstart would print them', () => {
  const sorted = sortByStart([...flows]);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1].start <= sorted[i].start);
  assert.equal(sorted.length, flows.length);
});
