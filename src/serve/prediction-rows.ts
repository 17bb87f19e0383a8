/**
 * Classified flows as CSV or JSON Lines bytes, written into a ByteWriter without a string per
 * flow. The text is byte for byte what prediction-format.ts defines (`csvHeader`'s columns;
 * `JSON.stringify(classifiedFlow(...))` per JSONL line): the same number texts, the same quoting.
 *
 * Rows go out in runs: the dictionary texts of a run are encoded up front, which gives one byte
 * bound for every row of the run, so the row loop checks for room with a single comparison and
 * each row is written through the buffer's DataView at a position kept in a local.
 */
import type { FlowDataset } from '../flows/schema.js';
import type { FlowPredictions } from '../train/predict.js';
import { ByteWriter, EncodedValues, MAX_NUMBER_BYTES, putLatin1, putMillionths, putNumber, putText, roundNonNegative, putTimeOfDay, putTriple, putUint31, WORD_SLACK, wordText, type WordText } from './byte-writer.js';
import { csvField, csvHeader, hasProbabilities, num, type OutputFormat } from './prediction-format.js';
import { CLOSE_BRACE, COMMA, LF, ONE, Z, ZERO } from '../util/ascii.js';

const SCALE = 1e6;
const constText = (s: string): WordText => wordText(Buffer.from(s, 'utf8'));
const DAY_MS = 86_400_000;
/** Rows per run: long enough to spread the encoding pass, short enough that its bound stays tight. */
const RUN_ROWS = 512;
// JSONL field names with their punctuation, in classifiedFlow's key order.
const K_START = constText('{"start":"');
const K_DURATION = constText('","duration":');
const K_PROTO = constText(',"proto":');
const K_SRCADDR = constText(',"srcAddr":');
const K_SRCPORT = constText(',"srcPort":');
const K_DSTADDR = constText(',"dstAddr":');
const K_DSTPORT = constText(',"dstPort":');
const K_PACKETS = constText(',"packets":');
const K_BYTES = constText(',"bytes":');
const K_PREDICTED = constText(',"predicted":');
const K_SCORE = constText(',"score":');
const NULL = constText('null');

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
  /** The day whose date is in `date`, as epoch milliseconds [dayStart, dayEnd). */
  private dayStart = NaN;
  private dayEnd = NaN;
  private date = constText('0000-00-00T');

  /**
   * Writes `start[i]`. The array and index rather than the value: a start (above 2^31 ms) passed
   * to a call the compiler does not inline is boxed, one heap number per row.
   */
  put(dv: DataView, p: number, start: Float64Array, i: number): number {
    const ms = start[i];
    // Whole milliseconds only: Date truncates a fraction toward zero, which the day arithmetic
    // below would not (and toISOString knows what to write).
    if (!(ms >= this.dayStart && ms < this.dayEnd && Number.isInteger(ms))) return this.putOther(dv, p, start, i);
    const t = ms - this.dayStart; // below 2^31: int32 arithmetic from here
    const sec = (t / 1000) | 0;
    p = putTimeOfDay(dv, putText(dv, p, this.date), sec);
    p = putTriple(dv, p, t - sec * 1000);
    dv.setUint8(p, Z);
    return p + 1;
  }

  /** A start in another day (or not a whole millisecond): a new date, or toISOString itself. */
  private putOther(dv: DataView, p: number, start: Float64Array, i: number): number {
    const ms = start[i];
    if (Number.isInteger(ms)) {
      const dayStart = Math.floor(ms / DAY_MS) * DAY_MS;
      const iso = new Date(dayStart).toISOString();
      // Years before 0 or beyond 9999 are longer; toISOString throws where Date ends.
      if (iso.length === 24) {
        this.dayStart = dayStart;
        this.dayEnd = dayStart + DAY_MS;
        this.date = constText(iso.slice(0, 11));
        return this.put(dv, p, start, i);
      }
    }
    return putLatin1(dv, p, new Date(ms).toISOString());
  }
}

/** `formatProbability(p)` as bytes: 6 decimals, trailing zeros dropped. */
function putProbability(dv: DataView, p: number, x: number, json: boolean): number {
  if (!(x >= 0 && x <= 1)) return putOther(dv, p, x, json);
  const v = roundNonNegative(x * SCALE);
  if (v === 0) dv.setUint8(p, ZERO);
  else if (v >= SCALE) dv.setUint8(p, ONE);
  else return putMillionths(dv, p, v);
  return p + 1;
}

/** Values outside [0, 1] (mse outputs) with 6 significant digits; JSON writes NaN and infinities as null. */
function putOther(dv: DataView, p: number, v: number, json: boolean): number {
  const x = num(v);
  return putLatin1(dv, p, json && !Number.isFinite(x) ? 'null' : String(x));
}

function putJsonNumber(dv: DataView, p: number, v: number): number {
  return Number.isFinite(v) ? putNumber(dv, p, v) : putText(dv, p, NULL);
}

/** An Int32Array value (ports): String's text, with a shortcut for the non-negative ones. */
function putInt32(dv: DataView, p: number, v: number): number {
  return v >= 0 ? putUint31(dv, p, v) : putNumber(dv, p, v);
}

abstract class RowsBase implements PredictionRows {
  abstract readonly header: string;
  protected readonly withProbs: boolean;
  protected readonly times = new IsoTimes();
  /** Encoded class names, by class index. */
  protected abstract readonly classTexts: WordText[];
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
        WORD_SLACK +
        this.protoText.prepare(c.proto.values, c.proto.codes, i, to) +
        this.srcText.prepare(c.srcAddr.values, c.srcAddr.codes, i, to) +
        this.dstText.prepare(c.dstAddr.values, c.dstAddr.codes, i, to);
      if (!out.fits(bound)) {
        if (out.length > 0) return i;
        out.reserve(bound);
      }
      const dv = out.view;
      const limit = dv.byteLength - bound;
      let p = out.pos;
      for (; i < to && p <= limit; i++) p = this.row(dv, p, ds, pred, i);
      out.pos = p;
      if (i < to) return i;
    }
    return n;
  }

  /** Writes row `i` at `p` (room for `fixedBytes` plus its texts is there); returns the end. */
  protected abstract row(dv: DataView, p: number, ds: FlowDataset, pred: FlowPredictions, i: number): number;

  protected putClass(dv: DataView, p: number, cls: number): number {
    const names = this.classTexts;
    return cls >= 0 && cls < names.length ? putText(dv, p, names[cls]) : this.putUnknownClass(dv, p, cls);
  }

  protected abstract putUnknownClass(dv: DataView, p: number, cls: number): number;

  /** Largest encoded class name, for the row bound. */
  protected static longest(list: WordText[]): number {
    return list.reduce((m, b) => Math.max(m, b.length), 0);
  }
}

class CsvRows extends RowsBase {
  readonly header: string;
  protected readonly classTexts: WordText[];
  protected readonly fixedBytes: number;
  protected readonly protoText = new EncodedValues(csvField);
  protected readonly srcText = new EncodedValues(csvField);
  protected readonly dstText = new EncodedValues(csvField);

  constructor(classes: readonly string[], outputs: number) {
    super(classes, outputs);
    this.header = csvHeader(classes, outputs);
    this.classTexts = classes.map((c) => constText(csvField(c)));
    const numbers = 7 + 1 + (this.withProbs ? outputs : 0);
    this.fixedBytes = 32 + numbers * (MAX_NUMBER_BYTES + 1) + Math.max(MAX_NUMBER_BYTES, RowsBase.longest(this.classTexts)) + 8;
  }

  protected putUnknownClass(dv: DataView, p: number, cls: number): number {
    return putNumber(dv, p, cls);
  }

  protected row(dv: DataView, p: number, ds: FlowDataset, pred: FlowPredictions, i: number): number {
    const c = ds.columns;
    const k = this.outputs;
    p = this.times.put(dv, p, c.start, i);
    dv.setUint8(p, COMMA);
    p = putNumber(dv, p + 1, c.duration[i]);
    dv.setUint8(p, COMMA);
    p = this.protoText.put(dv, p + 1, c.proto.codes[i]);
    dv.setUint8(p, COMMA);
    p = this.srcText.put(dv, p + 1, c.srcAddr.codes[i]);
    dv.setUint8(p, COMMA);
    p = putInt32(dv, p + 1, c.srcPort[i]);
    dv.setUint8(p, COMMA);
    p = this.dstText.put(dv, p + 1, c.dstAddr.codes[i]);
    dv.setUint8(p, COMMA);
    p = putInt32(dv, p + 1, c.dstPort[i]);
    dv.setUint8(p, COMMA);
    p = putNumber(dv, p + 1, c.packets[i]);
    dv.setUint8(p, COMMA);
    p = putNumber(dv, p + 1, c.bytes[i]);
    dv.setUint8(p, COMMA);
    const cls = pred.classOf[i];
    p = this.putClass(dv, p + 1, cls);
    const prob = pred.prob;
    const at = i * k;
    if (this.withProbs) {
      // The score first (j = -1), then every class: one call site keeps the row within what V8
      // inlines into one function.
      for (let j = -1; j < k; j++) {
        dv.setUint8(p, COMMA);
        p = putProbability(dv, p + 1, prob[at + (j < 0 ? cls : j)], false);
      }
    } else {
      dv.setUint8(p, COMMA);
      p = putOther(dv, p + 1, prob[at], false);
    }
    dv.setUint8(p, LF);
    return p + 1;
  }
}

class JsonlRows extends RowsBase {
  readonly header = '';
  protected readonly classTexts: WordText[];
  protected readonly fixedBytes: number;
  protected readonly protoText = new EncodedValues((s) => JSON.stringify(s));
  protected readonly srcText = new EncodedValues((s) => JSON.stringify(s));
  protected readonly dstText = new EncodedValues((s) => JSON.stringify(s));
  /**
   * With probabilities: the score's key, then the `"probabilities":{` keys in the order
   * JSON.stringify gives a Record built class by class (integer-like names first, a repeated name
   * once, holding the last class of that name), each with the class whose value follows it (-1:
   * the predicted class).
   */
  private readonly scoreKeys: WordText[] = [];
  private readonly scoreClass: number[] = [];

  constructor(classes: readonly string[], outputs: number) {
    super(classes, outputs);
    this.classTexts = classes.map((c) => constText(JSON.stringify(c)));
    if (this.withProbs) {
      const lastIndex: Record<string, number> = {};
      for (let j = 0; j < outputs; j++) lastIndex[classes[j]] = j;
      this.scoreKeys.push(K_SCORE);
      this.scoreClass.push(-1);
      Object.keys(lastIndex).forEach((name, at) => {
        this.scoreKeys.push(constText(`${at === 0 ? ',"probabilities":{' : ','}${JSON.stringify(name)}:`));
        this.scoreClass.push(lastIndex[name]);
      });
    }
    const scoreTexts = this.withProbs ? this.scoreKeys : [K_SCORE];
    const keys = scoreTexts.reduce((m, b) => m + b.length, 0);
    const numbers = 7 + scoreTexts.length;
    this.fixedBytes = 200 + keys + numbers * (MAX_NUMBER_BYTES + 1) + Math.max(MAX_NUMBER_BYTES, RowsBase.longest(this.classTexts));
  }

  protected putUnknownClass(dv: DataView, p: number, cls: number): number {
    return putLatin1(dv, p, JSON.stringify(String(cls)));
  }

  protected row(dv: DataView, p: number, ds: FlowDataset, pred: FlowPredictions, i: number): number {
    const c = ds.columns;
    const k = this.outputs;
    p = putText(dv, p, K_START);
    p = this.times.put(dv, p, c.start, i);
    p = putText(dv, p, K_DURATION);
    p = putJsonNumber(dv, p, c.duration[i]);
    p = putText(dv, p, K_PROTO);
    p = this.protoText.put(dv, p, c.proto.codes[i]);
    p = putText(dv, p, K_SRCADDR);
    p = this.srcText.put(dv, p, c.srcAddr.codes[i]);
    p = putText(dv, p, K_SRCPORT);
    p = putInt32(dv, p, c.srcPort[i]);
    p = putText(dv, p, K_DSTADDR);
    p = this.dstText.put(dv, p, c.dstAddr.codes[i]);
    p = putText(dv, p, K_DSTPORT);
    p = putInt32(dv, p, c.dstPort[i]);
    p = putText(dv, p, K_PACKETS);
    p = putJsonNumber(dv, p, c.packets[i]);
    p = putText(dv, p, K_BYTES);
    p = putJsonNumber(dv, p, c.bytes[i]);
    p = putText(dv, p, K_PREDICTED);
    const cls = pred.classOf[i];
    p = this.putClass(dv, p, cls);
    const prob = pred.prob;
    const at = i * k;
    if (this.withProbs) {
      const keys = this.scoreKeys;
      const keyClass = this.scoreClass;
      for (let j = 0; j < keys.length; j++) {
        p = putText(dv, p, keys[j]);
        const of = keyClass[j];
        p = putProbability(dv, p, prob[at + (of < 0 ? cls : of)], true);
      }
      dv.setUint8(p++, CLOSE_BRACE);
    } else p = putOther(dv, putText(dv, p, K_SCORE), prob[at], true);
    dv.setUint16(p, CLOSE_BRACE | (LF << 8), true);
    return p + 2;
  }
}
