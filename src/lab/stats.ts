/** Counts per class, attack type, scan kind and attack in a labelled flow data set (for data/README.md). */
import type { DictColumn, FlowDataset } from '../flows/schema.js';

export interface LabStats {
  flows: number;
  firstFlow: string | null;
  lastFlow: string | null;
  byLabel: Record<string, number>;
  byAttackType: Record<string, number>;
  /** Attack flows (attacker + victim) per scan kind read from the nmap arguments. */
  byScan: Record<string, number>;
  /** Attack flows per attack ID. */
  byAttack: Record<string, number>;
  byProto: Record<string, number>;
}

const SCAN_NAMES: [RegExp, string][] = [
  [/(^|\s)-sn(\s|$)|(^|\s)-sP(\s|$)/, 'ping'],
  [/-sS\b/, 'syn'],
  [/-sA\b/, 'ack'],
  [/-sU\b/, 'udp'],
  [/-sF\b/, 'fin'],
  [/-sT\b/, 'connect'],
  [/-sX\b/, 'xmas'],
  [/-sN\b/, 'null'],
];

export function scanKindOf(description: string): string {
  const args = description.replace(/^nmap args:\s*/, '');
  const t = /-T\s?(\d)/.exec(args)?.[1];
  const kind = SCAN_NAMES.find(([re]) => re.test(args))?.[1] ?? 'other';
  return t ? `${kind} -T${t}` : kind;
}

export function labStats(ds: FlowDataset): LabStats {
  const c = ds.columns;
  const at = (col: DictColumn, i: number): string => col.values[col.codes[i]];
  const s: LabStats = { flows: ds.length, firstFlow: null, lastFlow: null, byLabel: {}, byAttackType: {}, byScan: {}, byAttack: {}, byProto: {} };
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < ds.length; i++) {
    lo = Math.min(lo, c.start[i]);
    hi = Math.max(hi, c.start[i]);
    inc(s.byLabel, at(c.label, i));
    inc(s.byAttackType, at(c.attackType, i));
    inc(s.byProto, at(c.proto, i));
    if (at(c.label, i) !== 'normal') {
      inc(s.byScan, scanKindOf(at(c.attackDescription, i)));
      inc(s.byAttack, at(c.attackId, i));
    }
  }
  if (ds.length > 0) {
    s.firstFlow = new Date(lo).toISOString();
    s.lastFlow = new Date(hi).toISOString();
  }
  return s;
}

function inc(m: Record<string, number>, k: string): void {
  m[k] = (m[k] ?? 0) + 1;
}

export function formatStats(file: string, s: LabStats): string {
  const table = (title: string, m: Record<string, number>): string =>
    [`  ${title}:`, ...Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'en', { numeric: true })).map(([k, v]) => `    ${k.padEnd(14)} ${String(v).padStart(9)}`)].join('\n');
  return [
    `${file}: ${s.flows} flows, ${s.firstFlow} .. ${s.lastFlow}`,
    table('label', s.byLabel),
    table('attackType', s.byAttackType),
    table('scan (attack flows)', s.byScan),
    table('protocol', s.byProto),
    `  attacks with flows: ${Object.keys(s.byAttack).length}`,
    '',
  ].join('\n');
}
