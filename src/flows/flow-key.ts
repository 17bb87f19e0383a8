/**
 * The fields that identify one flow, shared by every record shape ntc reads or writes (CIDDS rows,
 * lab flows, HTTP request bodies, classified flows). Only `start` changes form between them.
 */
import type { FlowDataset } from './schema.js';

export interface FlowKey<Start = number> {
  /** Epoch milliseconds, or its text form where the record is JSON. */
  start: Start;
  /** Seconds. */
  duration: number;
  /** `TCP`, `UDP`, `ICMP`, ... */
  proto: string;
  srcAddr: string;
  srcPort: number;
  dstAddr: string;
  /** For ICMP: type * 256 + code. */
  dstPort: number;
  packets: number;
  bytes: number;
}

/** A flow as capture tools give it: its key plus TCP flags (TCP_FLAG_BIT bits) and type of service. */
export interface FlowRecord extends FlowKey<number> {
  flags: number;
  tos: number;
}

/** Flow i's key fields, text columns decoded. */
export function flowKeyAt(ds: FlowDataset, i: number): FlowKey<number> {
  const c = ds.columns;
  return {
    start: c.start[i],
    duration: c.duration[i],
    proto: c.proto.values[c.proto.codes[i]],
    srcAddr: c.srcAddr.values[c.srcAddr.codes[i]],
    srcPort: c.srcPort[i],
    dstAddr: c.dstAddr.values[c.dstAddr.codes[i]],
    dstPort: c.dstPort[i],
    packets: c.packets[i],
    bytes: c.bytes[i],
  };
}
