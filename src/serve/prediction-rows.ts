/**
 * Classified flows as CSV or JSON Lines bytes, written into a ByteWriter without a string per
 * flow. The text is byte for byte what prediction-format.ts defines (`csvHeader`'s columns;
 * `JSON.stringify(classifiedFlow(...))` per JSONL line): the same number texts, the same quoting.
 *
 * Rows go out in runs: the dictionary texts of a run are encoded up front, which gives one byte
 * bound for every row of the run, so the row loop checks for room with a single comparison and
 * writes through local buffer and position variables.
 */
import type { DictColumn, FlowDataset } from '../flows/schema.js';
import type { FlowPredictions } from '../train/predict.js';
import { ByteWriter, EncodedValues, MAX_NUMBER_BYTES, putBytes, putLatin1, putMillionths, putNumber, putPair, putTriple, putUint31 } from './byte-writer.js';
import { csvField, csvHeader, hasProbabilities, num, type OutputFormat } from './prediction-format.js';
import { CLOSE_BRACE, COLON, COMMA, DOT, LF, ONE, Z, ZERO } from '../util/ascii.js';

const SCALE = 1e6;
const DAY_MS = 86_400_000;
/** Rows per run: long enough to spread the encoding pass, short enough that its bound stays tight. */
const RUN_ROWS = 512;
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
const NULL = Buffer.from('null');

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
 * is made once per day with Date and the time of day is written from integer arithmetic on the
 * milliseconds into the day: a Date per second of traffic cost a sizeable share of the output time.
 */
class IsoTimes {
  /** The day whose date is in `date`, as epoch milliseconds [dayStart, dayStart + DAY_MS). */
  private dayStart = NaN;
  private dayEnd = NaN;
  private readonly date = Buffer.alloc(11);

  put(buf: Buffer, p: number, ms: number): number {
    // Whole milliseconds only: Date truncates a fraction toward zero, which the day arithmetic
    // below would not (and toISOString knows what to write).
    if (!(ms >= this.dayStart && ms < this.dayEnd && Number.isInteger(ms))) return this.putOther(buf, p, ms);
    const t = ms - this.dayStart; // below 2^31: int32 arithmetic from here
    const sec = (t / 1000) | 0;
    const frac = t - sec * 1000;
    const h = (sec / 3600) | 0;
    const rest = sec - h * 3600;
    const m = (rest / 60) | 0;
    const d = this.date;
    for (let j = 0; j < 11; j++) buf[p + j] = d[j];
    p = putPair(buf, p + 11, h);
    buf[p] = COLON;
    p = putPair(buf, p + 1, m);
    buf[p] = COLON;
    p = putPair(buf, p + 1, rest - m * 60);
    buf[p] = DOT;
    p = putTriple(buf, p + 1, frac);
    buf[p] = Z;
    return p + 1;
  }

  /** A start in another day (or not a whole millisecond): a new date, or toISOString itself. */
  private putOther(buf: Buffer, p: number, ms: number): number {
    if (Number.isInteger(ms)) {
      const dayStart = Math.floor(ms / DAY_MS) * DAY_MS;
      const iso = new Date(dayStart).toISOString();
      // Years before 0 or beyond 9999 are longer; toISOString throws where Date ends.
      if (iso.length === 24) {
        this.dayStart = dayStart;
        this.dayEnd = dayStart + DAY_MS;
        this.date.write(iso.slice(0, 11), 0, 'latin1');
        return this.put(buf, p, ms);
      }
    }
    return putLatin1(buf, p, new Date(ms).toISOString());
  }
}

/** `formatProbability(p)` as bytes: 6 decimals, trailing zeros dropped. */
function putProbability(buf: Buffer, p: number, x: number, json: boolean): number {
  if (!(x >= 0 && x <= 1)) return putOther(buf, p, x, json);
  const v = Math.round(x * SCALE);
  if (v === 0) buf[p] = ZERO;
  else if (v >= SCALE) buf[p] = ONE;
  else return putMillionths(buf, p, v);
  return p + 1;
}

/** Values outside [0, 1] (mse outputs) with 6 significant digits; JSON writes NaN and infinities as null. */
function putOther(buf: Buffer, p: number, v: number, json: boolean): number {
  const x = num(v);
  return putLatin1(buf, p, json && !Number.isFinite(x) ? 'null' : String(x));
}

function putJsonNumber(buf: Buffer, p: number, v: number): number {
  return Number.isFinite(v) ? putNumber(buf, p, v) : putBytes(buf, p, NULL, 0, 4);
}

/** An Int32Array value (ports): String's text, with a shortcut for the non-negative ones. */
function putInt32(buf: Buffer, p: number, v: number): number {
  return v >= 0 ? putUint31(buf, p, v) : putNumber(buf, p, v);
}

function putConst(buf: Buffer, p: number, text: Buffer): number {
  return putBytes(buf, p, text, 0, text.length);
}

/** The encoded text of `dict`'s value at row `i`, from a cache `prepare`d for the row's run. */
function putText(buf: Buffer, p: number, enc: EncodedValues, dict: DictColumn, i: number): number {
  const code = dict.codes[i];
  return putBytes(buf, p, enc.pool, enc.start[code], enc.end[code]);
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
    let i = from;
    while (i < n) {
      const to = Math.min(n, i + RUN_ROWS);
      const bound =
        this.fixedBytes +
        this.protoText.prepare(c.proto.values, c.proto.codes, i, to) +
        this.srcText.prepare(c.srcAddr.values, c.srcAddr.codes, i, to) +
        this.dstText.prepare(c.dstAddr.values, c.dstAddr.codes, i, to);
      if (!out.fits(bound)) {
        if (out.length > 0) return i;
        out.reserve(bound);
      }
      const buf = out.buf;
      const limit = buf.length - bound;
      let p = out.pos;
      for (; i < to && p <= limit; i++) p = this.row(buf, p, ds, pred, i);
      out.pos = p;
      if (i < to) return i;
    }
    return n;
  }

  /** Writes row `i` at `p` (room for `fixedBytes` plus its texts is there); returns the end. */
  protected abstract row(buf: Buffer, p: number, ds: FlowDataset, pred: FlowPredictions, i: number): number;

  protected putClass(buf: Buffer, p: number, cls: number): number {
    const names = this.classBytes;
    return cls >= 0 && cls < names.length ? putConst(buf, p, names[cls]) : this.putUnknownClass(buf, p, cls);
  }

  protected abstract putUnknownClass(buf: Buffer, p: number, cls: number): number;

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

  protected putUnknownClass(buf: Buffer, p: number, cls: number): number {
    return putNumber(buf, p, cls);
  }

  protected row(buf: Buffer, p: number, ds: FlowDataset, pred: FlowPredictions, i: number): number {
    const c = ds.columns;
    const k = this.outputs;
    p = this.times.put(buf, p, c.start[i]);
    buf[p] = COMMA;
    p = putNumber(buf, p + 1, c.duration[i]);
    buf[p] = COMMA;
    p = putText(buf, p + 1, this.protoText, c.proto, i);
    buf[p] = COMMA;
    p = putText(buf, p + 1, this.srcText, c.srcAddr, i);
    buf[p] = COMMA;
    p = putInt32(buf, p + 1, c.srcPort[i]);
    buf[p] = COMMA;
    p = putText(buf, p + 1, this.dstText, c.dstAddr, i);
    buf[p] = COMMA;
    p = putInt32(buf, p + 1, c.dstPort[i]);
    buf[p] = COMMA;
    p = putNumber(buf, p + 1, c.packets[i]);
    buf[p] = COMMA;
    p = putNumber(buf, p + 1, c.bytes[i]);
    buf[p] = COMMA;
    const cls = pred.classOf[i];
    p = this.putClass(buf, p + 1, cls);
    buf[p++] = COMMA;
    const prob = pred.prob;
    const at = i * k;
    if (this.withProbs) {
      p = putProbability(buf, p, prob[at + cls], false);
      for (let j = 0; j < k; j++) {
        buf[p] = COMMA;
        p = putProbability(buf, p + 1, prob[at + j], false);
      }
    } else p = putOther(buf, p, prob[at], false);
    buf[p] = LF;
    return p + 1;
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

  protected putUnknownClass(buf: Buffer, p: number, cls: number): number {
    return putLatin1(buf, p, JSON.stringify(String(cls)));
  }

  protected row(buf: Buffer, p: number, ds: FlowDataset, pred: FlowPredictions, i: number): number {
    const c = ds.columns;
    const k = this.outputs;
    p = putConst(buf, p, K_START);
    p = this.times.put(buf, p, c.start[i]);
    p = putConst(buf, p, K_DURATION);
    p = putJsonNumber(buf, p, c.duration[i]);
    p = putConst(buf, p, K_PROTO);
    p = putText(buf, p, this.protoText, c.proto, i);
    p = putConst(buf, p, K_SRCADDR);
    p = putText(buf, p, this.srcText, c.srcAddr, i);
    p = putConst(buf, p, K_SRCPORT);
    p = putInt32(buf, p, c.srcPort[i]);
    p = putConst(buf, p, K_DSTADDR);
    p = putText(buf, p, this.dstText, c.dstAddr, i);
    p = putConst(buf, p, K_DSTPORT);
    p = putInt32(buf, p, c.dstPort[i]);
    p = putConst(buf, p, K_PACKETS);
    p = putJsonNumber(buf, p, c.packets[i]);
    p = putConst(buf, p, K_BYTES);
    p = putJsonNumber(buf, p, c.bytes[i]);
    p = putConst(buf, p, K_PREDICTED);
    const cls = pred.classOf[i];
    p = this.putClass(buf, p, cls);
    p = putConst(buf, p, K_SCORE);
    const prob = pred.prob;
    const at = i * k;
    if (this.withProbs) {
      p = putProbability(buf, p, prob[at + cls], true);
      p = putConst(buf, p, K_PROBABILITIES);
      const keys = this.probKeys;
      const keyClass = this.probClass;
      for (let j = 0; j < keys.length; j++) {
        p = putConst(buf, p, keys[j]);
        p = putProbability(buf, p, prob[at + keyClass[j]], true);
      }
      buf[p++] = CLOSE_BRACE;
    } else p = putOther(buf, p, prob[at], true);
    buf[p] = CLOSE_BRACE;
    buf[p + 1] = LF;
    return p + 2;
  }
}
