/**
 * Turns the bytes of one flow file (after its header) into rows of a BatchBuilder.
 *
 * Records are split on commas and newlines in one pass over the bytes; fields are parsed in place
 * (see byte-parse.ts) and text goes through byte dictionaries. Quoted fields (RFC 4180, `""` for a
 * quote, newlines allowed inside) take a slower path. A malformed row is skipped and logged with
 * its file, 1-based line and column name.
 */
import { BadRowLog } from './bad-rows.js';
import type { BatchBuilder } from './batch-builder.js';
import { isIcmpName, normaliseProto } from './batch-builder.js';
import type { ByteDictionary } from './byte-dictionary.js';
import {
  latin1, parseDecimal, parseFlags, parsePort, parseScaledCount, parseTimestamp, parseUint, trimStart, utf8,
} from './byte-parse.js';
import { FastRowParser } from './fast-row.js';
import { WasmRowScanner } from './wasm-rows.js';
import type { Layout } from './layout.js';
import { NONE, type BadRow } from './schema.js';
import { COMMA, CR, LF, QUOTE } from '../util/ascii.js';


/** What a row's failing field was and why; `null` when the row is good. */
interface Failure {
  col: number;
  reason: string;
}

export class FlowRowParser {
  /** Line number of the next record (the header is line 1). */
  line = 2;
  /** Set when nfdump's trailing Summary block is reached: the rest is not flow data. */
  ended = false;
  /**
   * Set when a quoted field spans lines or never closes: a file split at newlines for parallel
   * reading may then have been cut inside a field, and must be read in one piece instead.
   */
  sawMultilineQuote = false;
  /** Rows of this file read into batches, and rows skipped. */
  rows = 0;
  badRows = 0;
  /** Bad rows found since the last batch was taken (capped like the global list). */
  batchBadRows: BadRow[] = [];
  batchBadCount = 0;

  private readonly nFields: number;
  private fs: Int32Array;
  private fe: Int32Array;
  private fq: Uint8Array; // 1 = quoted, 2 = quoted with "" escapes
  private failure: Failure | null = null;
  private readonly noneLabel: number;
  private readonly noneType: number;
  private readonly noneId: number;
  private readonly noneDesc: number;
  private readonly fast: FastRowParser | undefined;
  /** The fast path's plain CIDDS rows in WebAssembly (wasm-rows.ts), where it is built. */
  private readonly scanner: WasmRowScanner | undefined;
  private readonly jsRow: (pos: number) => number;

  constructor(
    readonly layout: Layout,
    readonly file: string,
    readonly out: BatchBuilder,
    private readonly log: BadRowLog,
    /** Rows read so far across the whole read (good + bad), for limit checks. */
    private readonly rowsReadBefore: () => number,
  ) {
    this.nFields = layout.names.length;
    this.fs = new Int32Array(this.nFields + 1);
    this.fe = new Int32Array(this.nFields + 1);
    this.fq = new Uint8Array(this.nFields + 1);
    // Only unlabelled files put `---` into the label dictionaries: a labelled file's classes are
    // exactly the values it holds.
    const d = out.dicts;
    const unlabelled = !layout.labelled;
    this.noneLabel = unlabelled ? d.label.codeOfString(NONE) : 0;
    this.noneType = unlabelled ? d.attackType.codeOfString(NONE) : 0;
    this.noneId = unlabelled ? d.attackId.codeOfString(NONE) : 0;
    this.noneDesc = unlabelled ? d.attackDescription.codeOfString(NONE) : 0;
    this.fast = FastRowParser.supports(layout)
      ? new FastRowParser(layout, out, { label: this.noneLabel, attackType: this.noneType, attackId: this.noneId, attackDescription: this.noneDesc })
      : undefined;
    this.scanner = this.fast && layout.format === 'cidds' && layout.labelled ? WasmRowScanner.create(out.dicts) : undefined;
    this.jsRow = (pos) => {
      // Line numbers in its messages must count the rows the scanner took before this one.
      this.countScanned();
      return this.oneRow(this.scanBuf!, pos, this.scanEnd, this.scanFinal);
    };
  }

  // The buffer rows() scans, for jsRow.
  private scanBuf: Uint8Array | null = null;
  private scanEnd = 0;
  private scanFinal = false;

  /**
   * Parses whole records from `buf[pos..end)` until the batch is full or the bytes run out.
   * Returns where it stopped: the start of an incomplete last record unless `final` is set.
   */
  parse(buf: Uint8Array, pos: number, end: number, final: boolean): number {
    const out = this.out;
    const fast = this.fast;
    // Rows that end before the last newline are complete: the fast path may run on them unchecked.
    const safeEnd = fast ? lastNewline(buf, pos, end) + 1 : 0;
    if (this.scanner && pos < safeEnd && !out.full) {
      this.scanBuf = buf;
      this.scanEnd = end;
      this.scanFinal = final;
      pos = this.scanner.rows(out, buf, pos, safeEnd, this.jsRow);
      this.countScanned();
      this.scanBuf = null;
    }
    while (pos < end && !out.full && !this.ended) {
      const next = this.oneRow(buf, pos, end, final, safeEnd);
      if (next < 0) return pos;
      pos = next;
    }
    return pos;
  }

  private countScanned(): void {
    const n = this.scanner!.takeCount();
    this.rows += n;
    this.line += n;
  }

  /** One record at `pos`: the fast path if it takes it, else the general path. Returns the position after it, or -1. */
  private oneRow(buf: Uint8Array, pos: number, end: number, final: boolean, safeEnd = end): number {
    if (pos < safeEnd) {
      const next = this.fast!.row(buf, pos);
      if (next > 0) {
        this.out.length++;
        this.rows++;
        this.line++;
        return next;
      }
    }
    return this.slowRecord(buf, pos, end, final);
  }

  /**
   * One record by the general path: quotes, blank lines, nfdump's summary, wrong field counts and
   * bad values with their reasons. Returns the position after it, or -1 if it is incomplete.
   */
  private slowRecord(buf: Uint8Array, pos: number, end: number, final: boolean): number {
    const out = this.out;
    const fs = this.fs;
    const fe = this.fe;
    const fq = this.fq;
    const maxStored = this.nFields + 1;
    let nf = 0;
    let fstart = pos;
    let i = pos;
    let extraLines = 0;
    let complete = false;
    let quoted = 0;
    let brokenQuote: string | null = null;
    while (i < end) {
      const c = buf[i];
      if (c === COMMA) {
        if (nf < maxStored) {
          fs[nf] = fstart;
          fe[nf] = i;
          fq[nf] = quoted;
        }
        nf++;
        quoted = 0;
        fstart = ++i;
      } else if (c === LF) {
        complete = true;
        break;
      } else if (c === QUOTE && i === fstart) {
        // Quoted field: find the closing quote, skipping "" escapes; newlines may occur inside.
        let j = i + 1;
        let escaped = false;
        let closed = -1;
        while (j < end) {
          const q = buf[j];
          if (q === QUOTE) {
            if (j + 1 < end && buf[j + 1] === QUOTE) {
              escaped = true;
              j += 2;
              continue;
            }
            if (j + 1 >= end && !final) break; // cannot tell an escape from a close yet
            closed = j;
            break;
          }
          if (q === LF) extraLines++;
          j++;
        }
        if (closed < 0) {
          if (!final) return -1;
          brokenQuote = 'unterminated quoted field';
          i = end;
          fstart = -1;
          break;
        }
        quoted = escaped ? 2 : 1;
        fstart = i + 1;
        if (nf < maxStored) fe[nf] = closed; // content ends before the closing quote
        i = closed + 1;
        if (i < end && buf[i] === CR && i + 1 < end && buf[i + 1] === LF) i++;
        if (i < end && buf[i] === COMMA) {
          if (nf < maxStored) {
            fs[nf] = fstart;
            fq[nf] = quoted;
          }
          nf++;
          quoted = 0;
          fstart = ++i;
        } else if (i >= end || buf[i] === LF) {
          if (i >= end && !final) return -1;
          if (nf < maxStored) {
            fs[nf] = fstart;
            fq[nf] = quoted;
          }
          nf++;
          fstart = -1; // this last field is stored already
          complete = i < end;
          break;
        } else {
          brokenQuote = 'text after a closing quote';
          const nl = indexOfByte(buf, LF, i, end);
          if (nl < 0 && !final) return -1;
          i = nl < 0 ? end : nl;
          complete = nl >= 0;
          fstart = -1;
          break;
        }
      } else {
        i++;
      }
    }
    if (!complete && !final) return -1;
    // Close the last field (unless a quoted field already did).
    if (fstart >= 0) {
      let lineEnd = i;
      if (lineEnd > fstart && buf[lineEnd - 1] === CR) lineEnd--;
      if (nf < maxStored) {
        fs[nf] = fstart;
        fe[nf] = lineEnd;
        fq[nf] = quoted;
      }
      nf++;
    }
    pos = complete ? i + 1 : end;
    if (extraLines > 0 || brokenQuote !== null) this.sawMultilineQuote = true;
    const line = this.line;
    this.line += 1 + extraLines;

    if (brokenQuote !== null) {
      this.bad(line, Math.min(nf, this.nFields - 1), brokenQuote);
      return pos;
    }
    if (nf === 1 && fq[0] === 0 && trimStart(buf, fs[0], fe[0]) === fe[0]) return pos; // blank line
    if (this.layout.stopAtSummary && startsWithSummary(buf, fs[0], fe[0])) {
      this.ended = true;
      return pos;
    }
    if (nf !== this.nFields) {
      if (nf < this.nFields) this.bad(line, nf, `missing: row has ${nf} fields, expected ${this.nFields}`);
      else this.bad(line, -1, `row has ${nf} fields, expected ${this.nFields}`);
      return pos;
    }
    if (this.parseRecord(buf)) {
      out.length++;
      this.rows++;
    } else {
      const f = this.failure!;
      this.bad(line, f.col, f.reason);
    }
    return pos;
  }

  private fail(col: number, buf: Uint8Array, what: string): false {
    const raw = utf8(buf, this.fs[col], this.fe[col]);
    const shown = raw.length > 40 ? `${raw.slice(0, 40)}...` : raw;
    this.failure = { col, reason: `${what}: "${shown}"` };
    return false;
  }

  /** Parses the stored fields into row `out.length`; false (with `failure` set) on a bad value. */
  private parseRecord(buf: Uint8Array): boolean {
    const ix = this.layout.index;
    const out = this.out;
    const fs = this.fs;
    const fe = this.fe;
    const r = out.length;

    const start = parseTimestamp(buf, fs[ix.start], fe[ix.start]);
    if (start !== start) return this.fail(ix.start, buf, 'not a date');
    let duration = 0;
    if (ix.duration >= 0) {
      duration = parseDecimal(buf, fs[ix.duration], fe[ix.duration]);
      if (!(duration >= 0)) return this.fail(ix.duration, buf, 'not a duration in seconds');
    } else if (ix.end >= 0) {
      const last = parseTimestamp(buf, fs[ix.end], fe[ix.end]);
      if (last !== last) return this.fail(ix.end, buf, 'not a date');
      duration = Math.max(0, (last - start) / 1000);
    }
    const srcPort = parsePort(buf, fs[ix.srcPort], fe[ix.srcPort], false);
    if (!(srcPort >= 0 && srcPort <= 0xffff)) return this.fail(ix.srcPort, buf, 'not a port number');
    const packets = parseScaledCount(buf, fs[ix.packets], fe[ix.packets]);
    if (!(packets >= 0)) return this.fail(ix.packets, buf, 'not a packet count');
    const bytes = parseScaledCount(buf, fs[ix.bytes], fe[ix.bytes]);
    if (!(bytes >= 0)) return this.fail(ix.bytes, buf, 'not a byte count');
    let flows = 1;
    if (ix.flows >= 0) {
      flows = parseScaledCount(buf, fs[ix.flows], fe[ix.flows]);
      if (!(flows >= 0)) return this.fail(ix.flows, buf, 'not a flow count');
    }
    let flags = 0;
    if (ix.flags >= 0) {
      flags = parseFlags(buf, fs[ix.flags], fe[ix.flags]);
      if (flags < 0) return this.fail(ix.flags, buf, 'not TCP flags (UAPRSF, CEUAPRSF or 0x..)');
    }
    let tos = 0;
    if (ix.tos >= 0) {
      tos = parseUint(buf, fs[ix.tos], fe[ix.tos]);
      if (!(tos <= 255)) return this.fail(ix.tos, buf, 'not a ToS byte (0..255)');
    }
    // Every check comes before any text enters a dictionary, so that a rejected row leaves no
    // value behind (a phantom class or address that no row has).
    if (this.isBlank(buf, ix.proto)) return this.fail(ix.proto, buf, 'empty protocol');
    const protoName = normaliseProto(utf8(buf, fs[ix.proto], fe[ix.proto]));
    const dstPort = parsePort(buf, fs[ix.dstPort], fe[ix.dstPort], isIcmpName(protoName));
    if (!(dstPort >= 0 && dstPort <= 0xffff)) return this.fail(ix.dstPort, buf, 'not a port number (or ICMP type.code)');
    if (this.isBlank(buf, ix.srcAddr)) return this.fail(ix.srcAddr, buf, 'empty address');
    if (this.isBlank(buf, ix.dstAddr)) return this.fail(ix.dstAddr, buf, 'empty address');
    const labelled = this.layout.labelled;
    if (labelled && this.isBlank(buf, ix.label)) return this.fail(ix.label, buf, 'empty label');

    const d = out.dicts;
    const proto = this.text(d.proto, buf, ix.proto);
    const srcAddr = this.text(d.addr, buf, ix.srcAddr);
    const dstAddr = this.text(d.addr, buf, ix.dstAddr);
    if (labelled) {
      out.label[r] = this.text(d.label, buf, ix.label);
      out.attackType[r] = this.text(d.attackType, buf, ix.attackType);
      out.attackId[r] = this.text(d.attackId, buf, ix.attackId);
      out.attackDescription[r] = this.text(d.attackDescription, buf, ix.attackDescription);
    } else {
      out.label[r] = this.noneLabel;
      out.attackType[r] = this.noneType;
      out.attackId[r] = this.noneId;
      out.attackDescription[r] = this.noneDesc;
    }
    out.start[r] = start;
    out.duration[r] = duration;
    out.proto[r] = proto;
    out.srcAddr[r] = srcAddr;
    out.dstAddr[r] = dstAddr;
    out.srcPort[r] = srcPort;
    out.dstPort[r] = dstPort;
    out.packets[r] = packets;
    out.bytes[r] = bytes;
    out.flows[r] = flows;
    out.flags[r] = flags;
    out.tos[r] = tos;
    return true;
  }

  private isBlank(buf: Uint8Array, col: number): boolean {
    return trimStart(buf, this.fs[col], this.fe[col]) === this.fe[col];
  }

  /**
   * Dictionary code of a text field, with `""` escapes undone. The bytes go in as written (the
   * dictionary trims when it decodes), so that the fast path finds them next time.
   */
  private text(dict: ByteDictionary, buf: Uint8Array, col: number): number {
    const s = this.fs[col];
    const e = this.fe[col];
    if (this.fq[col] === 2) {
      const unescaped = Buffer.from(utf8(buf, s, e).replace(/""/g, '"'), 'utf8');
      return dict.code(unescaped, 0, unescaped.length);
    }
    return dict.code(buf, s, e);
  }

  private bad(line: number, col: number, reason: string): void {
    const field = col >= 0 && col < this.nFields ? this.layout.names[col] : '(row)';
    const row: BadRow = { file: this.file, line, field, reason };
    this.badRows++;
    this.batchBadCount++;
    if (this.batchBadRows.length < 100) this.batchBadRows.push(row);
    this.log.add(row, this.rowsReadBefore() + this.rows + this.badRows);
  }

  /** Bad rows gathered since the last call, for the batch being handed over. */
  takeBatchBadRows(): { rows: BadRow[]; count: number } {
    const r = { rows: this.batchBadRows, count: this.batchBadCount };
    this.batchBadRows = [];
    this.batchBadCount = 0;
    return r;
  }
}

function lastNewline(buf: Uint8Array, from: number, end: number): number {
  if (end <= from) return -1;
  const at = Buffer.prototype.lastIndexOf.call(buf, LF, end - 1) as number;
  return at >= from ? at : -1;
}

function indexOfByte(buf: Uint8Array, byte: number, from: number, end: number): number {
  for (let k = from; k < end; k++) if (buf[k] === byte) return k;
  return -1;
}

function startsWithSummary(buf: Uint8Array, s: number, e: number): boolean {
  return e - s >= 7 && latin1(buf, s, s + 7) === 'Summary';
}
