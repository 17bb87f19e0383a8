/**
 * The columnar shape every reader produces and every later stage consumes.
 *
 * One typed array per numeric column and dictionary-coded strings for text columns, so a data set
 * of millions of flows costs a few dozen bytes per flow and never an object per row.
 */

/** Text column stored as codes into a table of distinct values (first-seen order). */
export interface DictColumn {
  codes: Uint32Array;
  values: string[];
}

/** TCP flag bits, in the order nfdump prints them (`CEUAPRSF`). */
export const TCP_FLAGS = ['C', 'E', 'U', 'A', 'P', 'R', 'S', 'F'] as const;
export type TcpFlag = (typeof TCP_FLAGS)[number];
/** Bit value of each flag in `FlowColumns.flags` (F = 1, S = 2, R = 4, ... as on the wire). */
export const TCP_FLAG_BIT: Record<TcpFlag, number> = { C: 0x80, E: 0x40, U: 0x20, A: 0x10, P: 0x08, R: 0x04, S: 0x02, F: 0x01 };

/** Value of the label text columns that means "not an attack" (CIDDS writes `---`). */
export const NONE = '---';

export interface FlowColumns {
  /** Flow start, epoch milliseconds (UTC; CIDDS timestamps carry no zone and are read as UTC). */
  start: Float64Array;
  /** Seconds. */
  duration: Float64Array;
  /** Protocol name, trimmed and upper-case: `TCP`, `UDP`, `ICMP`, `IGMP`, `GRE`, ... */
  proto: DictColumn;
  /** Addresses are strings (`192.168.1.2`, `DNS`, `10000_34`, `EXT_SERVER`), never parsed as IPs here. */
  srcAddr: DictColumn;
  dstAddr: DictColumn;
  srcPort: Int32Array;
  /** For ICMP: type * 256 + code (CIDDS writes `3.3`, nfdump `3.3` or `771`). */
  dstPort: Int32Array;
  packets: Float64Array;
  bytes: Float64Array;
  flows: Float64Array;
  /** TCP flags as a bit set, see TCP_FLAG_BIT. */
  flags: Uint8Array;
  tos: Uint8Array;
  /** CIDDS `class` (CIDDS-001) or `label` (CIDDS-002): normal/attacker/victim/...; `---` if unlabelled. */
  label: DictColumn;
  attackType: DictColumn;
  attackId: DictColumn;
  attackDescription: DictColumn;
}

export type ColumnName = keyof FlowColumns;
export const COLUMN_NAMES: readonly ColumnName[] = [
  'start', 'duration', 'proto', 'srcAddr', 'dstAddr', 'srcPort', 'dstPort', 'packets', 'bytes',
  'flows', 'flags', 'tos', 'label', 'attackType', 'attackId', 'attackDescription',
];

export type FlowFormat = 'cidds' | 'nfdump';

/** One malformed row, with enough to find it: the file, the 1-based line, the field and why. */
export interface BadRow {
  file: string;
  line: number;
  field: string;
  reason: string;
}

export interface SourceFile {
  path: string;
  format: FlowFormat;
  /** Rows read into the data set. */
  rows: number;
  /** Rows skipped as malformed. */
  badRows: number;
  /** Whether the file carried labels (CIDDS does, nfdump does not). */
  labelled: boolean;
}

export interface FlowDataset {
  length: number;
  columns: FlowColumns;
  /** Files in the order read; rows of file i follow those of file i-1. */
  sources: SourceFile[];
  /** Total malformed rows skipped across all files. */
  badRowCount: number;
  /** The first malformed rows, for messages (the count above is exact, this list is capped). */
  badRows: BadRow[];
}
