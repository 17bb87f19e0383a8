/**
 * The CIDDS CSV layout (as written by the data sets' authors with nfdump): column names and the
 * text form of each value. Readers and writers share these so a file ntc writes is one it reads.
 */
import type { FlowRecord } from './flow-key.js';
import { NONE, TCP_FLAGS, TCP_FLAG_BIT } from './schema.js';

/** CIDDS-001 header; CIDDS-002 names the 13th column `label` instead of `class`. */
export const CIDDS_HEADER = [
  'Date first seen', 'Duration', 'Proto', 'Src IP Addr', 'Src Pt', 'Dst IP Addr', 'Dst Pt', 'Packets',
  'Bytes', 'Flows', 'Flags', 'Tos', 'class', 'attackType', 'attackID', 'attackDescription',
] as const;

export const CIDDS_002_HEADER = CIDDS_HEADER.map((c) => (c === 'class' ? 'label' : c));

/** A flow as one CIDDS row needs it (`start` printed in UTC as `YYYY-MM-DD HH:MM:SS.mmm`, an ICMP `dstPort` as `type.code`). */
export interface CiddsRow extends FlowRecord {
  label: string;
  attackType?: string;
  attackId?: string;
  attackDescription?: string;
}

export function formatCiddsDate(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2017-08-02T00:00:00.419Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** Six-character `UAPRSF` form with `.` for unset flags, as in the CIDDS files. */
export function formatCiddsFlags(bits: number): string {
  let s = '';
  for (const f of TCP_FLAGS.slice(2)) s += bits & TCP_FLAG_BIT[f] ? f : '.';
  return s;
}

/** CIDDS scales large byte counts: `2.1 M` (10^6, one decimal), as nfdump prints them. */
export function formatCiddsBytes(bytes: number): string {
  if (bytes >= 1e9) return ` ${(bytes / 1e9).toFixed(1)} G`;
  if (bytes >= 1e6) return ` ${(bytes / 1e6).toFixed(1)} M`;
  return String(bytes);
}

function quote(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

export function formatCiddsRow(r: CiddsRow): string {
  const isIcmp = r.proto.trim().toUpperCase() === 'ICMP';
  const dst = isIcmp ? `${Math.floor(r.dstPort / 256)}.${r.dstPort % 256}` : `${r.dstPort}.0`;
  return [
    formatCiddsDate(r.start),
    r.duration.toFixed(3),
    r.proto.trim().toUpperCase().padEnd(5, ' '),
    r.srcAddr,
    String(r.srcPort),
    r.dstAddr,
    dst,
    String(r.packets),
    formatCiddsBytes(r.bytes),
    '1',
    formatCiddsFlags(r.flags),
    String(r.tos),
    r.label,
    r.attackType ?? NONE,
    r.attackId ?? NONE,
    quote(r.attackDescription ?? NONE),
  ].join(',');
}
