/**
 * CIDDS labels from the attack schedule, as CIDDS's authors made them: within an attack's time
 * window a flow from the attacker to one of its targets is `attacker`, a flow from a target back to
 * the attacker is `victim`, and every other flow is `normal`. Pure.
 */
import type { CiddsRow } from '../flows/cidds-format.js';
import { NONE } from '../flows/schema.js';
import type { LabFlow } from './parse-nfdump.js';

export interface AttackWindow {
  id: string;
  attackType: string;
  /** `nmap args: ...` */
  description: string;
  attacker: string;
  /** Every address the scan covered. */
  targets: string[];
  startMs: number;
  endMs: number;
}

/** Late answers (retransmitted probes, the flow cache) still belong to the scan for this long. */
export const LABEL_GRACE_MS = 3000;

export type LabelledFlow = LabFlow & Pick<CiddsRow, 'label' | 'attackType' | 'attackId' | 'attackDescription'>;

export function labelFlows(flows: readonly LabFlow[], attacks: readonly AttackWindow[], graceMs = LABEL_GRACE_MS): LabelledFlow[] {
  const windows = attacks.map((a) => ({ a, targets: new Set(a.targets), from: a.startMs, to: a.endMs + graceMs }));
  return flows.map((f) => {
    for (const w of windows) {
      if (f.start < w.from || f.start > w.to) continue;
      const role = f.srcAddr === w.a.attacker && w.targets.has(f.dstAddr) ? 'attacker' : f.dstAddr === w.a.attacker && w.targets.has(f.srcAddr) ? 'victim' : null;
      if (role) return { ...f, label: role, attackType: w.a.attackType, attackId: w.a.id, attackDescription: w.a.description };
    }
    return { ...f, label: 'normal', attackType: NONE, attackId: NONE, attackDescription: NONE };
  });
}

/** Orders flows as nfdump -O tstart would (nfcapd files are in export order, not start order). */
export function sortByStart<T extends { start: number }>(flows: T[]): T[] {
  return flows.sort((a, b) => a.start - b.start);
}
