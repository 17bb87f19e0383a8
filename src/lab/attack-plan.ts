/**
 * What the attacker will do and when: a seeded list of nmap scans spread over the capture, the mix
 * CIDDS-002 has (ping scans; SYN, ACK, UDP, FIN scans; plus connect, Xmas and NULL scans) at nmap
 * timings -T1..-T4. Pure: the same seed, scenario and length give the same plan.
 */
import { UserError } from '../util/errors.js';
import { Rng } from './rng.js';

export type ScanKind = 'ping' | 'syn' | 'ack' | 'udp' | 'fin' | 'connect' | 'xmas' | 'null';
export const SCAN_KINDS: readonly ScanKind[] = ['ping', 'syn', 'ack', 'udp', 'fin', 'connect', 'xmas', 'null'];
export type Timing = 1 | 2 | 3 | 4;

export interface AttackSpec {
  /** CIDDS attackID: a number, unique across the scenarios of the default data set. */
  id: string;
  scan: ScanKind;
  timing: Timing;
  /** nmap -p value, or `top:N` for nmap's --top-ports N; absent for ping scans. */
  ports?: string;
  /** nmap target specs (addresses, `a.b.c.d-e` ranges, prefixes), all inside the lab net. */
  targets: string[];
  /** Planned start, seconds after traffic starts. */
  atSec: number;
  /** The scan is stopped after this many seconds if nmap has not finished. */
  maxSec: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** First attack ID of the scenario (train and test scenarios use disjoint IDs). */
  idBase: number;
  timingWeights: readonly (readonly [Timing, number])[];
  portTargets: readonly string[][];
  sweepTargets: readonly string[];
  /** Port ranges to draw from, as [first, last] pairs; the scan takes a slice sized to its budget. */
  portRanges: readonly (readonly [number, number])[];
}

export const SCENARIOS: Record<string, Scenario> = {
  default: {
    name: 'default',
    description: 'scans of the servers and the client subnet, mostly low ports, timings T1..T4',
    idBase: 1,
    timingWeights: [[1, 0.2], [2, 0.3], [3, 0.3], [4, 0.2]],
    portTargets: [['198.18.100.10'], ['198.18.100.11'], ['198.18.100.10-11'], ['198.18.210.21-25']],
    sweepTargets: ['198.18.100.0/24', '198.18.210.0/24', '198.18.100.0/23'],
    portRanges: [[1, 1024], [1, 512], [20, 450]],
  },
  holdout: {
    name: 'holdout',
    description: 'other targets (clients, single servers), higher port ranges and another timing mix',
    idBase: 101,
    timingWeights: [[1, 0.15], [2, 0.25], [3, 0.25], [4, 0.35]],
    portTargets: [['198.18.100.11'], ['198.18.210.22'], ['198.18.210.21-24'], ['198.18.100.10', '198.18.210.25']],
    sweepTargets: ['198.18.210.0/24', '198.18.210.0/23', '198.18.100.0/24'],
    portRanges: [[1, 3000], [1000, 9000], [100, 1500]],
  },
};

/** Seconds one probe takes at each timing as the lab runs it (see nmapArgs: T1 is compressed). */
export const PROBE_SECONDS: Record<Timing, number> = { 1: 1.0, 2: 0.4, 3: 0.01, 4: 0.004 };

const PORT_CAP: Record<Timing, number> = { 1: 40, 2: 120, 3: 1024, 4: 2000 };
/** UDP scans are paced by the targets' ICMP rate limit (about one unreachable a second). */
const UDP_PORT_CAP = 40;

export function planAttacks(scenarioName: string, minutes: number, seed: number): AttackSpec[] {
  const sc = SCENARIOS[scenarioName];
  if (!sc) throw new UserError(`unknown scenario ${JSON.stringify(scenarioName)} (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const rng = new Rng(seed * 7919 + sc.idBase);
  const total = minutes * 60;
  // Short captures (tests, trials) get a few fast scans; longer ones every kind at least once.
  const kinds: ScanKind[] =
    minutes < 5 ? ['ping', 'syn', 'udp'].slice(0, Math.max(1, Math.min(3, Math.floor(minutes * 2)))) as ScanKind[] : kindsFor(rng, Math.max(SCAN_KINDS.length, Math.floor(minutes * 0.7)));
  const quick = minutes < 5;
  const lead = Math.min(20, total * 0.1);
  const tail = Math.min(20, total * 0.1);
  const slot = (total - lead - tail) / kinds.length;
  return kinds.map((scan, i) => {
    const timing: Timing = quick ? 4 : rng.weighted(sc.timingWeights);
    const budget = slot * 0.6;
    const atSec = Math.round(lead + i * slot + rng.next() * slot * 0.2);
    const spec: AttackSpec = { id: String(sc.idBase + i), scan, timing, targets: [], atSec, maxSec: Math.max(10, Math.round(slot * 0.75)) };
    if (scan === 'ping') {
      const sweep = rng.pick(sc.sweepTargets);
      const fits = Math.floor(budget / PROBE_SECONDS[timing]);
      // A slow sweep covers the start of the subnet (where the hosts are) instead of all of it.
      spec.targets = [targetSize(sweep) <= fits ? sweep : `${sweep.replace(/\.\d+\/\d+$/, '')}.1-${Math.max(30, Math.min(254, fits))}`];
      return spec;
    }
    const targets = rng.pick(sc.portTargets);
    spec.targets = [...targets];
    const hosts = targets.reduce((n, t) => n + targetSize(t), 0);
    let ports = Math.floor(budget / PROBE_SECONDS[timing] / hosts);
    ports = Math.min(ports, PORT_CAP[timing], scan === 'udp' ? UDP_PORT_CAP : Infinity);
    if (quick) ports = scan === 'udp' ? 12 : 200;
    ports = Math.max(ports, 5);
    // Some scans take nmap's most common ports (the services live there), most a plain range.
    if (rng.next() < 0.3) {
      spec.ports = `top:${ports}`;
      return spec;
    }
    const [lo, hi] = rng.pick(sc.portRanges);
    const span = hi - lo + 1;
    const first = ports >= span ? lo : lo + rng.int(0, span - ports);
    spec.ports = `${first}-${Math.min(hi, first + ports - 1)}`;
    return spec;
  });
}

/** Every kind once, then more drawn with CIDDS's emphasis on SYN and ping scans, shuffled. */
function kindsFor(rng: Rng, n: number): ScanKind[] {
  const out: ScanKind[] = [...SCAN_KINDS];
  const extra: (readonly [ScanKind, number])[] = [['ping', 4], ['syn', 3], ['ack', 2], ['udp', 1], ['fin', 2], ['connect', 1], ['xmas', 1], ['null', 1]];
  while (out.length < n) out.push(rng.weighted(extra));
  return rng.shuffle(out);
}

function targetSize(spec: string): number {
  const r = /-(\d+)$/.exec(spec);
  if (r) return Number(r[1]) - Number(/\.(\d+)-/.exec(spec)![1]) + 1;
  const p = /\/(\d+)$/.exec(spec);
  return p ? 2 ** (32 - Number(p[1])) : 1;
}
