/**
 * Which file format a header line announces, and where each flow column sits in it.
 *
 * CIDDS files are recognised by their full header; nfdump CSV by column names. nfdump names its
 * columns after the format tokens (`ts`, `pr`, `ibyt` up to 1.7.4; `firstSeen`, `proto`, `bytes`
 * from 1.7.5, `csv-fast` and custom `csv:%ts,...` layouts), so one alias table covers them all.
 */
import { InputError } from '../util/errors.js';
import { CIDDS_HEADER } from './cidds-format.js';
import type { FlowFormat } from './schema.js';

/** Column index of each flow value in a row; -1 where the file does not have it. */
export interface ColumnIndex {
  start: number;
  end: number;
  duration: number;
  proto: number;
  srcAddr: number;
  dstAddr: number;
  srcPort: number;
  dstPort: number;
  packets: number;
  bytes: number;
  flows: number;
  flags: number;
  tos: number;
  label: number;
  attackType: number;
  attackId: number;
  attackDescription: number;
}

export interface Layout {
  format: FlowFormat;
  /** A short name for messages: `CIDDS-001`, `nfdump 1.7.4 csv`, ... */
  variant: string;
  labelled: boolean;
  /** Header names as written (trimmed), for error messages. */
  names: string[];
  index: ColumnIndex;
  /** nfdump up to 1.7.4 ends `-o csv` output with a `Summary` block that is not flow data. */
  stopAtSummary: boolean;
}

type Key = keyof ColumnIndex;

const NFDUMP_ALIASES: Record<string, Key> = {
  ts: 'start', firstSeen: 'start',
  te: 'end', lastSeen: 'end',
  td: 'duration', duration: 'duration',
  pr: 'proto', proto: 'proto',
  sa: 'srcAddr', srcAddr: 'srcAddr',
  da: 'dstAddr', dstAddr: 'dstAddr',
  sp: 'srcPort', srcPort: 'srcPort',
  dp: 'dstPort', dstPort: 'dstPort',
  ipkt: 'packets', packets: 'packets', inPackets: 'packets',
  ibyt: 'bytes', bytes: 'bytes', inBytes: 'bytes',
  fl: 'flows', flows: 'flows',
  flg: 'flags', flags: 'flags',
  stos: 'tos', tos: 'tos', srcTos: 'tos',
};

const NFDUMP_REQUIRED: Key[] = ['start', 'proto', 'srcAddr', 'srcPort', 'dstAddr', 'dstPort', 'packets', 'bytes'];

export const EXPECTED_HEADERS = [
  `CIDDS-001: ${CIDDS_HEADER.join(',')}`,
  `CIDDS-002: the same with 'label' as the 13th column`,
  'nfdump <= 1.7.4 -o csv: ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,... (48 columns)',
  'nfdump >= 1.7.5 -o csv: firstSeen,duration,proto,srcAddr,srcPort,dstAddr,dstPort,packets,bytes,flows',
  'nfdump -o csv-fast: cnt,af,firstSeen,lastSeen,proto,srcAddr,srcPort,dstAddr,dstPort,...,flags,srcTos,packets,bytes',
  'nfdump -o "csv:%ts,..." naming at least firstSeen, proto, srcAddr, srcPort, dstAddr, dstPort, packets, bytes',
];

function emptyIndex(): ColumnIndex {
  return {
    start: -1, end: -1, duration: -1, proto: -1, srcAddr: -1, dstAddr: -1, srcPort: -1, dstPort: -1, packets: -1,
    bytes: -1, flows: -1, flags: -1, tos: -1, label: -1, attackType: -1, attackId: -1, attackDescription: -1,
  };
}

function ciddsLayout(names: string[]): Layout | undefined {
  if (names.length !== CIDDS_HEADER.length) return undefined;
  let variant = 'CIDDS-001';
  for (let i = 0; i < names.length; i++) {
    const want = CIDDS_HEADER[i];
    if (names[i] === want) continue;
    if (i === 12 && names[i] === 'label') {
      variant = 'CIDDS-002';
      continue;
    }
    return undefined;
  }
  const index = emptyIndex();
  const order: Key[] = [
    'start', 'duration', 'proto', 'srcAddr', 'srcPort', 'dstAddr', 'dstPort', 'packets', 'bytes', 'flows', 'flags', 'tos',
    'label', 'attackType', 'attackId', 'attackDescription',
  ];
  order.forEach((k, i) => (index[k] = i));
  return { format: 'cidds', variant, labelled: true, names, index, stopAtSummary: false };
}

function nfdumpLayout(names: string[]): { layout?: Layout; missing: Key[]; matched: number } {
  const index = emptyIndex();
  let matched = 0;
  names.forEach((name, i) => {
    const key = NFDUMP_ALIASES[name];
    if (key !== undefined && index[key] === -1) {
      index[key] = i;
      matched++;
    }
  });
  const missing = NFDUMP_REQUIRED.filter((k) => index[k] === -1);
  if (missing.length > 0) return { missing, matched };
  let variant = 'nfdump csv';
  if (names[0] === 'ts' && names[1] === 'te') variant = 'nfdump <= 1.7.4 csv';
  else if (names[0] === 'cnt' && names[1] === 'af') variant = 'nfdump csv-fast';
  else if (names[0] === 'firstSeen' && names[1] === 'duration') variant = 'nfdump >= 1.7.5 csv';
  return {
    layout: { format: 'nfdump', variant, labelled: false, names, index, stopAtSummary: true },
    missing,
    matched,
  };
}

/** Chooses the layout for a header line, or explains which headers were expected. */
export function detectLayout(names: string[], file: string): Layout {
  const trimmed = names.map((n) => n.trim());
  const cidds = ciddsLayout(trimmed);
  if (cidds) return cidds;
  const nf = nfdumpLayout(trimmed);
  if (nf.layout) return nf.layout;
  const shown = trimmed.join(',');
  const head = shown.length > 200 ? `${shown.slice(0, 200)}...` : shown;
  let hint = '';
  if (nf.matched >= 3) {
    hint = `\nIt looks like nfdump CSV but lacks: ${nf.missing.join(', ')}.`;
  } else if (/^\d{4}-\d\d-\d\d/.test(trimmed[0] ?? '')) {
    hint = '\nThe first line holds data, not column names: was the file written with nfdump -q (no header)?';
  }
  throw new InputError(
    `${file}: line 1: unrecognised header "${head}".${hint}\nExpected one of:\n  ${EXPECTED_HEADERS.join('\n  ')}`,
  );
}
