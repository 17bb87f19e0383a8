import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFlows } from '../../src/flows/read.js';
import { tempDir } from '../helpers.js';
import { CIDDS_001_HEAD, CIDDS_002_HEAD, rowOf, rowsOf, writeLines } from './flow-files.js';

// Every odd value the CIDDS files hold, one per row.
const ODD_ROWS = [
  // padded proto, float port, plain bytes, 6-char flags, no attack
  '2017-08-02 00:00:00.419,0.003,TCP  ,192.168.210.55,44870,192.168.100.11,445.0,2,174,1,.AP...,0,normal,---,---,---',
  // ICMP type.code in Dst Pt, scaled bytes with a unit
  '2017-08-02 00:00:01.000,1.500,ICMP ,DNS,0,10000_34,3.3,3,2.1 M,1,......,0,normal,---,---,---',
  // scaled bytes padded with spaces, hex flags, anonymised/named hosts, attack with quoted comma
  '2017-08-02 00:00:02.250,12.000,TCP  ,ATTACKER1,51234,EXT_SERVER,80.0,40, 33.0 M ,1,0x12,32,attacker,portScan,7,"nmap args: -sS, -T 2"',
  // 8-char nfdump 1.7 flags, UDP, OPENSTACK_NET, K and G units
  '2017-08-02 00:00:03.999,0.000,UDP  ,OPENSTACK_NET,53,192.168.100.5,53.0,1,1.5 K,1,...AP.SF,192,victim,dos,8,---',
  '2017-08-02 23:59:59.001,0.010,GRE  ,192.168.1.1,0,192.168.1.2,0.0,9,1.2 G,1,CE....S.,0,normal,---,---,---',
];

test('CIDDS-001 rows with every odd value read to the right numbers and strings', async () => {
  const dir = await tempDir();
  const path = await writeLines(dir, 'week1.csv', [CIDDS_001_HEAD, ...ODD_ROWS]);
  const ds = await readFlows([path]);
  assert.equal(ds.length, 5);
  assert.equal(ds.badRowCount, 0);
  assert.deepEqual(ds.sources, [{ path, format: 'cidds', rows: 5, badRows: 0, labelled: true }]);
  assert.deepEqual(rowOf(ds, 0), {
    start: Date.UTC(2017, 7, 2, 0, 0, 0, 419), duration: 0.003, proto: 'TCP', srcAddr: '192.168.210.55', srcPort: 44870,
    dstAddr: '192.168.100.11', dstPort: 445, packets: 2, bytes: 174, flows: 1, flags: 0x10 | 0x08, tos: 0,
    label: 'normal', attackType: '---', attackId: '---', attackDescription: '---',
  });
  const icmp = rowOf(ds, 1);
  assert.equal(icmp.proto, 'ICMP');
  assert.equal(icmp.dstPort, 3 * 256 + 3);
  assert.equal(icmp.bytes, 2_100_000);
  assert.equal(icmp.srcAddr, 'DNS');
  assert.equal(icmp.dstAddr, '10000_34');
  const attack = rowOf(ds, 2);
  assert.equal(attack.bytes, 33_000_000);
  assert.equal(attack.flags, 0x12);
  assert.equal(attack.tos, 32);
  assert.equal(attack.srcAddr, 'ATTACKER1');
  assert.equal(attack.dstAddr, 'EXT_SERVER');
  assert.equal(attack.label, 'attacker');
  assert.equal(attack.attackType, 'portScan');
  assert.equal(attack.attackId, '7');
  assert.equal(attack.attackDescription, 'nmap args: -sS, -T 2');
  const udp = rowOf(ds, 3);
  assert.equal(udp.flags, 0x10 | 0x08 | 0x02 | 0x01);
  assert.equal(udp.bytes, 1500);
  assert.equal(udp.tos, 192);
  assert.equal(udp.srcAddr, 'OPENSTACK_NET');
  assert.equal(udp.start, Date.UTC(2017, 7, 2, 0, 0, 3, 999));
  const gre = rowOf(ds, 4);
  assert.equal(gre.bytes, 1.2e9);
  assert.equal(gre.flags, 0x80 | 0x40 | 0x02);
  assert.equal(gre.proto, 'GRE');
});

test('CIDDS-002 files (label column) are read as labelled CIDDS', async () => {
  const dir = await tempDir();
  const path = await writeLines(dir, 'CIDDS-002-week1.csv', [
    CIDDS_002_HEAD,
    '2017-08-02 00:00:00.419,0.003,TCP  ,192.168.210.55,44870,192.168.100.11,445.0,2,174,1,.AP...,0,normal,---,---,---',
    '2017-08-02 00:00:00.500,0.000,TCP  ,192.168.220.16,58844,192.168.100.3,22.0,1,60,1,....S.,0,attacker,portScan,3,nmap args: -sS -T 2',
  ]);
  const ds = await readFlows([path]);
  assert.deepEqual(rowsOf(ds).map((r) => [r.label, r.attackType, r.attackId, r.attackDescription]), [
    ['normal', '---', '---', '---'],
    ['attacker', 'portScan', '3', 'nmap args: -sS -T 2'],
  ]);
  assert.equal(ds.sources[0].labelled, true);
});

test('CRLF line endings and gzip (found by magic bytes, not by name) give the same rows', async () => {
  const dir = await tempDir();
  const plain = await readFlows([await writeLines(dir, 'plain.csv', [CIDDS_001_HEAD, ...ODD_ROWS])]);
  const crlf = await readFlows([await writeLines(dir, 'crlf.csv', [CIDDS_001_HEAD, ...ODD_ROWS], { crlf: true })]);
  const gz = await readFlows([await writeLines(dir, 'compressed.csv', [CIDDS_001_HEAD, ...ODD_ROWS], { gzip: true, crlf: true })]);
  assert.equal(crlf.badRowCount, 0);
  assert.equal(gz.badRowCount, 0);
  assert.deepEqual(rowsOf(crlf), rowsOf(plain));
  assert.deepEqual(rowsOf(gz), rowsOf(plain));
});

test('a file without a final newline still yields its last row', async () => {
  const dir = await tempDir();
  const path = `${dir}/nonl.csv`;
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, `${CIDDS_001_HEAD}\n${ODD_ROWS[0]}\n${ODD_ROWS[2]}`);
  const ds = await readFlows([path]);
  assert.equal(ds.length, 2);
  assert.equal(rowOf(ds, 1).attackDescription, 'nmap args: -sS, -T 2');
});

test('a quoted field with a doubled quote and a newline inside is read whole, and line numbers stay right', async () => {
  const dir = await tempDir();
  const path = await writeLines(dir, 'quotes.csv', [
    CIDDS_001_HEAD,
    '2017-08-02 00:00:00.419,0.003,TCP  ,a,1,b,2.0,1,1,1,......,0,attacker,dos,1,"say ""hi"",\nsecond line"',
    '2017-08-02 00:00:00.419,0.003,TCP  ,a,1,b,2.0,1,1,1,......,0,normal,---,---,---,extra',
  ]);
  const ds = await readFlows([path], { maxBadRows: 5 });
  assert.equal(ds.length, 1);
  assert.equal(rowOf(ds, 0).attackDescription, 'say "hi",\nsecond line');
  // The quoted row spans lines 2-3, so the bad row is on line 4.
  assert.deepEqual(ds.badRows.map((b) => [b.line, b.field]), [[4, '(row)']]);
});

test('the label dictionary of a labelled file holds exactly its classes', async () => {
  const dir = await tempDir();
  const ds = await readFlows([await writeLines(dir, 'classes.csv', [CIDDS_001_HEAD, ODD_ROWS[0], ODD_ROWS[2], ODD_ROWS[3]])]);
  assert.deepEqual([...ds.columns.label.values].sort(), ['attacker', 'normal', 'victim']);
});

test('dictionaries list values in first-seen order, field by field, and a value seen twice in a row once', async () => {
  const dir = await tempDir();
  const row = (src: string, dst: string, label: string, type: string) =>
    `2017-08-02 00:00:00.419,0.003,TCP  ,${src},44870,${dst},445.0,2,174,1,.AP...,0,${label},${type},---,---`;
  const path = await writeLines(dir, 'order.csv', [
    CIDDS_001_HEAD,
    row('10000_2', '10000_1', 'normal', '---'),
    row('B', 'B', 'attacker', 'dos'),
    row('10000_1', 'C', 'victim', 'portScan'),
    row('D', 'E', 'normal', '---').replace('.AP...', 'bogus!'),
    row('10000_2', 'F', 'normal', '---'),
  ]);
  const ds = await readFlows([path], { maxBadRows: 1 });
  assert.equal(ds.badRowCount, 1);
  assert.deepEqual(ds.columns.srcAddr.values, ['10000_2', '10000_1', 'B', 'C', 'F']);
  assert.deepEqual([0, 1, 2, 3].map((r) => [ds.columns.srcAddr.codes[r], ds.columns.dstAddr.codes[r]]), [[0, 1], [2, 2], [1, 3], [0, 4]]);
  assert.deepEqual(ds.columns.label.values, ['normal', 'attacker', 'victim']);
  assert.deepEqual(ds.columns.attackType.values, ['---', 'dos', 'portScan']);
});

test('label fields repeated from the row before, changed, or followed by an extra field, in LF and CRLF files', async () => {
  const dir = await tempDir();
  const head = '2017-08-02 00:00:00.419,0.003,TCP  ,192.168.210.55,44870,192.168.100.11,445.0,2,174,1,.AP...,0,';
  const tails = ['normal,---,---,---', 'normal,---,---,---', 'attacker,dos,5,SYN flood', 'attacker,dos,5,SYN flood', 'normal,---,---,---,extra', 'normal,---,---,---', 'normal,---,---,--', 'victim,dos,5,"SYN, flood"', 'normal,---,---,---'];
  for (const crlf of [false, true]) {
    const path = await writeLines(dir, `tails-${crlf}.csv`, [CIDDS_001_HEAD, ...tails.map((t) => head + t)], { crlf });
    const ds = await readFlows([path], { maxBadRows: 5 });
    assert.deepEqual(ds.badRows.map((b) => b.line), [6]);
    const got = rowsOf(ds).map((r) => [r.label, r.attackType, r.attackId, r.attackDescription].join('|'));
    assert.deepEqual(got, ['normal|---|---|---', 'normal|---|---|---', 'attacker|dos|5|SYN flood', 'attacker|dos|5|SYN flood', 'normal|---|---|---', 'normal|---|---|--', 'victim|dos|5|SYN, flood', 'normal|---|---|---']);
  }
});

test('timestamps across minute, hour and day boundaries, and a bad minute after a good row of the same hour', async () => {
  const dir = await tempDir();
  const at = (t: string) => `${t},0.003,TCP  ,192.168.210.55,44870,192.168.100.11,445.0,2,174,1,.AP...,0,normal,---,---,---`;
  const times = ['2017-08-02 22:59:59.999', '2017-08-02 23:00:00.000', '2017-08-02 23:07:30.250', '2017-08-02 23:7a:00.000', '2017-08-02 23:59:59.999', '2017-08-03 00:00:00.001', '2017-08-03 00:00:00.001'];
  const path = await writeLines(dir, 'times.csv', [CIDDS_001_HEAD, ...times.map(at)]);
  const ds = await readFlows([path], { maxBadRows: 1 });
  assert.deepEqual(ds.badRows.map((b) => [b.line, b.field]), [[5, 'Date first seen']]);
  assert.deepEqual(Array.from(ds.columns.start), times.filter((t) => !t.includes('7a')).map((t) => Date.parse(`${t.replace(' ', 'T')}Z`)));
});
