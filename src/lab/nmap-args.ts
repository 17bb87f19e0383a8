/**
 * The nmap command line for a planned scan. Targets are checked against the lab net here, right
 * before a command exists, so no code path can hand nmap an outside address.
 */
import type { AttackSpec, ScanKind, Timing } from './attack-plan.js';
import { expandLabTarget } from './addresses.js';

const SCAN_FLAG: Record<Exclude<ScanKind, 'ping'>, string> = {
  syn: '-sS', ack: '-sA', udp: '-sU', fin: '-sF', connect: '-sT', xmas: '-sX', null: '-sN',
};

/**
 * -T1 waits 15 s between probes; the lab keeps the -T1 template but compresses that wait to 1 s
 * (recorded in the arguments, so the description says what really ran). -T2..-T4 run unchanged.
 */
const PACE: Record<Timing, string[]> = { 1: ['--scan-delay', '1s'], 2: [], 3: [], 4: [] };

export interface NmapCommand {
  /** Arguments without targets: what CIDDS's attackDescription records (`nmap args: ...`). */
  options: string[];
  targets: string[];
  /** Every address the targets cover (checked to be lab addresses). */
  addresses: string[];
}

export function nmapCommand(a: AttackSpec): NmapCommand {
  const addresses = [...new Set(a.targets.flatMap(expandLabTarget))];
  // -n: never resolve names (no DNS query may leave the lab). On one Ethernet segment nmap would
  // discover hosts by ARP alone; --disable-arp-ping makes a ping scan send its ICMP echoes.
  const options =
    a.scan === 'ping'
      ? ['-n', '-sn', '-PE', '--disable-arp-ping', `-T${a.timing}`, ...PACE[a.timing]]
      : ['-n', SCAN_FLAG[a.scan], `-T${a.timing}`, ...PACE[a.timing], ...portArgs(a.ports ?? '1-1024')];
  return { options, targets: [...a.targets], addresses };
}

function portArgs(ports: string): string[] {
  const top = /^top:(\d+)$/.exec(ports);
  return top ? ['--top-ports', top[1]] : ['-p', ports];
}

export function attackType(scan: ScanKind): 'pingScan' | 'portScan' {
  return scan === 'ping' ? 'pingScan' : 'portScan';
}

export function describeNmap(cmd: NmapCommand): string {
  return `nmap args: ${cmd.options.join(' ')}`;
}
