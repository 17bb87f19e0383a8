import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FlowDictionaries } from '../../src/flows/batch-builder.js';
import { ByteDictionary } from '../../src/flows/byte-dictionary.js';
import { FieldScanner } from '../../src/flows/field-scanner.js';

/** The fast path's text scanner, opened up: it hashes while it scans, four bytes at a time. */
class TextScanner extends FieldScanner {
  constructor() {
    super(1, new FlowDictionaries());
  }

  codeAt(buf: Uint8Array, i: number, dict: ByteDictionary): { code: number; end: number } {
    this.useBuffer(buf);
    const code = this.text(buf, i, dict, false);
    return { code, end: this.at };
  }
}

// Field bytes: anything but a separator or a leading quote, including spaces, '+' and UTF-8.
const fieldByte = fc.integer({ min: 1, max: 255 }).filter((b) => b !== 0x2c && b !== 0x0a && b !== 0x0d && b !== 0x22);

test('property: the fast scanner finds every value the general path added, at any offset and length', () => {
  fc.assert(
    fc.property(fc.array(fc.array(fieldByte, { maxLength: 23 }).map((a) => Uint8Array.from(a)), { minLength: 1, maxLength: 8 }), fc.nat(5), (values, pad) => {
      const dict = new ByteDictionary((s) => s);
      const scanner = new TextScanner();
      const codes = values.map((v) => dict.code(v, 0, v.length));
      // The values as one CSV row after `pad` bytes of another field, so words straddle fields.
      const row = Buffer.concat([Buffer.alloc(pad, 0x78), Buffer.from([0x2c]), ...values.flatMap((v) => [Buffer.from(v), Buffer.from([0x2c])]), Buffer.from('\n')]);
      let at = pad + 1;
      values.forEach((v, k) => {
        const { code, end } = scanner.codeAt(row, at, dict);
        assert.equal(end, at + v.length);
        assert.equal(code, codes[k]);
        at = end + 1;
      });
    }),
  );
});

test('a value entered as a string is found by its bytes later, under the same code', () => {
  const dict = new ByteDictionary();
  assert.equal(dict.codeOfValue('10000_34'), 0);
  assert.equal(dict.codeOfValue(' DNS '), 1);
  const bytes = Buffer.from('x,10000_34,DNS,new\n');
  assert.equal(dict.code(bytes, 2, 10), 0);
  assert.equal(dict.code(bytes, 11, 14), 1);
  assert.equal(dict.code(bytes, 15, 18), 2);
  assert.deepEqual(dict.values, ['10000_34', 'DNS', 'new']);
});
