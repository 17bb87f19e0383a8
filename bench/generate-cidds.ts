/**
 * A deterministic CIDDS-format CSV for benchmarks: the value mix of the real files (padded protocol
 * names, float ports, ICMP type.code, `2.1 M` byte counts, hex-free UAPRSF flags, anonymised and
 * named hosts, ~10% attack flows) from a seeded generator, written through `formatCiddsRow` so the
 * file is exactly what ntc writes and reads.
 *
 * A marker file beside the CSV records seed, rows, generator version and size; a file whose marker
 * matches is reused instead of being written again.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CIDDS_HEADER, formatCiddsRow, type CiddsRow } from '../src/flows/cidds-format.js';
import { TCP_FLAG_BIT } from '../src/flows/schema.js';
// mulberry32: small, fast, and the same sequence on every machine.
import { seededUniform as rng } from '../src/util/rng.js';

const GENERATOR_VERSION = 1;

interface Marker {
  seed: number;
  rows: number;
  version: number;
  bytes: number;
}

const F = TCP_FLAG_BIT;
const TCP_FLAG_MIX = [F.A | F.P, F.S, F.A | F.R, F.A | F.P | F.S | F.F, F.A | F.P | F.R | F.S | F.F, F.A, F.A | F.S | F.F, F.R];
const WELL_KNOWN = [80, 443, 445, 53, 22, 25, 993, 8080, 3389, 139];
const ICMP_TYPES = [8 * 256, 0, 3 * 256 + 3, 3 * 256 + 1, 11 * 256];
const ATTACKS = [
  { type: 'portScan', desc: 'nmap args: -sS -T 2' },
  { type: 'pingScan', desc: 'nmap args: -n -sP -PE -T 1' },
  { type: 'bruteForce', desc: 'ssh brute force wordlist 1' },
  { type: 'dos', desc: 'SYN flood' },
];

export function makeRowGenerator(seed: number): () => CiddsRow {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const internal = (): string => `192.168.${pick([100, 200, 210, 220])}.${1 + Math.floor(r() * 254)}`;
  const external = (): string => {
    const u = r();
    if (u < 0.1) return 'DNS';
    if (u < 0.15) return 'EXT_SERVER';
    if (u < 0.17) return 'OPENSTACK_NET';
    // About 20k distinct anonymised hosts, a few of them far more often than the rest.
    const k = Math.floor(r() * r() * 20000);
    return `${10000 + (k % 80) * 97}_${1 + ((k * 7919) % 254)}`;
  };
  let t = Date.UTC(2017, 7, 2, 0, 0, 0, 419);
  let attackId = 0;
  return () => {
    t += Math.floor(r() * 300);
    const pu = r();
    const proto = pu < 0.86 ? 'TCP' : pu < 0.997 ? 'UDP' : pu < 0.99995 ? 'ICMP' : 'IGMP';
    const attackU = r();
    const attack = attackU < 0.1 ? pick(ATTACKS) : undefined;
    if (attack && r() < 0.001) attackId++;
    const label = attack ? (r() < 0.5 ? 'attacker' : 'victim') : 'normal';
    const src = attack && label === 'attacker' ? pick(['ATTACKER1', 'ATTACKER2', 'ATTACKER3', internal()]) : r() < 0.7 ? internal() : external();
    const dst = r() < 0.6 ? internal() : external();
    const packets = 1 + Math.floor(-Math.log(1 - r()) * 8);
    let bytes = packets * (40 + Math.floor(r() * 1400));
    if (r() < 0.01) bytes = Math.floor(1e6 + r() * 5e7); // printed as ` 2.1 M` ... ` 33.0 M`
    const dur = r() < 0.7 ? r() * 0.1 : r() * 300;
    return {
      start: t,
      duration: Math.round(dur * 1000) / 1000,
      proto,
      srcAddr: src,
      srcPort: proto === 'ICMP' || proto === 'IGMP' ? 0 : r() < 0.3 ? pick(WELL_KNOWN) : 32768 + Math.floor(r() * 28000),
      dstAddr: dst,
      dstPort: proto === 'ICMP' ? pick(ICMP_TYPES) : proto === 'IGMP' ? 0 : r() < 0.7 ? pick(WELL_KNOWN) : Math.floor(r() * 65536),
      packets,
      bytes,
      flags: proto === 'TCP' ? pick(TCP_FLAG_MIX) : 0,
      tos: r() < 0.95 ? 0 : pick([32, 192]),
      label,
      attackType: attack?.type,
      attackId: attack ? String(attackId) : undefined,
      attackDescription: attack ? (r() < 0.01 ? `${attack.desc}, repeated` : attack.desc) : undefined,
    };
  };
}

function readMarker(path: string): Marker | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

/** Writes (or reuses) `path` with `rows` rows from `seed`; returns its size in bytes. */
export async function ensureCiddsFile(path: string, rows: number, seed: number, log: (s: string) => void): Promise<number> {
  const markerPath = `${path}.meta.json`;
  const m = readMarker(markerPath);
  if (m && m.seed === seed && m.rows === rows && m.version === GENERATOR_VERSION && existsSync(path) && statSync(path).size === m.bytes) {
    log(`reusing ${path} (${rows.toLocaleString('en-US')} rows, seed ${seed})`);
    return m.bytes;
  }
  await mkdir(dirname(path), { recursive: true });
  log(`generating ${path}: ${rows.toLocaleString('en-US')} rows, seed ${seed} ...`);
  const next = makeRowGenerator(seed);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let bytes = 0;
  try {
    const write = (s: string): void => {
      const b = Buffer.from(s, 'utf8');
      writeSync(fd, b);
      bytes += b.length;
    };
    write(`${CIDDS_HEADER.join(',')}\n`);
    const lines: string[] = [];
    for (let i = 0; i < rows; i++) {
      lines.push(formatCiddsRow(next()));
      if (lines.length === 20000) {
        write(`${lines.join('\n')}\n`);
        lines.length = 0;
      }
    }
    if (lines.length > 0) write(`${lines.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const marker: Marker = { seed, rows, version: GENERATOR_VERSION, bytes };
  const mfd = openSync(markerPath, 'w');
  writeSync(mfd, JSON.stringify(marker));
  closeSync(mfd);
  return bytes;
}
