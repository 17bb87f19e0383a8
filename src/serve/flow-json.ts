/**
 * Flows as JSON for the HTTP API: the JSON schema a request body is validated against (field names
 * are the CIDDS columns in camelCase) and the conversion of validated objects into a FlowDataset.
 * The schema rejects what it can (types, ranges, unknown fields) with the field's path; the
 * conversion checks the rest (dates) and names the path the same way.
 */
import { normaliseProto } from '../flows/batch-builder.js';
import type { FlowKey } from '../flows/flow-key.js';
import { NONE, TCP_FLAG_BIT, type DictColumn, type FlowDataset, type TcpFlag } from '../flows/schema.js';

/** One flow in a request body. */
export interface FlowJson extends FlowKey<string | number> {
  flags?: string | number;
  tos?: number;
}

export const FLOW_JSON_SCHEMA = {
  $id: 'Flow',
  type: 'object',
  description: 'One unidirectional flow, as a CIDDS row with camelCase names.',
  required: ['start', 'duration', 'proto', 'srcAddr', 'srcPort', 'dstAddr', 'dstPort', 'packets', 'bytes'],
  additionalProperties: false,
  properties: {
    start: {
      type: ['string', 'number'],
      description: 'Flow start: ISO 8601 (`2017-08-02T00:00:00.419Z`; without a zone, UTC; `2017-08-02 00:00:00.419` as CIDDS writes it) or epoch milliseconds.',
      maxLength: 40,
      minimum: 0,
      maximum: 8.64e15,
    },
    duration: { type: 'number', minimum: 0, description: 'Seconds.' },
    proto: { type: 'string', minLength: 1, maxLength: 16, pattern: '^\\s*[A-Za-z0-9_-]+\\s*$', description: 'TCP, UDP, ICMP, IGMP, GRE, ...' },
    srcAddr: { type: 'string', minLength: 1, maxLength: 128, description: 'Source address; any string (CIDDS anonymises addresses).' },
    srcPort: { type: 'integer', minimum: 0, maximum: 65535 },
    dstAddr: { type: 'string', minLength: 1, maxLength: 128 },
    dstPort: { type: 'integer', minimum: 0, maximum: 65535, description: 'For ICMP: type * 256 + code.' },
    packets: { type: 'number', minimum: 0 },
    bytes: { type: 'number', minimum: 0 },
    flags: {
      type: ['string', 'integer'],
      pattern: '^([.CEUAPRSF]{6}|[.CEUAPRSF]{8}|0x[0-9a-fA-F]{1,2})$',
      minimum: 0,
      maximum: 255,
      description: 'TCP flags: `.AP.SF` (UAPRSF), `...AP.SF` (CEUAPRSF), hex `0x1b`, or the bit set as a number. Default 0.',
    },
    tos: { type: 'integer', minimum: 0, maximum: 255, description: 'Default 0.' },
  },
} as const;

export function flowArraySchema(maxFlows: number): object {
  return {
    type: 'array',
    description: `Flows to classify, at most ${maxFlows} per request.`,
    items: { $ref: 'Flow#' },
  };
}

/** A request value the schema let through but that is still unusable (an impossible date). */
export class FlowValueError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`${path} ${reason}`);
    this.name = 'FlowValueError';
  }
}

const ZONED = /(Z|[+-]\d\d:?\d\d)$/i;
const DATE_TIME = /^\d{4}-\d\d-\d\d([ T]\d\d:\d\d(:\d\d(\.\d+)?)?)?/;

export function parseStart(v: string | number, path: string): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new FlowValueError(path, 'must be a finite number of epoch milliseconds');
    return v;
  }
  const s = v.trim();
  if (!DATE_TIME.test(s)) throw new FlowValueError(path, `must be an ISO 8601 date-time or epoch milliseconds, got ${JSON.stringify(v)}`);
  // A date-time without a zone is UTC, as CIDDS timestamps are read (never the server's local time).
  const iso = s.replace(' ', 'T');
  const ms = Date.parse(ZONED.test(iso) || iso.length <= 10 ? iso : `${iso}Z`);
  if (!Number.isFinite(ms)) throw new FlowValueError(path, `is not a valid date-time: ${JSON.stringify(v)}`);
  return ms;
}

const FLAG_LETTERS = new Set<string>(['C', 'E', 'U', 'A', 'P', 'R', 'S', 'F']);

export function parseFlags(v: string | number | undefined, path: string): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (v.startsWith('0x')) return parseInt(v.slice(2), 16);
  let bits = 0;
  for (const ch of v) {
    if (ch === '.') continue;
    if (!FLAG_LETTERS.has(ch)) throw new FlowValueError(path, `has an unknown flag ${JSON.stringify(ch)}`);
    bits |= TCP_FLAG_BIT[ch as TcpFlag];
  }
  return bits;
}

class DictBuilder {
  private readonly index = new Map<string, number>();
  readonly values: string[] = [];
  readonly codes: Uint32Array;

  constructor(n: number) {
    this.codes = new Uint32Array(n);
  }

  set(i: number, v: string): void {
    let c = this.index.get(v);
    if (c === undefined) {
      c = this.values.length;
      this.index.set(v, c);
      this.values.push(v);
    }
    this.codes[i] = c;
  }

  column(): DictColumn {
    return { codes: this.codes, values: this.values };
  }
}

function constantDict(n: number, value: string): DictColumn {
  return { codes: new Uint32Array(n), values: [value] };
}

/** Validated flows (the schema has run) as a data set; `basePath` prefixes error paths (`body`). */
export function flowsToDataset(flows: FlowJson[], basePath = 'body'): FlowDataset {
  const n = flows.length;
  const proto = new DictBuilder(n);
  const srcAddr = new DictBuilder(n);
  const dstAddr = new DictBuilder(n);
  const c = {
    start: new Float64Array(n),
    duration: new Float64Array(n),
    srcPort: new Int32Array(n),
    dstPort: new Int32Array(n),
    packets: new Float64Array(n),
    bytes: new Float64Array(n),
    flows: new Float64Array(n).fill(1),
    flags: new Uint8Array(n),
    tos: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    const f = flows[i];
    c.start[i] = parseStart(f.start, `${basePath}/${i}/start`);
    c.duration[i] = f.duration;
    proto.set(i, normaliseProto(f.proto));
    srcAddr.set(i, f.srcAddr);
    dstAddr.set(i, f.dstAddr);
    c.srcPort[i] = f.srcPort;
    c.dstPort[i] = f.dstPort;
    c.packets[i] = f.packets;
    c.bytes[i] = f.bytes;
    c.flags[i] = parseFlags(f.flags, `${basePath}/${i}/flags`);
    c.tos[i] = f.tos ?? 0;
  }
  return {
    length: n,
    columns: {
      ...c,
      proto: proto.column(),
      srcAddr: srcAddr.column(),
      dstAddr: dstAddr.column(),
      label: constantDict(n, NONE),
      attackType: constantDict(n, NONE),
      attackId: constantDict(n, NONE),
      attackDescription: constantDict(n, NONE),
    },
    sources: [{ path: 'request', format: 'cidds', rows: n, badRows: 0, labelled: false }],
    badRowCount: 0,
    badRows: [],
  };
}
