/**
 * Parses nfdump's text output in the lab's layout (flow-export.ts NFDUMP_FORMAT, printed with -N -q
 * and TZ=UTC): `ts|td|pr|sa|sp|da|dp|pkt|byt|flg|tos`, one flow a line. Pure.
 */
import { InputError } from '../util/errors.js';
import type { FlowRecord } from '../flows/flow-key.js';
import { TCP_FLAGS, TCP_FLAG_BIT } from '../flows/schema.js';

/** A flow the lab captured, start in epoch milliseconds (UTC). */
export type LabFlow = FlowRecord;

const PROTO_NAMES: Record<string, string> = { '1': 'ICMP', '2': 'IGMP', '6': 'TCP', '17': 'UDP', '47': 'GRE', '50': 'ESP', '58': 'ICMP6', '132': 'SCTP' };
const FIELDS = ['ts', 'td', 'pr', 'sa', 'sp', 'da', 'dp', 'pkt', 'byt', 'flg', 'tos'] as const;

export function parseNfdumpText(text: string, file: string): LabFlow[] {
  const flows: LabFlow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    flows.push(parseLine(line, file, i + 1));
  }
  return flows;
}

function parseLine(line: string, file: string, lineNo: number): LabFlow {
  const parts = line.split('|').map((p) => p.trim());
  const fail = (field: string, why: string): never => {
    throw new InputError(`${file}:${lineNo}: field ${field}: ${why} (line: ${line.slice(0, 160)})`);
  };
  if (parts.length !== FIELDS.length) fail('(row)', `expected ${FIELDS.length} fields separated by |, found ${parts.length}`);
  const [ts, td, pr, sa, sp, da, dp, pkt, byt, flg, tos] = parts;
  const tm = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})$/.exec(ts);
  if (!tm) fail('ts', `not a YYYY-MM-DD HH:MM:SS.mmm time: ${JSON.stringify(ts)}`);
  const [y, mo, d, h, mi, s, ms] = tm!.slice(1).map(Number);
  const start = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const proto = PROTO_NAMES[pr] ?? (/^[A-Za-z][A-Za-z0-9]*$/.test(pr) ? pr.toUpperCase() : /^\d+$/.test(pr) ? pr : fail('pr', `not a protocol: ${JSON.stringify(pr)}`));
  const num = (field: string, v: string): number => {
    if (!/^\d+(\.\d+)?$/.test(v)) fail(field, `not a number: ${JSON.stringify(v)}`);
    return Number(v);
  };
  let dstPort: number;
  if (proto === 'ICMP') {
    const m = /^(\d+)\.(\d+)$/.exec(dp);
    dstPort = m ? Number(m[1]) * 256 + Number(m[2]) : num('dp', dp);
  } else {
    dstPort = num('dp', dp);
  }
  return {
    start,
    duration: num('td', td),
    proto,
    srcAddr: addr('sa', sa, fail),
    srcPort: num('sp', sp),
    dstAddr: addr('da', da, fail),
    dstPort,
    packets: num('pkt', pkt),
    bytes: num('byt', byt),
    flags: parseFlags(flg, fail),
    tos: num('tos', tos),
  };
}

function addr(field: string, v: string, fail: (f: string, why: string) => never): string {
  if (!/^[0-9a-fA-F.:]+$/.test(v)) fail(field, `not an address: ${JSON.stringify(v)}`);
  return v;
}

/** nfdump prints flags as 8 chars `CEUAPRSF` with `.` for unset; older versions as hex `0x1b`. */
function parseFlags(v: string, fail: (f: string, why: string) => never): number {
  if (/^0x[0-9a-fA-F]{1,2}$/.test(v)) return parseInt(v, 16);
  if (v.length !== 8) return fail('flg', `expected 8 flag characters (CEUAPRSF): ${JSON.stringify(v)}`);
  let bits = 0;
  for (let i = 0; i < 8; i++) {
    const c = v[i];
    if (c === '.') continue;
    if (c !== TCP_FLAGS[i]) fail('flg', `unexpected ${JSON.stringify(c)} at position ${i + 1} of ${JSON.stringify(v)}`);
    bits |= TCP_FLAG_BIT[TCP_FLAGS[i]];
  }
  return bits;
}
