// AssemblyScript: the CIDDS fast path's scan of plain rows (src/flows/wasm-rows.ts drives it).
// It takes only the shapes the JavaScript fast path (fast-row.ts) reads without help and gives
// exactly its numbers; anything else stops the scan at that row, which then goes to the
// JavaScript parsers as before. Text fields come back as their position and hash, for the
// dictionaries to look up: new values, normalisation and codes stay on the JavaScript side.

// Per-row output, row r: f64 columns at F64_BASE + (col * MAX_ROWS + r) * 8, and an i32 record of
// REC words at REC_BASE + r * REC * 4 (offsets listed in wasm-rows.ts, which must agree).
const MAX_ROWS: i32 = 4096;
const F64_BASE: i32 = 65536;
const REC: i32 = 32;
const REC_BASE: i32 = F64_BASE + 5 * MAX_ROWS * 8;
/** First byte of the input: the rows to scan are copied here. */
export const INPUT_BASE: i32 = REC_BASE + MAX_ROWS * REC * 4;

const COMMA: i32 = 0x2c;
const LF: i32 = 0x0a;
const CR: i32 = 0x0d;
const QUOTE: i32 = 0x22;
const DOT: i32 = 0x2e;
const HASH_SEED: i32 = <i32>0x811c9dc5;
const HASH_MUL: i32 = <i32>0x9e3779b1;

/** Start of the day of `YYYY-MM-DD HH:MM:SS` at `pos`, less the time of day; NaN for a bad date (byte-parse.ts). */
@external("scan", "dayStart")
declare function dayStart(pos: i32, h: i32, mi: i32, s: i32): f64;

const POW10: StaticArray<f64> = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
const FLAGS6: StaticArray<i32> = [0x55, 0x41, 0x50, 0x52, 0x53, 0x46];

let lastDateKey: i32 = -1;
let lastDayMs: f64 = 0;
let stoppedAt: i32 = 0;
// The previous row of this scan: where its protocol and its label fields (with the line end) are.
let lastProtoStart: i32 = -1;
let lastProtoLen: i32 = 0;
let lastTailStart: i32 = -1;
let lastTailLen: i32 = 0;
/** End of the input of this scan: the tail comparison reads nothing after it. */
let inputEnd: i32 = 0;
// Out parameters of the field scanners.
let at: i32 = 0;
let num: f64 = 0;
let portFractionDigits: i32 = 0;
let portFraction: i32 = 0;
let digitsValue: i32 = 0;

/** Where the last scan stopped: the end, or the first row it did not take. */
export function stopPosition(): i32 {
  return stoppedAt;
}

/** Forgets the date cached by earlier scans (a new file). */
export function resetDate(): void {
  lastDateKey = -1;
}

@inline function byte(p: i32): i32 {
  return <i32>load<u8>(p);
}

@inline function digit(p: i32): i32 {
  const d = byte(p) - 0x30;
  return <u32>d <= 9 ? d : 1000;
}

@inline function isSep(c: i32): bool {
  return c == COMMA || c == LF || c == CR;
}

function sameBytes(a: i32, b: i32, len: i32): bool {
  let k = 0;
  for (; k + 4 <= len; k += 4) if (load<i32>(a + k) != load<i32>(b + k)) return false;
  for (; k < len; k++) if (load<u8>(a + k) != load<u8>(b + k)) return false;
  return true;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` then a comma, into `num`; false for any other shape. */
function time(i: i32): bool {
  if (byte(i + 4) != 0x2d || byte(i + 7) != 0x2d || byte(i + 10) != 0x20 || byte(i + 13) != 0x3a || byte(i + 16) != 0x3a || byte(i + 19) != DOT || byte(i + 23) != COMMA) return false;
  const ymd = digit(i) * 1000 + digit(i + 1) * 100 + digit(i + 2) * 10 + digit(i + 3);
  const key = ymd * 10000 + (digit(i + 5) * 10 + digit(i + 6)) * 100 + digit(i + 8) * 10 + digit(i + 9);
  const h = digit(i + 11) * 10 + digit(i + 12);
  const mi = digit(i + 14) * 10 + digit(i + 15);
  const sec = digit(i + 17) * 10 + digit(i + 18);
  const ms = digit(i + 20) * 100 + digit(i + 21) * 10 + digit(i + 22);
  if (!(h < 24 && mi < 60 && sec < 61 && ms < 1000 && key < 100000000)) return false;
  if (key != lastDateKey) {
    const day = dayStart(i, h, mi, sec);
    if (day != day) return false;
    lastDateKey = key;
    lastDayMs = day;
  }
  at = i + 23;
  num = lastDayMs + <f64>(h * 3600000) + <f64>(mi * 60000) + <f64>(sec * 1000) + <f64>ms;
  return true;
}

/** A plain decimal count (`12`, `0.081`) then a comma, into `num`; false otherwise (the JS path reads the rest). */
function count(i: i32): bool {
  let neg = false;
  if (byte(i) == 0x2d) {
    neg = true;
    i++;
  }
  // Digits in an integer: at most 15 of them, so this is exactly the double the JS path builds
  // digit by digit, without a multiply-add in floating point per digit.
  let mant: i64 = 0;
  let digits = 0;
  let c = byte(i) - 0x30;
  while (<u32>c <= 9) {
    mant = mant * 10 + <i64>c;
    digits++;
    c = byte(++i) - 0x30;
  }
  let scale = 0;
  if (c == DOT - 0x30) {
    c = byte(++i) - 0x30;
    while (<u32>c <= 9) {
      mant = mant * 10 + <i64>c;
      scale++;
      c = byte(++i) - 0x30;
    }
  }
  if (digits + scale == 0 || digits + scale > 15 || byte(i) != COMMA) return false;
  const m = <f64>mant;
  const v = scale == 0 ? m : m / unchecked(POW10[scale]);
  num = neg ? -v : v;
  at = i;
  return num >= 0;
}

/**
 * The decimal digits at `i`, as an integer into `digitsValue` (exact up to 9 digits; the caller
 * refuses more): returns how many there are, `at` after them.
 */
function digitsAt(i: i32): i32 {
  let v = 0;
  let n = 0;
  let c = byte(i) - 0x30;
  while (<u32>c <= 9) {
    if (n < 9) v = v * 10 + c;
    n++;
    c = byte(++i) - 0x30;
  }
  digitsValue = v;
  at = i;
  return n;
}

/**
 * A port `445`, `445.0` or ICMP `3.3` then a comma: the whole part, or -1 for another shape; the
 * fraction and its digit count (0: no dot) into portFraction and portFractionDigits.
 */
function port(i: i32): i32 {
  const digits = digitsAt(i);
  if (digits == 0 || digits > 6) return -1;
  const whole = digitsValue;
  portFraction = 0;
  portFractionDigits = 0;
  if (byte(at) != DOT) return byte(at) == COMMA ? whole : -1;
  const fd = digitsAt(at + 1);
  if (fd == 0 || fd > 3 || byte(at) != COMMA) return -1;
  portFraction = digitsValue;
  portFractionDigits = fd;
  return whole;
}

/**
 * A text field: its end into `at`, its hash (hashBytes in byte-dictionary.ts) returned; the end
 * is -1 for a quoted field (the JS path reads those).
 */
function text(i: i32): i32 {
  if (byte(i) == QUOTE) {
    at = -1;
    return 0;
  }
  // Four bytes at a time while none is below '-' (every separator is; hashBytes takes whole
  // little-endian words first, then the last bytes one by one).
  let h = HASH_SEED;
  let w = load<i32>(i);
  while (((w - 0x2d2d2d2d) & ~w & <i32>0x80808080) == 0) {
    h = (h ^ w) * HASH_MUL;
    i += 4;
    w = load<i32>(i);
  }
  let e = i;
  while (!isSep(byte(e))) e++;
  for (; i + 4 <= e; i += 4) h = (h ^ load<i32>(i)) * HASH_MUL;
  for (; i < e; i++) h = (h ^ byte(i)) * HASH_MUL;
  at = e;
  return h;
}

/** A text field at `i` into the record words at `o` (start, end, hash); false for a quote, or an empty required field. */
function textField(i: i32, o: i32, required: bool): bool {
  const h = text(i);
  if (at < 0 || (required && at == i)) return false;
  store<i32>(o, i);
  store<i32>(o + 4, at);
  store<i32>(o + 8, h);
  return true;
}

/**
 * Scans rows from `pos` (all complete before `end`) into the row outputs, at most `maxRows`;
 * returns how many. Stops early at a row of another shape: stopPosition() says where.
 */
export function scan(pos: i32, end: i32, maxRows: i32): i32 {
  lastProtoStart = -1;
  lastTailStart = -1;
  inputEnd = end;
  if (maxRows > MAX_ROWS) maxRows = MAX_ROWS;
  let r = 0;
  for (; r < maxRows && pos < end; r++) {
    const next = row(pos, r);
    if (next < 0) break;
    pos = next;
  }
  stoppedAt = pos;
  return r;
}

function row(i: i32, r: i32): i32 {
  const rec = REC_BASE + r * REC * 4;
  store<i32>(rec, i);
  if (!time(i)) return -1;
  store<f64>(F64_BASE + r * 8, num);
  if (!count(at + 1)) return -1;
  store<f64>(F64_BASE + (MAX_ROWS + r) * 8, num);
  // Protocol: the same bytes as the row before, or text to look up.
  i = at + 1;
  if (!textField(i, rec + 28, true)) return -1;
  const protoLen = at - i;
  store<i32>(rec + 24, lastProtoStart >= 0 && protoLen == lastProtoLen && sameBytes(i, lastProtoStart, protoLen) ? 1 : 0);
  lastProtoStart = i;
  lastProtoLen = protoLen;
  if (byte(at) != COMMA || !textField(at + 1, rec + 40, true) || byte(at) != COMMA) return -1;
  let p = port(at + 1);
  // A source port is never ICMP's type.code: `445.0` only.
  if (p < 0 || portFraction != 0 || p > 0xffff) return -1;
  store<i32>(rec + 4, p);
  if (!textField(at + 1, rec + 52, true) || byte(at) != COMMA) return -1;
  p = port(at + 1);
  if (p < 0) return -1;
  store<i32>(rec + 8, p);
  store<i32>(rec + 116, portFractionDigits);
  store<i32>(rec + 120, portFraction);
  if (!count(at + 1)) return -1;
  store<f64>(F64_BASE + (2 * MAX_ROWS + r) * 8, num);
  if (!count(at + 1)) return -1;
  store<f64>(F64_BASE + (3 * MAX_ROWS + r) * 8, num);
  if (!count(at + 1)) return -1;
  store<f64>(F64_BASE + (4 * MAX_ROWS + r) * 8, num);
  // Flags: `UAPRSF` with `.` for unset.
  i = at + 1;
  if (byte(i + 6) != COMMA) return -1;
  let bits = 0;
  for (let k = 0; k < 6; k++) {
    const c = byte(i + k);
    if (c == unchecked(FLAGS6[k])) bits |= 0x20 >> k;
    else if (c != DOT) return -1;
  }
  store<i32>(rec + 12, bits);
  const tosDigits = digitsAt(i + 7);
  if (tosDigits == 0 || tosDigits > 9 || digitsValue > 255 || byte(at) != COMMA) return -1;
  store<i32>(rec + 16, digitsValue);
  i = at + 1;
  // The four label fields and the line end: as in the row before (nearly always), or each as text.
  const tailAt = i;
  if (lastTailStart >= 0 && i + lastTailLen <= inputEnd && sameBytes(i, lastTailStart, lastTailLen)) {
    store<i32>(rec + 64, 1);
    i += lastTailLen;
  } else {
    store<i32>(rec + 64, 0);
    for (let f = 0; f < 4; f++) {
      // The class label is required; the attack fields may be empty.
      if (!textField(i, rec + 68 + f * 12, f == 0)) return -1;
      i = at;
      if (f < 3) {
        if (byte(i) != COMMA) return -1;
        i++;
      }
    }
    if (byte(i) == CR) i++;
    if (byte(i) != LF) return -1;
    i++;
    lastTailStart = tailAt;
    lastTailLen = i - tailAt;
  }
  return i;
}
