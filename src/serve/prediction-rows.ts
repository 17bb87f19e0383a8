/**
 * Classified flows as CSV or JSON Lines bytes, written into a ByteWriter without a string per
 * flow. The text is byte for byte what prediction-format.ts defines (`csvHeader`'s columns;
 * `JSON.stringify(classifiedFlow(...))` per JSONL line): the same number texts, the same quoting.
 */
import type { FlowDataset } from '../flows/schema.js';
import type { FlowPredictions } from '../train/predict.js';
import { ByteWriter, EncodedValues, MAX_NUMBER_BYTES } from './byte-writer.js';
import { csvField, csvHeader, hasProbabilities, num, type OutputFormat } from './prediction-format.js';
import { CLOSE_BRACE, COLON, COMMA, DOT, LF, ONE, Z, ZERO } from '../util/ascii.js';

const SCALE = 1e6;
// JSONL field names with their punctuation, in classifiedFlow's key order.
const K_START = Buffer.from('{"start":"');
const K_DURATION = Buffer.from('","duration":');
const K_PROTO = Buffer.from(',"proto":');
const K_SRCADDR = Buffer.from(',"srcAddr":');
const K_SRCPORT = Buffer.from(',"srcPort":');
const K_DSTADDR = Buffer.from(',"dstAddr":');
const K_DSTPORT = Buffer.from(',"dstPort":');
const K_PACKETS = Buffer.from(',"packets":');
const K_BYTES = Buffer.from(',"bytes":');
const K_PREDICTED = Buffer.from(',"predicted":');
const K_SCORE = Buffer.from(',"score":');
const K_PROBABILITIES = Buffer.from(',"probabilities":{');

export interface PredictionRows {
  /** Text before the first row (the CSV header line; empty for JSONL). */
  readonly header: string;
  /**
   * Formats rows `from..` of `ds` (with `pred` row i for ds row i) into `out` until it is full;
   * returns the next row to format (`ds.length` when all are written). Only whole rows are written.
   */
  fill(out: ByteWriter, ds: FlowDataset, pred: FlowPredictions, from: number): number;
}

export function predictionRows(format: OutputFormat, classes: readonly string[], outputs: number): PredictionRows {
  return format === 'csv' ? new CsvRows(classes, outputs) : new JsonlRows(classes, outputs);
}

/**
 * ISO 8601 times as toISOString writes them. Flows come in time order, so the date (`2017-08-02T`)
 * is made once per day with Date and the time of day is written digit by digit: a Date per
 * second of traffic cost a sizeable share of the output time.
 */
class IsoTimes {
  private day = NaN;
  private readonly date = Buffer.alloc(11);

  write(out: ByteWriter, ms: number): void {
    const s = Math.floor(ms / 1000);
    const frac = ms - s * 1000;
    // A fractional millisecond, or a start a hair below a whole second (frac rounds up to 1000):
    // toISOString knows what to write.
    if (!Number.isInteger(frac) || frac >= 1000) return out.latin1(new Date(ms).toISOString());
    const day = Math.floor(s / 86400);
    if (day !== this.day) {
      const iso = new Date(day * 86_400_000).toISOString();
      if (iso.length !== 24) return out.latin1(new Date(ms).toISOString()); // years before 0 or beyond 9999
      this.day = day;
      this.date.write(iso.slice(0, 11), 0, 'latin1');
    }
    let sec = s - day * 86400;
    const h = (sec / 3600) | 0;
    sec -= h * 3600;
    const m = (sec / 60) | 0;
    sec -= m * 60;
    out.copy(this.date);
    out.fixedDigits(h, 2);
    out.byte(COLON);
    out.fixedDigits(m, 2);
    out.byte(COLON);
    out.fixedDigits(sec, 2);
    out.byte(DOT);
    out.fixedDigits(frac, 3);
    out.byte(Z);
  }
}

/** `formatProbability(p)` as bytes: 6 decimals, trailing zeros dropped. */
function writeProbability(out: ByteWriter, p: number, json: boolean): void {
  if (!(p >= 0 && p <= 1)) return writeOther(out, p, json);
  const v = Math.round(p * SCALE);
  if (v === 0) return out.byte(ZERO);
  if (v >= SCALE) return out.byte(ONE);
  let frac = v | 0; // below 10^6: small-integer arithmetic from here on
  let places = 6;
  for (let q = (frac / 10) | 0; q * 10 === frac; q = (frac / 10) | 0) {
    frac = q;
    places--;
  }
  out.byte(ZERO);
  out.byte(DOT);
  out.fixedDigits(frac, places);
}

/** Values outside [0, 1] (mse outputs) with 6 significant digits; JSON writes NaN and infinities as null. */
function writeOther(out: ByteWriter, v: number, json: boolean): void {
  const x = num(v);
  out.latin1(json && !Number.isFinite(x) ? 'null' : String(x));
}

function writeJsonNumber(out: ByteWriter, v: number): void {
  if (Number.isFinite(v)) out.number(v);
  else out.latin1('null');
}

function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

abstract class RowsBase implements PredictionRows {
  abstract readonly header: string;
  protected readonly withProbs: boolean;
  protected readonly times = new IsoTimes();
  /** Encoded class names, by class index. */
  protected abstract readonly classBytes: Buffer[];
  /** Upper bound of a row's bytes without its three dictionary texts. */
  protected abstract readonly fixedBytes: number;
  protected abstract readonly protoText: EncodedValues;
  // Source and destination usually share one dictionary, but not always (joined data sets, tests):
  // one cache each, so rows never alternate between two dictionaries in one cache.
  protected abstract readonly srcText: EncodedValues;
  protected abstract readonly dstText: EncodedValues;

  constructor(
    protected readonly classes: readonly string[],
    protected readonly outputs: number,
  ) {
    this.withProbs = hasProbabilities(classes, outputs);
  }

  fill(out: ByteWriter, ds: FlowDataset, pred: FlowPredictions, from: number): number {
    const n = ds.length;
    const c = ds.columns;
    for (let i = from; i < n; i++) {
      const bound =
        this.fixedBytes +
        this.protoText.byteLength(c.proto.values, c.proto.codes[i]) +
        this.srcText.byteLength(c.srcAddr.values, c.srcAddr.codes[i]) +
        this.dstText.byteLength(c.dstAddr.values, c.dstAddr.codes[i]);
      if (!out.fits(bound)) {
        if (out.length > 0) return i;
        out.reserve(bound);
      }
      this.row(out, ds, pred, i);
    }
    return n;
  }

  protected abstract row(out: ByteWriter, ds: FlowDataset, pred: FlowPredictions, i: number): void;

  protected writeClass(out: ByteWriter, cls: number): void {
    const b = this.classBytes[cls];
    if (b !== undefined) out.copy(b);
    else this.writeUnknownClass(out, cls);
  }

  protected abstract writeUnknownClass(out: ByteWriter, cls: number): void;

  /** Largest encoded class name, for the row bound. */
  protected static longest(list: Buffer[]): number {
    return list.reduce((m, b) => Math.max(m, b.length), 0);
  }
}

class CsvRows extends RowsBase {
  readonly header: string;
  protected readonly classBytes: Buffer[];
  protected readonly fixedBytes: number;
  protected readonly protoText = new EncodedValues(csvField);
  protected readonly srcText = new EncodedValues(csvField);
  protected readonly dstText = new EncodedValues(csvField);

  constructor(classes: readonly string[], outputs: number) {
    super(classes, outputs);
    this.header = csvHeader(classes, outputs);
    this.classBytes = classes.map((c) => utf8(csvField(c)));
    const numbers = 7 + 1 + (this.withProbs ? outputs : 0);
    this.fixedBytes = 32 + numbers * (MAX_NUMBER_BYTES + 1) + Math.max(MAX_NUMBER_BYTES, RowsBase.longest(this.classBytes)) + 8;
  }

  protected writeUnknownClass(out: ByteWriter, cls: number): void {
    out.number(cls);
  }

  protected row(out: ByteWriter, ds: FlowDataset, pred: FlowPredictions, i: number): void {
    const c = ds.columns;
    const k = this.outputs;
    this.times.write(out, c.start[i]);
    out.byte(COMMA);
    out.number(c.duration[i]);
    out.byte(COMMA);
    this.protoText.write(out, c.proto.values, c.proto.codes[i]);
    out.byte(COMMA);
    this.srcText.write(out, c.srcAddr.values, c.srcAddr.codes[i]);
    out.byte(COMMA);
    out.number(c.srcPort[i]);
    out.byte(COMMA);
    this.dstText.write(out, c.dstAddr.values, c.dstAddr.codes[i]);
    out.byte(COMMA);
    out.number(c.dstPort[i]);
    out.byte(COMMA);
    out.number(c.packets[i]);
    out.byte(COMMA);
    out.number(c.bytes[i]);
    out.byte(COMMA);
    const cls = pred.classOf[i];
    this.writeClass(out, cls);
    out.byte(COMMA);
    const prob = pred.prob;
    if (this.withProbs) {
      writeProbability(out, prob[i * k + cls], false);
      for (let j = 0; j < k; j++) {
        out.byte(COMMA);
        writeProbability(out, prob[i * k + j], false);
      }
    } else writeOther(out, prob[i * k], false);
    out.byte(LF);
  }
}

class JsonlRows extends RowsBase {
  readonly header = '';
  protected readonly classBytes: Buffer[];
  protected readonly fixedBytes: number;
  protected readonly protoText = new EncodedValues((s) => JSON.stringify(s));
  protected readonly srcText = new EncodedValues((s) => JSON.stringify(s));
  protected readonly dstText = new EncodedValues((s) => JSON.stringify(s));
  /**
   * `"probabilities":{` keys in the order JSON.stringify gives a Record built class by class
   * (integer-like names first, a repeated name once, holding the last class of that name).
   */
  private readonly probKeys: Buffer[] = [];
  private readonly probClass: number[] = [];

  constructor(classes: readonly string[], outputs: number) {
    super(classes, outputs);
    this.classBytes = classes.map((c) => utf8(JSON.stringify(c)));
    if (this.withProbs) {
      const lastIndex: Record<string, number> = {};
      for (let j = 0; j < outputs; j++) lastIndex[classes[j]] = j;
      Object.keys(lastIndex).forEach((name, at) => {
        this.probKeys.push(utf8(`${at === 0 ? '' : ','}${JSON.stringify(name)}:`));
        this.probClass.push(lastIndex[name]);
      });
    }
    const keys = this.probKeys.reduce((m, b) => m + b.length, 0);
    const numbers = 7 + 1 + this.probKeys.length;
    this.fixedBytes = 200 + keys + numbers * (MAX_NUMBER_BYTES + 1) + Math.max(MAX_NUMBER_BYTES, RowsBase.longest(this.classBytes));
  }

  protected writeUnknownClass(out: ByteWriter, cls: number): void {
    out.latin1(JSON.stringify(String(cls)));
  }

  protected row(out: ByteWriter, ds: FlowDataset, pred: FlowPredictions, i: number): void {
    const c = ds.columns;
    const k = this.outputs;
    out.copy(K_START);
    this.times.write(out, c.start[i]);
    out.copy(K_DURATION);
    writeJsonNumber(out, c.duration[i]);
    out.copy(K_PROTO);
    this.protoText.write(out, c.proto.values, c.proto.codes[i]);
    out.copy(K_SRCADDR);
    this.srcText.write(out, c.srcAddr.values, c.srcAddr.codes[i]);
    out.copy(K_SRCPORT);
    writeJsonNumber(out, c.srcPort[i]);
    out.copy(K_DSTADDR);
    this.dstText.write(out, c.dstAddr.values, c.dstAddr.codes[i]);
    out.copy(K_DSTPORT);
    writeJsonNumber(out, c.dstPort[i]);
    out.copy(K_PACKETS);
    writeJsonNumber(out, c.packets[i]);
    out.copy(K_BYTES);
    writeJsonNumber(out, c.bytes[i]);
    out.copy(K_PREDICTED);
    const cls = pred.classOf[i];
    this.writeClass(out, cls);
    out.copy(K_SCORE);
    const prob = pred.prob;
    if (this.withProbs) {
      writeProbability(out, prob[i * k + cls], true);
      out.copy(K_PROBABILITIES);
      for (let j = 0; j < this.probKeys.length; j++) {
        const key = this.probKeys[j];
        out.copy(key);
        writeProbability(out, prob[i * k + this.probClass[j]], true);
      }
      out.byte(CLOSE_BRACE);
    } else writeOther(out, prob[i * k], true);
    out.byte(CLOSE_BRACE);
    out.byte(LF);
  }
}
