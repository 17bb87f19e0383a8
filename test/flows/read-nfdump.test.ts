import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFlows } from '../../src/flows/read.js';
import { ROOT, tempDir } from '../helpers.js';
import { rowOf, rowsOf, writeLines } from './flow-files.js';

const FIXTURES = join(ROOT, 'test', 'flows', 'fixtures');

test('real nfdump 1.7.1 -o csv output is read up to its Summary block, unlabelled', async () => {
  // Made with nfpcapd from a crafted pcap, then `nfdump -r FILE -o csv` (Debian 12's nfdump 1.7.1).
  const ds = await readFlows([join(FIXTURES, 'nfdump-1.7.1-real.csv')]);
  assert.equal(ds.length, 4);
  assert.equal(ds.badRowCount, 0, 'the summary lines are not bad rows');
  assert.equal(ds.sources[0].format, 'nfdump');
  assert.equal(ds.sources[0].labelled, false);
  const rows = rowsOf(ds);
  assert.deepEqual(rows.map((r) => [r.proto, r.dstPort]), [['UDP', 53], ['ICMP', 3 * 256 + 3], ['ICMP', 8 * 256], ['TCP', 445]]);
  const tcp = rows[3];
  assert.equal(tcp.start, Date.UTC(2023, 10, 14, 22, 13, 20));
  assert.equal(tcp.duration, 0.177);
  assert.equal(tcp.packets, 3);
  assert.equal(tcp.bytes, 220);
  assert.equal(tcp.flags, 0x10 | 0x08 | 0x02 | 0x01); // ...AP.SF
  assert.equal(tcp.srcPort, 40000);
  assert.deepEqual([tcp.label, tcp.attackType, tcp.attackId, tcp.attackDescription], ['---', '---', '---', '---']);
});

test('nfdump 1.7.5 csv (firstSeen,duration,... with numeric protocols) is read', async () => {
  const dir = await tempDir();
  const path = await writeLines(dir, 'nf175.csv', [
    'firstSeen,duration,proto,srcAddr,srcPort,dstAddr,dstPort,packets,bytes,flows',
    '2026-11-24 06:47:57.123,0.001,6,10.0.0.1,40000,10.0.0.2,443,5,420,1',
    '2026-11-24 06:47:58.000,0.000,1,10.0.0.1,0,10.0.0.2,3.3,1,84,1',
    '2026-11-24 06:47:59.500,2.250,17,10.0.0.1,5353,10.0.0.2,53,2,120,2',
  ]);
  const ds = await readFlows([path]);
  assert.equal(ds.badRowCount, 0);
  assert.deepEqual(rowsOf(ds).map((r) => [r.proto, r.dstPort, r.duration, r.flows]), [
    ['TCP', 443, 0.001, 1],
    ['ICMP', 771, 0, 1],
    ['UDP', 53, 2.25, 2],
  ]);
  assert.equal(rowOf(ds, 0).start, Date.UTC(2026, 10, 24, 6, 47, 57, 123));
});

test('nfdump csv-fast (epoch milliseconds, numeric protocol, 8-char flags) is read', async () => {
  const dir = await tempDir();
  const path = await writeLines(dir, 'fast.csv', [
    'cnt,af,firstSeen,lastSeen,proto,srcAddr,srcPort,dstAddr,dstPort,srcAS,dstAS,input,output,flags,srcTos,packets,bytes',
    '1,2,1763966877123,1763966877623,6,192.168.1.2,40000,192.168.1.3,445,0,0,0,0,...AP.SF,0,3,220',
    '2,2,1763966878000,1763966878000,1,192.168.1.2,0,10.0.0.9,771,0,0,0,0,........,0,1,28',
  ]);
  const ds = await readFlows([path]);
  assert.equal(ds.badRowCount, 0);
  const [tcp, icmp] = rowsOf(ds);
  assert.equal(tcp.start, 1763966877123);
  assert.equal(tcp.duration, 0.5, 'duration comes from lastSeen - firstSeen');
  assert.equal(tcp.flags, 27);
  assert.equal(tcp.proto, 'TCP');
  assert.equal(icmp.proto, 'ICMP');
  assert.equal(icmp.dstPort, 771);
});

test('a custom nfdump "csv:%ts,%te,%pr,..." layout is read by its column names', async () => {
  const dir = await tempDir();
  const path = await writeLines(dir, 'custom.csv', [
    'firstSeen,lastSeen,proto,srcAddr,srcPort,dstAddr,dstPort,inPackets,outPackets,inBytes,flags,srcTos',
    '2026-11-24 06:47:57.000,2026-11-24 06:47:59.500,6,10.0.0.1,40000,10.0.0.2,80,7,3,900,....S.,16',
  ]);
  const ds = await readFlows([path]);
  assert.deepEqual(rowOf(ds, 0), {
    start: Date.UTC(2026, 10, 24, 6, 47, 57), duration: 2.5, proto: 'TCP', srcAddr: '10.0.0.1', srcPort: 40000,
    dstAddr: '10.0.0.2', dstPort: 80, packets: 7, bytes: 900, flows: 1, flags: 0x02, tos: 16,
    label: '---', attackType: '---', attackId: '---', attackDescription: '---',
  });
});

test('the 48-column nfdump <= 1.7.4 header is accepted with a blank line before the Summary', async () => {
  const dir = await tempDir();
  const header = 'ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr';
  const row = '2026-11-24 06:47:57,2026-11-24 06:47:57,0.001,10.0.0.1,10.0.0.2,40000,22,TCP,...A....,0,0,1,52,0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000,0.0.0.0,0/0,0,2026-11-24 06:48:00.000';
  const path = await writeLines(dir, 'nf174.csv', [header, row, '', 'Summary', 'flows,bytes,packets,avg_bps,avg_pps,avg_bpp', '1,52,1,0,0,52']);
  const ds = await readFlows([path]);
  assert.equal(ds.length, 1);
  assert.equal(ds.badRowCount, 0);
  assert.equal(rowOf(ds, 0).flags, 0x10);
  assert.equal(rowOf(ds, 0).duration, 0.001);
});
