// AssemblyScript: the CIDDS fast path's scan of plain rows (src/flows/wasm-rows.ts drives it).
// It takes only the shapes the JavaScript fast path (fast-row.ts) reads without help and gives
// exactly its numbers; anything else stops the scan at that row, which then goes to the
// JavaScript parsers as before. Text fields are looked up in caches of the dictionaries' codes
// (byte spelling -> code) that the JavaScript side fills: a value not in its cache stops the scan
// with the row's fields left for that side, which owns the dictionaries, new values and
// normalisation. So a plain row of known values never leaves WebAssembly, and the batch gets a
// whole scan's rows column by column in one copy each.

// Output of a scan, row r (offsets listed in wasm-rows.ts, which must agree):
// - column-major values: f64 columns at F64_BASE, i32 columns (codes and ports) at I32_BASE, u8
//   columns (flags, ToS) at U8_BASE, MAX_ROWS entries each;
// - an i32 record of REC words at REC_BASE + r * REC * 4: where the row and its text fields are,
//   for the row a scan stopped at because a value was not in a cache.
const MAX_ROWS: i32 = 4096;
const F64_BASE: i32 = 65536;
const F_START: i32 = 0;
const F_DURATION: i32 = 1;
const F_PACKETS: i32 = 2;
const F_BYTES: i32 = 3;
const F_FLOWS: i32 = 4;
const REC: i32 = 32;
const REC_BASE: i32 = F64_BASE + 5 * MAX_ROWS * 8;
const I32_BASE: i32 = REC_BASE + MAX_ROWS * REC * 4;
const C_PROTO: i32 = 0;
const C_SRC: i32 = 1;
const C_DST: i32 = 2;
const C_SRC_PORT: i32 = 3;
const C_DST_PORT: i32 = 4;
const C_LABEL: i32 = 5;
const U8_BASE: i32 = I32_BASE + 9 * MAX_ROWS * 4;
const U_FLAGS: i32 = 0;
const U_TOS: i32 = 1;
// Record words (byte offsets).
const R_START: i32 = 0;
const R_END: i32 = 4;
const R_DST_PORT: i32 = 8;
const R_PROTO_SAME: i32 = 24;
const R_TAIL_SAME: i32 = 64;
const R_PROTO: i32 = 28;
const R_SRC: i32 = 40;
const R_DST: i32 = 52;
const R_LABELS: i32 = 68;
const R_DST_FRACTION_DIGITS: i32 = 116;
const R_DST_FRACTION: i32 = 120;

// The code caches, one per dictionary: open addressing, slot = [hash, length + 1 (0 = empty), code,
// then the key's bytes (up to INLINE of them) or, for a longer key, its start in the pool], 32
// bytes, so that a lookup of a short key (an address) reads one cache line. A table doubles up to
// its largest size; a full cache takes no more entries (its misses go to the JavaScript
// dictionaries, as a new value does).
const D_PROTO: i32 = 0;
const D_ADDR: i32 = 1;
const D_LABEL: i32 = 2;
const DICTS: i32 = 6;
const SLOT: i32 = 32;
const INLINE: i32 = 20;
const META_BASE: i32 = U8_BASE + 2 * MAX_ROWS;
const M_SLOTS: i32 = 0;
const M_MASK: i32 = 4;
const M_MAX_SLOTS: i32 = 8;
const M_POOL: i32 = 12;
const M_POOL_SIZE: i32 = 16;
const M_USED: i32 = 20;
const M_POOL_USED: i32 = 24;
const META: i32 = 32;
/** Per protocol code below ICMP_CODES: 1 where ICMP's type.code is in its destination port. */
const ICMP_BASE: i32 = META_BASE + DICTS * META;
const ICMP_CODES: i32 = 4096;
const CACHE_BASE: i32 = ICMP_BASE + ICMP_CODES;
const FIRST_SLOTS: i32 = 1024;
const ADDR_SLOTS: i32 = 65536;
const ADDR_POOL: i32 = 1 << 20;
const SMALL_SLOTS: i32 = 4096;
const SMALL_POOL: i32 = 65536;
/** Where a table is copied while it doubles: room for the largest table before its last doubling. */
const REHASH_BASE: i32 = CACHE_BASE + ADDR_SLOTS * SLOT + ADDR_POOL + (DICTS - 1) * (SMALL_SLOTS * SLOT + SMALL_POOL);
/** First byte of the input: the rows to scan are copied here. */
export const INPUT_BASE: i32 = (REHASH_BASE + (ADDR_SLOTS / 2) * SLOT + 65535) & ~65535;

// Why a scan stopped (stopReason()).
const STOP_END: i32 = 0;
const STOP_ROOM: i32 = 1;
/** A row of another shape, or a number the JavaScript path must judge: that path reads it. */
const STOP_SHAPE: i32 = 2;
/** A row whose text fields are not all in the caches: its record and its codes (-1 = missing) are left at the stop row. */
const STOP_MISS: i32 = 3;

const COMMA: i32 = 0x2c;
const LF: i32 = 0x0a;
const CR: i32 = 0x0d;
const QUOTE: i32 = 0x22;
const DOT: i32 = 0x2e;
const SPACE: i32 = 0x20;
const TAB: i32 = 0x09;
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
let stopReasonCode: i32 = 0;
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

/** Why the last scan stopped (STOP_* above). */
export function stopReason(): i32 {
  return stopReasonCode;
}

function initCache(d: i32, at: i32, maxSlots: i32, pool: i32): i32 {
  const m = META_BASE + d * META;
  store<i32>(m + M_SLOTS, at);
  store<i32>(m + M_MASK, FIRST_SLOTS - 1);
  store<i32>(m + M_MAX_SLOTS, maxSlots);
  store<i32>(m + M_POOL, at + maxSlots * SLOT);
  store<i32>(m + M_POOL_SIZE, pool);
  return at + maxSlots * SLOT + pool;
}

let cachesReady = false;

/** Sets up the empty caches (memory starts zeroed: every slot empty). */
export function init(): void {
  if (cachesReady) return;
  let a = initCache(D_PROTO, CACHE_BASE, SMALL_SLOTS, SMALL_POOL);
  a = initCache(D_ADDR, a, ADDR_SLOTS, ADDR_POOL);
  for (let d = D_LABEL; d < DICTS; d++) a = initCache(d, a, SMALL_SLOTS, SMALL_POOL);
  cachesReady = true;
}

@inline function slotOf(h: i32): i32 {
  const x = (h ^ (h >>> 16)) * <i32>0x85ebca6b;
  return x ^ (x >>> 13);
}

/** The cached code of the bytes [start, end) with hash h in dictionary d's cache, or -1. */
function lookup(d: i32, start: i32, end: i32, h: i32): i32 {
  const m = META_BASE + d * META;
  const slots = load<i32>(m + M_SLOTS);
  const mask = load<i32>(m + M_MASK);
  const len = end - start;
  let s = slotOf(h) & mask;
  let x = slots + s * SLOT;
  let l1 = load<i32>(x + 4);
  while (l1 != 0) {
    if (load<i32>(x) == h && l1 == len + 1 && sameBytes(start, len <= INLINE ? x + 12 : load<i32>(m + M_POOL) + load<i32>(x + 12), len)) return load<i32>(x + 8);
    s = (s + 1) & mask;
    x = slots + s * SLOT;
    l1 = load<i32>(x + 4);
  }
  return -1;
}

/** The empty slot for hash h in the table at `slots`. */
function freeSlot(slots: i32, mask: i32, h: i32): i32 {
  let s = slotOf(h) & mask;
  while (load<i32>(slots + s * SLOT + 4) != 0) s = (s + 1) & mask;
  return slots + s * SLOT;
}

/** Doubles the table of the cache whose metadata is at m; entries move to their slots in the larger one. */
function grow(m: i32): void {
  const slots = load<i32>(m + M_SLOTS);
  const size = load<i32>(m + M_MASK) + 1;
  memory.copy(REHASH_BASE, slots, size * SLOT);
  memory.fill(slots, 0, 2 * size * SLOT);
  const mask = 2 * size - 1;
  store<i32>(m + M_MASK, mask);
  for (let k = 0; k < size; k++) {
    const y = REHASH_BASE + k * SLOT;
    if (load<i32>(y + 4) != 0) memory.copy(freeSlot(slots, mask, load<i32>(y)), y, SLOT);
  }
}

/** Empties cache d (its dictionary was replaced: its codes mean other values now). */
export function clear(d: i32): void {
  const m = META_BASE + d * META;
  memory.fill(load<i32>(m + M_SLOTS), 0, (load<i32>(m + M_MASK) + 1) * SLOT);
  store<i32>(m + M_MASK, FIRST_SLOTS - 1);
  store<i32>(m + M_USED, 0);
  store<i32>(m + M_POOL_USED, 0);
}

/**
 * Enters the bytes [start, end) (hash h) with their dictionary code into cache d, unless the
 * cache is full; `icmp` marks a protocol whose destination port holds ICMP's type.code.
 */
export function remember(d: i32, start: i32, end: i32, h: i32, code: i32, icmp: i32): void {
  if (d == D_PROTO) {
    if (<u32>code >= <u32>ICMP_CODES) return;
    store<u8>(ICMP_BASE + code, <u8>icmp);
  }
  if (lookup(d, start, end, h) >= 0) return;
  const m = META_BASE + d * META;
  const used = load<i32>(m + M_USED);
  const len = end - start;
  let poolAt = 0;
  if (len > INLINE) {
    poolAt = load<i32>(m + M_POOL_USED);
    if (poolAt + len > load<i32>(m + M_POOL_SIZE)) return;
  }
  if ((used + 1) * 4 > (load<i32>(m + M_MASK) + 1) * 3) {
    if (load<i32>(m + M_MASK) + 1 == load<i32>(m + M_MAX_SLOTS)) return;
    grow(m);
  }
  const x = freeSlot(load<i32>(m + M_SLOTS), load<i32>(m + M_MASK), h);
  if (len <= INLINE) memory.copy(x + 12, start, len);
  else {
    memory.copy(load<i32>(m + M_POOL) + poolAt, start, len);
    store<i32>(x + 12, poolAt);
    store<i32>(m + M_POOL_USED, poolAt + len);
  }
  store<i32>(x, h);
  store<i32>(x + 4, len + 1);
  store<i32>(x + 8, code);
  store<i32>(m + M_USED, used + 1);
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

@inline function isBlank(c: i32): bool {
  return c == SPACE || c == TAB;
}

/**
 * A count scaled by a unit as nfdump prints large ones (` 2.1 M`, `12.0 K`, `1.5 G`) then a comma,
 * into `num`, exactly as parseScaledCount (byte-parse.ts) computes it; false for any other shape.
 */
function scaledCount(i: i32): bool {
  while (isBlank(byte(i))) i++;
  let mant: i64 = 0;
  let digits = 0;
  let scale = 0;
  let seenDot = false;
  for (;;) {
    const c = byte(i) - 0x30;
    if (<u32>c <= 9) {
      mant = mant * 10 + <i64>c;
      digits++;
      if (seenDot) scale++;
    } else if (c == DOT - 0x30 && !seenDot) seenDot = true;
    else break;
    i++;
  }
  while (isBlank(byte(i))) i++;
  const unit = byte(i);
  let factor: f64 = 0;
  if (unit == 0x4d) factor = 1e6;
  else if (unit == 0x4b || unit == 0x6b) factor = 1e3;
  else if (unit == 0x47) factor = 1e9;
  else if (unit == 0x54) factor = 1e12;
  else return false;
  i++;
  while (isBlank(byte(i))) i++;
  if (byte(i) != COMMA || digits == 0 || digits > 15) return false;
  num = (<f64>mant * factor) / unchecked(POW10[scale]);
  at = i;
  return true;
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

/** The cached code of the text field whose record words are at `o`, into i32 column `col` of row r; false if not cached. */
@inline function code(d: i32, o: i32, col: i32, r: i32): bool {
  const c = lookup(d, load<i32>(o), load<i32>(o + 4), load<i32>(o + 8));
  store<i32>(I32_BASE + (col * MAX_ROWS + r) * 4, c);
  return c >= 0;
}

/**
 * Scans rows from `pos` (all complete before `end`) into the outputs, at most `maxRows`;
 * returns how many. Stops early at a row it does not take: stopPosition() says where, and
 * stopReason() why.
 */
export function scan(pos: i32, end: i32, maxRows: i32): i32 {
  lastProtoStart = -1;
  lastTailStart = -1;
  inputEnd = end;
  if (maxRows > MAX_ROWS) maxRows = MAX_ROWS;
  let r = 0;
  let reason = STOP_END;
  for (; pos < end; r++) {
    if (r == maxRows) {
      reason = STOP_ROOM;
      break;
    }
    const next = row(pos, r);
    if (next < 0) {
      reason = next == -1 ? STOP_SHAPE : STOP_MISS;
      break;
    }
    pos = next;
  }
  stopReasonCode = reason;
  stoppedAt = pos;
  return r;
}

@inline function f64Out(col: i32, r: i32, v: f64): void {
  store<f64>(F64_BASE + (col * MAX_ROWS + r) * 8, v);
}

@inline function i32Out(col: i32, r: i32, v: i32): void {
  store<i32>(I32_BASE + (col * MAX_ROWS + r) * 4, v);
}

@inline function i32At(col: i32, r: i32): i32 {
  return load<i32>(I32_BASE + (col * MAX_ROWS + r) * 4);
}

/**
 * Row r at `i`: returns where the next row starts, or -1 for a row of another shape, or -2 for one
 * whose texts are not all cached (its record and the codes found are left for the caller).
 */
function row(i: i32, r: i32): i32 {
  const rec = REC_BASE + r * REC * 4;
  store<i32>(rec + R_START, i);
  if (!time(i)) return -1;
  f64Out(F_START, r, num);
  if (!count(at + 1)) return -1;
  f64Out(F_DURATION, r, num);
  // Protocol: the same bytes as the row before, or text to look up.
  i = at + 1;
  if (!textField(i, rec + R_PROTO, true)) return -1;
  const protoLen = at - i;
  store<i32>(rec + R_PROTO_SAME, lastProtoStart >= 0 && protoLen == lastProtoLen && sameBytes(i, lastProtoStart, protoLen) ? 1 : 0);
  lastProtoStart = i;
  lastProtoLen = protoLen;
  if (byte(at) != COMMA || !textField(at + 1, rec + R_SRC, true) || byte(at) != COMMA) return -1;
  let p = port(at + 1);
  // A source port is never ICMP's type.code: `445.0` only.
  if (p < 0 || portFraction != 0 || p > 0xffff) return -1;
  i32Out(C_SRC_PORT, r, p);
  if (!textField(at + 1, rec + R_DST, true) || byte(at) != COMMA) return -1;
  p = port(at + 1);
  if (p < 0) return -1;
  store<i32>(rec + R_DST_PORT, p);
  store<i32>(rec + R_DST_FRACTION_DIGITS, portFractionDigits);
  store<i32>(rec + R_DST_FRACTION, portFraction);
  // Counts: plain, or scaled (` 2.1 M`).
  i = at + 1;
  if (!count(i) && !scaledCount(i)) return -1;
  f64Out(F_PACKETS, r, num);
  i = at + 1;
  if (!count(i) && !scaledCount(i)) return -1;
  f64Out(F_BYTES, r, num);
  i = at + 1;
  if (!count(i) && !scaledCount(i)) return -1;
  f64Out(F_FLOWS, r, num);
  // Flags: `UAPRSF` with `.` for unset.
  i = at + 1;
  if (byte(i + 6) != COMMA) return -1;
  let bits = 0;
  for (let k = 0; k < 6; k++) {
    const c = byte(i + k);
    if (c == unchecked(FLAGS6[k])) bits |= 0x20 >> k;
    else if (c != DOT) return -1;
  }
  store<u8>(U8_BASE + U_FLAGS * MAX_ROWS + r, <u8>bits);
  const tosDigits = digitsAt(i + 7);
  if (tosDigits == 0 || tosDigits > 9 || digitsValue > 255 || byte(at) != COMMA) return -1;
  store<u8>(U8_BASE + U_TOS * MAX_ROWS + r, <u8>digitsValue);
  i = at + 1;
  // The four label fields and the line end: as in the row before (nearly always), or each as text.
  const tailAt = i;
  if (lastTailStart >= 0 && i + lastTailLen <= inputEnd && sameBytes(i, lastTailStart, lastTailLen)) {
    store<i32>(rec + R_TAIL_SAME, 1);
    i += lastTailLen;
  } else {
    store<i32>(rec + R_TAIL_SAME, 0);
    for (let f = 0; f < 4; f++) {
      // The class label is required; the attack fields may be empty.
      if (!textField(i, rec + R_LABELS + f * 12, f == 0)) return -1;
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
  store<i32>(rec + R_END, i);
  const got = codes(r);
  return got == 0 ? i : got;
}

/**
 * Row r's codes (the rows of the scan before it have theirs) and its destination port, which depends on the
 * protocol: 0, or -1 for a port the JavaScript path must judge, or -2 for a text not in its cache
 * (the codes found are left in the columns, -1 for the others).
 */
@inline function codes(r: i32): i32 {
  const rec = REC_BASE + r * REC * 4;
  let found = true;
  let proto: i32;
  if (load<i32>(rec + R_PROTO_SAME) != 0) {
    proto = i32At(C_PROTO, r - 1);
    i32Out(C_PROTO, r, proto);
  } else {
    found = code(D_PROTO, rec + R_PROTO, C_PROTO, r);
    proto = i32At(C_PROTO, r);
  }
  found = code(D_ADDR, rec + R_SRC, C_SRC, r) && found;
  found = code(D_ADDR, rec + R_DST, C_DST, r) && found;
  if (load<i32>(rec + R_TAIL_SAME) != 0) {
    for (let f = 0; f < 4; f++) i32Out(C_LABEL + f, r, i32At(C_LABEL + f, r - 1));
  } else {
    for (let f = 0; f < 4; f++) found = code(D_LABEL + f, rec + R_LABELS + f * 12, C_LABEL + f, r) && found;
  }
  // `3.3` is ICMP's type.code; other protocols take `445.0` only. Unknown until the protocol is.
  if (proto < 0) return -2;
  let p = load<i32>(rec + R_DST_PORT);
  if (load<i32>(rec + R_DST_FRACTION_DIGITS) != 0) {
    if (load<u8>(ICMP_BASE + proto) != 0) p = p * 256 + load<i32>(rec + R_DST_FRACTION);
    else if (load<i32>(rec + R_DST_FRACTION) != 0) return -1;
  }
  if (p > 0xffff) return -1;
  i32Out(C_DST_PORT, r, p);
  return found ? 0 : -2;
}
