/**
 * The lab's address plan and the safety rule every packet the lab sends obeys: addresses come from
 * 198.18.0.0/15 (RFC 2544 benchmarking space) and every scan target is a lab address.
 */
import { UserError } from '../util/errors.js';

/** The benchmarking block; nothing outside it is ever configured or targeted. */
export const BENCHMARK_NET = { base: ipToInt('198.18.0.0'), bits: 15 } as const;
/** The one on-link subnet all lab hosts share (inside BENCHMARK_NET), so no routes are needed. */
export const LAB_NET = { base: ipToInt('198.18.0.0'), bits: 16 } as const;

export type Role = 'server' | 'client' | 'attacker';

export interface LabHost {
  /** Short name, unique in a run (`srv1`, `c3`, `att`). */
  name: string;
  role: Role;
  ip: string;
}

/** Subnets mirror CIDDS's layout (servers .100, office clients .210, attacker .220). */
export const LAB_HOSTS: readonly LabHost[] = [
  { name: 'srv1', role: 'server', ip: '198.18.100.10' },
  { name: 'srv2', role: 'server', ip: '198.18.100.11' },
  { name: 'c1', role: 'client', ip: '198.18.210.21' },
  { name: 'c2', role: 'client', ip: '198.18.210.22' },
  { name: 'c3', role: 'client', ip: '198.18.210.23' },
  { name: 'c4', role: 'client', ip: '198.18.210.24' },
  { name: 'c5', role: 'client', ip: '198.18.210.25' },
  { name: 'att', role: 'attacker', ip: '198.18.220.66' },
];

export function hostsOf(role: Role): LabHost[] {
  return LAB_HOSTS.filter((h) => h.role === role);
}

export function hostByName(name: string): LabHost {
  const h = LAB_HOSTS.find((x) => x.name === name);
  if (!h) throw new Error(`no lab host named ${name}`);
  return h;
}

export function ipToInt(ip: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) throw new UserError(`not an IPv4 address: ${ip}`);
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) throw new UserError(`not an IPv4 address: ${ip}`);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function inNet(n: number, net: { base: number; bits: number }): boolean {
  const mask = net.bits === 0 ? 0 : (~0 << (32 - net.bits)) >>> 0;
  return ((n & mask) >>> 0) === ((net.base & mask) >>> 0);
}

export function isLabAddress(ip: string): boolean {
  let n: number;
  try {
    n = ipToInt(ip);
  } catch {
    return false;
  }
  return inNet(n, LAB_NET) && inNet(n, BENCHMARK_NET);
}

/**
 * Expands an nmap target spec the lab uses (`a.b.c.d`, `a.b.c.d/NN`, `a.b.c.d-e`) into addresses,
 * refusing anything that is not wholly inside the lab subnet. Hostnames and other nmap syntax are
 * refused too: the lab never lets nmap resolve or choose a target by itself.
 */
export function expandLabTarget(spec: string): string[] {
  let m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(spec);
  if (m) {
    const bits = Number(m[2]);
    if (bits < LAB_NET.bits || bits > 32) throw new UserError(`refusing scan target ${spec}: prefix must be /${LAB_NET.bits}../32 inside the lab net`);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    const base = (ipToInt(m[1]) & mask) >>> 0;
    const size = 2 ** (32 - bits);
    if (size > 4096) throw new UserError(`refusing scan target ${spec}: more than 4096 addresses`);
    const out: string[] = [];
    for (let i = 0; i < size; i++) out.push(intToIp(base + i));
    return assertLab(spec, out);
  }
  m = /^(\d+\.\d+\.\d+)\.(\d+)-(\d+)$/.exec(spec);
  if (m) {
    const lo = Number(m[2]);
    const hi = Number(m[3]);
    if (lo > hi || hi > 255) throw new UserError(`refusing scan target ${spec}: bad range`);
    const out: string[] = [];
    for (let i = lo; i <= hi; i++) out.push(`${m[1]}.${i}`);
    return assertLab(spec, out);
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(spec)) return assertLab(spec, [spec]);
  throw new UserError(`refusing scan target ${JSON.stringify(spec)}: only lab IPv4 addresses, ranges and prefixes are allowed`);
}

function assertLab(spec: string, ips: string[]): string[] {
  for (const ip of ips) {
    if (!isLabAddress(ip)) throw new UserError(`refusing scan target ${spec}: ${ip} is outside the lab net 198.18.0.0/16`);
  }
  return ips;
}
