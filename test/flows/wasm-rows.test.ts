import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { CIDDS_HEADER, formatCiddsRow } from '../../src/flows/cidds-format.js';
import { readFlows } from '../../src/flows/read.js';
import type { FlowDataset } from '../../src/flows/schema.js';
import { rowsScanned, setRowScanner } from '../../src/flows/wasm-rows.js';
import { tempDir } from '../helpers.js';
import { makeFlows } from '../serve/fixtures.js';
import { apply, mutation } from '../serve/mutations.js';
import { rowsOf } from './flow-files.js';

/** Everything a read gives, texts decoded: what must not depend on how the rows were scanned. */
function everything(ds: FlowDataset): unknown {
  return { rows: rowsOf(ds), badRowCount: ds.badRowCount, badRows: ds.badRows, sources: ds.sources };
}

async function bothWays(path: string): Promise<{ scanned: unknown; js: unknown; taken: number }> {
  const before = rowsScanned();
  const scanned = everything(await readFlows([path], { maxBadRows: 1e9 }));
  const taken = rowsScanned() - before;
  setRowScanner(false);
  try {
    return { scanned, js: everything(await readFlows([path], { maxBadRows: 1e9 })), taken };
  } finally {
    setRowScanner(true);
  }
}

const PLAIN = '2017-08-02 00:00:05.900,0.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,12,1,......,0,normal,---,---,---';
const BASE = makeFlows({ rows: 60, seed: 91 }).map(formatCiddsRow);
// Rows the JS path reads and the scanner hands to it: scaled and padded counts, ICMP type.code,
// nfdump and hex flags, a quoted field with a comma, an empty attack id, a new protocol.
const ODD = [
  '2017-08-02 00:00:01.000,1.500,ICMP ,DNS,0,10000_34,3.3,3,2.1 M,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:02.250,12.000,TCP  ,ATTACKER1,51234,EXT_SERVER,80.0,40, 33.0 M ,1,0x12,32,attacker,portScan,7,"nmap args: -sS, -T 2"',
  '2017-08-02 00:00:03.999,0.000,UDP  ,OPENSTACK_NET,53,192.168.100.5,53.0,1,1.5 K,1,...AP.SF,192,victim,dos,,---',
  '2017-08-02 00:00:04.000,0.010,GRE  ,192.168.1.1,0,192.168.1.2,0.0,9,1.2 G,1,CE....S.,0,normal,---,---,---',
  '2017-08-02 00:00:05.000,0.010,ICMP ,192.168.1.1,0,192.168.1.2,11.0,9,12,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:05.500,-0.0,TCP  ,192.168.1.1,0,192.168.1.2,65535.000,9,12,1,......,255,normal,---,---,---',
  // Near misses, each bad or read otherwise by the JS path: a negative count, a fraction in a
  // non-ICMP port, a ToS over 255, 7-char flags, a 17th field, an empty label, an hour 24 (each
  // after a plain row of known values, so that nothing else sends it to the JS path).
  '2017-08-02 00:00:06.000,-1.500,TCP  ,192.168.1.1,0,192.168.1.2,80,9,12,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:06.100,1.5,TCP  ,192.168.1.1,445.5,192.168.1.2,80,9,12,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:06.200,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80.5,9,12,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:06.300,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,12,1,......,256,normal,---,---,---',
  '2017-08-02 00:00:06.400,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,12,1,.......,0,normal,---,---,---',
  '2017-08-02 00:00:06.500,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,12,1,......,0,normal,---,---,---,extra',
  '2017-08-02 00:00:06.600,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,12,1,......,0,,---,---,---',
  '2017-08-02 24:00:06.700,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,12,1,......,0,normal,---,---,---',
  // Plain after all: `5.` and `.5` are numbers, ports up to 65535, the largest 15-digit count.
  '2017-08-02 00:00:06.800,.5,TCP  ,192.168.1.1,65535,192.168.1.2,0,5.,999999999999999,1,UAPRSF,7,normal,---,---,---',
  '2017-02-29 00:00:06.900,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,12,1,......,0,normal,---,---,---',
  // Scaled counts, which the scanner reads as parseScaledCount does, and near misses it leaves.
  '2017-08-02 00:00:07.000,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9, 2.1 M,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:07.100,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80, 1.5 K,2.1M,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:07.200,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,  .5 G  ,12.0 k,......,0,normal,---,---,---',
  '2017-08-02 00:00:07.300,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,\t3.25 T,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:07.400,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,999999999999999 M,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:07.500,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,1234567890123456 M,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:07.600,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,2.1 m,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:07.700,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,1.2.3 M,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:07.800,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,-2 M,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:07.900,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9, M,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:08.000,1.5,TCP  ,192.168.1.1,445,192.168.1.2,80,9,2 M M,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:08.100,2.1 M,TCP  ,192.168.1.1,445,192.168.1.2,80,9,12,1,......,0,normal,---,---,---',
  // New values in rows the scanner otherwise takes: added in field order, none from a row that is
  // given up (a blank required text, a fraction in a TCP port), the same value twice in one row.
  '2017-08-02 00:00:08.150,1.5,TCP  ,NEW_SRC_1,445,NEW_DST_1,80,9,12,1,......,0,victim,newType,,new description',
  '2017-08-02 00:00:08.160,1.5,TCP  ,NEW_SRC_2,445,   ,80,9,12,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:08.170,1.5,TCP  ,\t,445,NEW_DST_3,80,9,12,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:08.180,1.5,TCP  ,NEW_SRC_4,445,NEW_DST_4,80.5,9,12,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:08.190,1.5,TCP  ,SAME_NEW,445,SAME_NEW,80,9,12,1,......,0,normal,---,---,---',
  '2017-08-02 00:00:08.195,1.5,TCP  ,NEW_SRC_6,445,192.168.1.2,80,9,12,1,......,0,  ,---,---,---',
  // Texts longer than the scanner's caches keep in a slot.
  '2017-08-02 00:00:08.200,1.5,TCP  ,EXTERNAL_SERVER_WITH_A_LONG_NAME_1,445,192.168.1.2,80,9,12,1,......,0,attacker,bruteForce,42,a description of the attack longer than twenty bytes',
];

test('the WebAssembly scan reads plain and odd CIDDS rows exactly as the JavaScript parsers do', async () => {
  const dir = await tempDir('ntc-row-scan-');
  // The rows again later: by then their addresses are known and the scanner takes them whole.
  const odd = ODD.flatMap((row) => [PLAIN, row]);
  const lines = [...BASE.slice(0, 20), ...odd, ...BASE.slice(20), ...odd.slice(0, 4), ...BASE];
  for (const crlf of [false, true]) {
    const path = join(dir, `odd-${crlf}.csv`);
    const eol = crlf ? '\r\n' : '\n';
    await writeFile(path, [CIDDS_HEADER.join(','), ...lines].join(eol) + eol);
    const { scanned, js, taken } = await bothWays(path);
    assert.deepEqual(scanned, js);
    assert.ok(taken >= BASE.length, `the scanner must take the plain rows it knows (took ${taken})`);
  }
  await rm(dir, { recursive: true, force: true });
});

test('property: mutated CIDDS rows give the same flows, codes and bad-row reports with and without the WebAssembly scan', async () => {
  const dir = await tempDir('ntc-row-scan-fuzz-');
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat(BASE.length - 1), mutation), { minLength: 1, maxLength: 10 }), fc.boolean(), async (muts, crlf) => {
      const lines: Buffer[] = BASE.map((l) => Buffer.from(l));
      for (const [i, m] of muts) lines[i] = apply(lines[i].toString('latin1'), m);
      const eol = Buffer.from(crlf ? '\r\n' : '\n');
      const path = join(dir, `m${run++}.csv`);
      await writeFile(path, Buffer.concat([Buffer.from(CIDDS_HEADER.join(',')), eol, ...lines.flatMap((l) => [l, eol])]));
      const { scanned, js } = await bothWays(path);
      assert.deepEqual(scanned, js);
    }),
    { numRuns: 150, seed: 777 },
  );
  await rm(dir, { recursive: true, force: true });
});

test('the WebAssembly scan reads the same when its address cache is full', async () => {
  const dir = await tempDir('ntc-row-scan-full-');
  // More distinct addresses than the cache holds: the ones it cannot keep go to the dictionaries each time.
  const rows: string[] = [];
  for (let i = 0; i < 60000; i++) {
    const src = `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.1`;
    rows.push(`2017-08-02 00:00:${String(10 + (i % 50)).padStart(2, '0')}.000,0.5,TCP  ,${src},445,192.168.1.2,80,9,12,1,......,0,normal,---,---,---`);
  }
  // ... then all of them again, and again, now known to the dictionaries.
  const path = join(dir, 'many.csv');
  await writeFile(path, [CIDDS_HEADER.join(','), ...rows, ...rows, ...rows].join('\n') + '\n');
  const { scanned, js, taken } = await bothWays(path);
  assert.deepEqual(scanned, js);
  assert.ok(taken > rows.length, `the scanner must take rows whose addresses it keeps (took ${taken})`);
  await rm(dir, { recursive: true, force: true });
});
