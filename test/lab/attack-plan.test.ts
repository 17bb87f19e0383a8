import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planAttacks, SCAN_KINDS } from '../../src/lab/attack-plan.js';
import { nmapCommand } from '../../src/lab/nmap-args.js';
import { expandLabTarget, isLabAddress, LAB_HOSTS } from '../../src/lab/addresses.js';
import { UserError } from '../../src/util/errors.js';

test('a long capture plans every scan kind at timings T1..T4, in order and inside the capture', () => {
  for (const [scenario, minutes] of [['default', 30], ['holdout', 18]] as const) {
    const plan = planAttacks(scenario, minutes, 1);
    assert.deepEqual([...new Set(plan.map((a) => a.scan))].sort(), [...SCAN_KINDS].sort(), scenario);
    for (let i = 0; i < plan.length; i++) {
      assert.ok([1, 2, 3, 4].includes(plan[i].timing));
      assert.ok(plan[i].atSec + plan[i].maxSec <= minutes * 60, `attack ${plan[i].id} ends inside the capture`);
      if (i > 0) assert.ok(plan[i].atSec >= plan[i - 1].atSec + plan[i - 1].maxSec, 'attacks never overlap');
    }
  }
});

test('the plan is a function of scenario, length and seed', () => {
  assert.deepEqual(planAttacks('default', 20, 5), planAttacks('default', 20, 5));
  assert.notDeepEqual(planAttacks('default', 20, 5), planAttacks('default', 20, 6));
  const trainIds = new Set(planAttacks('default', 30, 1).map((a) => a.id));
  assert.ok(planAttacks('holdout', 18, 2).every((a) => !trainIds.has(a.id)), 'test attacks have their own IDs');
});

test('a short capture plans a few fast scans', () => {
  const plan = planAttacks('default', 1.5, 7);
  assert.deepEqual(plan.map((a) => a.scan), ['ping', 'syn', 'udp']);
  assert.ok(plan.every((a) => a.timing === 4));
});

test('every planned nmap command targets lab addresses only', () => {
  for (const seed of [1, 2, 3]) {
    for (const a of [...planAttacks('default', 30, seed), ...planAttacks('holdout', 18, seed)]) {
      const cmd = nmapCommand(a);
      assert.ok(cmd.addresses.length > 0 && cmd.addresses.every(isLabAddress));
      assert.ok(cmd.options.includes('-n'), 'nmap never resolves names');
      assert.ok(cmd.options.includes(`-T${a.timing}`));
    }
  }
});

test('scan flags and pacing follow the scan kind and timing', () => {
  const base = { id: '1', targets: ['198.18.100.10'], atSec: 0, maxSec: 10 };
  assert.deepEqual(nmapCommand({ ...base, scan: 'ping', timing: 3 }).options, ['-n', '-sn', '-PE', '--disable-arp-ping', '-T3']);
  assert.deepEqual(nmapCommand({ ...base, scan: 'fin', timing: 1, ports: '1-20' }).options, ['-n', '-sF', '-T1', '--scan-delay', '1s', '-p', '1-20']);
  assert.deepEqual(nmapCommand({ ...base, scan: 'udp', timing: 4, ports: 'top:50' }).options, ['-n', '-sU', '-T4', '--top-ports', '50']);
});

test('targets outside the lab net are refused before any command exists', () => {
  for (const bad of ['8.8.8.8', '127.0.0.1', '192.168.1.0/24', '198.19.0.1', '198.18.0.0/8', '198.17.255.0-255', 'example.com', '198.18.1.1,8.8.8.8', '-iL /etc/hosts']) {
    assert.throws(() => expandLabTarget(bad), UserError, bad);
    assert.throws(() => nmapCommand({ id: '1', scan: 'syn', timing: 4, ports: '80', targets: ['198.18.100.10', bad], atSec: 0, maxSec: 5 }), UserError, bad);
  }
  assert.equal(expandLabTarget('198.18.210.0/24').length, 256);
  assert.deepEqual(expandLabTarget('198.18.100.10-11'), ['198.18.100.10', '198.18.100.11']);
  assert.ok(LAB_HOSTS.every((h) => isLabAddress(h.ip)));
  assert.ok(!isLabAddress('198.19.0.1') && !isLabAddress('10.0.0.1'));
});
