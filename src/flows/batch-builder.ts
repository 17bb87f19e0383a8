/**
 * Fixed-capacity column buffers that a parser fills row by row and hands over as one FlowDataset
 * batch. Text columns are coded through dictionaries shared by every batch of a read, so batches
 * (and files) concatenate without remapping codes.
 */
import { ByteDictionary } from './byte-dictionary.js';
import { sharedLike, type NumericArray } from './shared-arrays.js';
import type { BadRow, FlowDataset, SourceFile } from './schema.js';

const PROTO_NAMES: Record<string, string> = { '1': 'ICMP', '2': 'IGMP', '6': 'TCP', '17': 'UDP', '47': 'GRE', '50': 'ESP', '58': 'ICMP6', '132': 'SCTP' };

/** `TCP  `, `tcp` and nfdump's numeric `6` all become `TCP`. */
export function normaliseProto(raw: string): string {
  const t = raw.trim().toUpperCase();
  return PROTO_NAMES[t] ?? t;
}

export function isIcmpName(proto: string): boolean {
  return proto === 'ICMP' || proto === 'ICMP6' || proto === 'IPV6-ICMP';
}

/** Whether each code of a protocol dictionary names ICMP (which reads `Dst Pt` as type.code), looked up once per code. */
export class IcmpCodes {
  private known = new Uint8Array(16);

  constructor(private readonly proto: ByteDictionary) {}

  has(code: number): boolean {
    if (code < 0) return false;
    if (code >= this.known.length) {
      const grown = new Uint8Array(Math.max(code + 1, this.known.length * 2));
      grown.set(this.known);
      this.known = grown;
    }
    let v = this.known[code];
    if (v === 0) {
      v = isIcmpName(this.proto.values[code]) ? 2 : 1;
      this.known[code] = v;
    }
    return v === 2;
  }
}

export class FlowDictionaries {
  readonly proto = new ByteDictionary(normaliseProto);
  /**
   * One table for both address columns: the same host has the same code as source or destination.
   * Replaced by restartAddresses(); the parsers look it up for every row and never keep it.
   */
  private addresses = new ByteDictionary();

  get addr(): ByteDictionary {
    return this.addresses;
  }

  /**
   * A fresh, empty address table, for an endless stream whose hosts keep changing. Only between
   * batches: rows already cut into a batch keep the codes and values of the table they were read
   * with; later rows get new codes from the new table.
   */
  restartAddresses(): void {
    this.addresses = new ByteDictionary();
  }
  readonly label = new ByteDictionary();
  readonly attackType = new ByteDictionary();
  readonly attackId = new ByteDictionary();
  readonly attackDescription = new ByteDictionary();
}

/** The sixteen column arrays a builder fills, by FlowColumns name (text columns as their codes). */
export interface ColumnArrays {
  start: Float64Array; duration: Float64Array; proto: Uint32Array; srcAddr: Uint32Array; dstAddr: Uint32Array;
  srcPort: Int32Array; dstPort: Int32Array; packets: Float64Array; bytes: Float64Array; flows: Float64Array;
  flags: Uint8Array; tos: Uint8Array; label: Uint32Array; attackType: Uint32Array; attackId: Uint32Array;
  attackDescription: Uint32Array;
}

/** Which dictionary (of FlowDictionaries, `addr` for both addresses) codes each text column. */
export const CODED: ReadonlyArray<[keyof ColumnArrays, 'proto' | 'addr' | 'label' | 'attackType' | 'attackId' | 'attackDescription']> = [
  ['proto', 'proto'], ['srcAddr', 'addr'], ['dstAddr', 'addr'], ['label', 'label'], ['attackType', 'attackType'],
  ['attackId', 'attackId'], ['attackDescription', 'attackDescription'],
];

/** Rows [offset, offset + capacity) of larger columns, for a builder to fill in place. */
export interface ColumnWindow {
  columns: ColumnArrays;
  offset: number;
  capacity: number;
}

export class BatchBuilder {
  length = 0;
  /** Whether the rows are still in the window the builder was given. */
  inWindow = false;
  start!: Float64Array;
  duration!: Float64Array;
  proto!: Uint32Array;
  srcAddr!: Uint32Array;
  dstAddr!: Uint32Array;
  srcPort!: Int32Array;
  dstPort!: Int32Array;
  packets!: Float64Array;
  bytes!: Float64Array;
  flows!: Float64Array;
  flags!: Uint8Array;
  tos!: Uint8Array;
  label!: Uint32Array;
  attackType!: Uint32Array;
  attackId!: Uint32Array;
  attackDescription!: Uint32Array;

  /**
   * `shared`: columns in shared memory, handed over as views however full (a parser worker whose
   * buffers become the file's columns; see read-parallel.ts).
   */
  /**
   * `window`: fill those rows of the given (shared) columns first, so that a parser worker's rows
   * land straight in the file's columns; a builder that outgrows it moves to columns of its own.
   */
  constructor(public capacity: number, readonly dicts: FlowDictionaries, private readonly shared = false, window?: ColumnWindow) {
    if (window) this.useWindow(window);
    else this.allocate();
  }

  private useWindow(w: ColumnWindow): void {
    const c = w.columns;
    const view = <T extends ColumnArrays[keyof ColumnArrays]>(a: T): T => a.subarray(w.offset, w.offset + w.capacity) as T;
    this.start = view(c.start);
    this.duration = view(c.duration);
    this.proto = view(c.proto);
    this.srcAddr = view(c.srcAddr);
    this.dstAddr = view(c.dstAddr);
    this.srcPort = view(c.srcPort);
    this.dstPort = view(c.dstPort);
    this.packets = view(c.packets);
    this.bytes = view(c.bytes);
    this.flows = view(c.flows);
    this.flags = view(c.flags);
    this.tos = view(c.tos);
    this.label = view(c.label);
    this.attackType = view(c.attackType);
    this.attackId = view(c.attackId);
    this.attackDescription = view(c.attackDescription);
    this.capacity = w.capacity;
    this.length = 0;
    this.inWindow = true;
  }

  private array<T extends NumericArray>(like: T, n: number): T {
    return this.shared ? sharedLike(like, n) : new (like.constructor as new (n: number) => T)(n);
  }

  /** Enlarges the buffers, keeping the rows filled so far (for reads into one data set). */
  grow(capacity: number): void {
    if (capacity <= this.capacity) return;
    const g = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(a: T): T => {
      const b = this.array(a, capacity);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.start = g(this.start);
    this.duration = g(this.duration);
    this.proto = g(this.proto);
    this.srcAddr = g(this.srcAddr);
    this.dstAddr = g(this.dstAddr);
    this.srcPort = g(this.srcPort);
    this.dstPort = g(this.dstPort);
    this.packets = g(this.packets);
    this.bytes = g(this.bytes);
    this.flows = g(this.flows);
    this.flags = g(this.flags);
    this.tos = g(this.tos);
    this.label = g(this.label);
    this.attackType = g(this.attackType);
    this.attackId = g(this.attackId);
    this.attackDescription = g(this.attackDescription);
    this.capacity = capacity;
    this.inWindow = false;
  }

  private allocate(): void {
    const n = this.capacity;
    const f64 = new Float64Array(0);
    const u32 = new Uint32Array(0);
    const i32 = new Int32Array(0);
    const u8 = new Uint8Array(0);
    this.start = this.array(f64, n);
    this.duration = this.array(f64, n);
    this.proto = this.array(u32, n);
    this.srcAddr = this.array(u32, n);
    this.dstAddr = this.array(u32, n);
    this.srcPort = this.array(i32, n);
    this.dstPort = this.array(i32, n);
    this.packets = this.array(f64, n);
    this.bytes = this.array(f64, n);
    this.flows = this.array(f64, n);
    this.flags = this.array(u8, n);
    this.tos = this.array(u8, n);
    this.label = this.array(u32, n);
    this.attackType = this.array(u32, n);
    this.attackId = this.array(u32, n);
    this.attackDescription = this.array(u32, n);
    this.length = 0;
    this.inWindow = false;
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  /**
   * Hands the filled rows over as a data set and starts fresh buffers. A full batch gives its
   * arrays away without copying; a partial one is trimmed to its length.
   */
  take(sources: SourceFile[], badRows: BadRow[], badRowCount: number, last = false): FlowDataset {
    const n = this.length;
    // Hand the arrays over when (nearly) full; otherwise copy the rows so the slack is not kept
    // alive, and keep the buffers for the next batch.
    const handOver = n >= this.capacity * 0.9 || this.shared;
    const cut = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(a: T): T =>
      n === this.capacity ? a : handOver ? (a.subarray(0, n) as T) : (a.slice(0, n) as T);
    const d = this.dicts;
    const ds: FlowDataset = {
      length: n,
      columns: {
        start: cut(this.start),
        duration: cut(this.duration),
        proto: { codes: cut(this.proto), values: d.proto.values },
        srcAddr: { codes: cut(this.srcAddr), values: d.addr.values },
        dstAddr: { codes: cut(this.dstAddr), values: d.addr.values },
        srcPort: cut(this.srcPort),
        dstPort: cut(this.dstPort),
        packets: cut(this.packets),
        bytes: cut(this.bytes),
        flows: cut(this.flows),
        flags: cut(this.flags),
        tos: cut(this.tos),
        label: { codes: cut(this.label), values: d.label.values },
        attackType: { codes: cut(this.attackType), values: d.attackType.values },
        attackId: { codes: cut(this.attackId), values: d.attackId.values },
        attackDescription: { codes: cut(this.attackDescription), values: d.attackDescription.values },
      },
      sources,
      badRowCount,
      badRows,
    };
    // The arrays now belong to the data set: later rows need new ones (none after the last batch).
    if (last) {
      this.capacity = 0;
      this.length = 0;
    } else if (handOver) this.allocate();
    else this.length = 0;
    return ds;
  }
}
