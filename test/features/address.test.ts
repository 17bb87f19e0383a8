import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInternalAddress, portClass, PORT_CLASSES, protoKind } from '../../src/features/index.js';

test('internal addresses: RFC 1918, the lab range 198.18.0.0/15, loopback, link-local, OPENSTACK_NET', () => {
  for (const a of ['192.168.100.5', '10.0.0.1', '172.16.0.1', '172.31.255.255', '198.18.0.7', '198.19.255.1', '127.0.0.1', '169.254.1.1', 'OPENSTACK_NET', 'fd00::1', 'fe80::1', '::1']) {
    assert.equal(isInternalAddress(a), true, a);
  }
});

test('external addresses: public IPs, neighbours of private ranges, and CIDDS placeholder names', () => {
  for (const a of ['8.8.8.8', '172.15.0.1', '172.32.0.1', '198.17.0.1', '198.20.0.1', '192.169.0.1', 'DNS', 'EXT_SERVER', 'ATTACKER1', 'ATTACKER3', '10000_34', '2001:db8::1', '999.168.1.1', '']) {
    assert.equal(isInternalAddress(a), false, a);
  }
});

test('port classes split at 1024 and 49152; ICMP and portless protocols apart', () => {
  const cls = (proto: string, port: number) => PORT_CLASSES[portClass(protoKind(proto), port)];
  assert.equal(cls('TCP', 0), 'WellKnown');
  assert.equal(cls('TCP', 1023), 'WellKnown');
  assert.equal(cls('UDP', 1024), 'Registered');
  assert.equal(cls('TCP', 49151), 'Registered');
  assert.equal(cls('TCP', 49152), 'Ephemeral');
  assert.equal(cls('ICMP', 771), 'Icmp');
  assert.equal(cls('IGMP', 0), 'None');
  assert.equal(cls('GRE', 80), 'None');
});
