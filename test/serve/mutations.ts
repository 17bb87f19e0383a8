/** Mutations of CSV lines for the property tests: each keeps to its own line (no quotes, no line breaks). */
import fc from 'fast-check';
import { CIDDS_HEADER } from '../../src/flows/cidds-format.js';

const FIELDS = CIDDS_HEADER.length;
export const TRICKY = ['', ' ', 'NaN', '-1', '1e309', '-0', '0x', '0xzz', '99999999999999999999', '∞', '\u0000', '2017-02-30 00:00:00.000', '.', '---', '1.2.3', ' 2.1 Q', 'TCP  ', '65536', '3.300', 'é', '\u{1F600}', '\\', "'", '#'];

/** Text that cannot start a quoted field or end a line, so each mutation stays within its own line. */
const lineSafeText = fc.string({ maxLength: 12 }).map((s) => s.replace(/["\r\n]/g, '?'));

export type Mutation =
  | { kind: 'replace'; field: number; value: string }
  | { kind: 'delete'; field: number }
  | { kind: 'duplicate'; field: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'bytes'; bytes: number[] };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), field: fc.nat(FIELDS - 1), value: fc.oneof(fc.constantFrom(...TRICKY), lineSafeText) }),
  fc.record({ kind: fc.constant('delete' as const), field: fc.nat(FIELDS - 1) }),
  fc.record({ kind: fc.constant('duplicate' as const), field: fc.nat(FIELDS - 1) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(200) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(200), text: lineSafeText }),
  // Raw bytes, invalid UTF-8 included; no newline, carriage return or quote.
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }).filter((b) => b !== 10 && b !== 13 && b !== 34), { minLength: 1, maxLength: 60 }) }),
);

export function apply(line: string, m: Mutation): Buffer {
  const f = line.split(',');
  switch (m.kind) {
    case 'replace':
      f[m.field] = m.value;
      return Buffer.from(f.join(','));
    case 'delete':
      f.splice(m.field, 1);
      return Buffer.from(f.join(','));
    case 'duplicate':
      f.splice(m.field, 0, f[m.field]);
      return Buffer.from(f.join(','));
    case 'truncate':
      return Buffer.from(line.slice(0, m.at % (line.length + 1)));
    case 'insert': {
      const at = m.at % (line.length + 1);
      return Buffer.from(line.slice(0, at) + m.text + line.slice(at));
    }
    case 'bytes':
      return Buffer.from(m.bytes);
  }
}


export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms (hang)`)), ms)))]).finally(() => clearTimeout(timer));
}

