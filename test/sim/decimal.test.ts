import assert from 'node:assert/strict';
import { test } from 'node:test';
import Big from 'big.js';
import fc from 'fast-check';
import {
  decAdd,
  decDiv,
  decFromDoubleExact,
  decFromDoublePrecision,
  decFromString,
  decMul,
  decToString,
  plainNumberLexeme,
} from '../../src/sim/decimal.ts';
import { toJsonText, RawNumber } from '../../src/sim/json.ts';

const positive = fc.double({ min: 1e-12, max: 1e12, noNaN: true, noDefaultInfinity: true });
const decimalText = fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 40 })).map(([m, s]) => decToString({ m, s }));

test('the exact value of a double has all its digits (212.61… has 45 decimals)', () => {
  assert.equal(decToString(decFromDoubleExact(0.5)), '0.5');
  assert.equal(decToString(decFromDoubleExact(3)), '3.0');
  assert.equal(decToString(decFromDoubleExact(0.1)), '0.1000000000000000055511151231257827021181583404541015625');
  fc.assert(fc.property(positive, (x) => Number(decToString(decFromDoubleExact(x))) === x));
});

test('plain number lexemes round-trip and never use exponents', () => {
  assert.equal(plainNumberLexeme(1.613691542742065e-5), '0.00001613691542742065');
  assert.equal(plainNumberLexeme(941.0332575772828), '941.0332575772828');
  assert.equal(plainNumberLexeme(1e21), '1000000000000000000000');
  fc.assert(
    fc.property(positive, (x) => {
      const lexeme = plainNumberLexeme(x);
      return /^\d+(\.\d+)?$/.test(lexeme) && Number(lexeme) === x;
    }),
  );
});

test('arithmetic is exact (checked against big.js)', () => {
  fc.assert(
    fc.property(decimalText, decimalText, (a, b) => {
      const x = decFromString(a);
      const y = decFromString(b);
      return new Big(decToString(decMul(x, y))).eq(new Big(a).times(b)) && new Big(decToString(decAdd(x, y))).eq(new Big(a).plus(b));
    }),
  );
  assert.equal(decToString(decDiv(decFromString('2.505487036'), decFromString('0.000000232249498856316'), 6)), '10787911.484579');
  assert.equal(decToString(decFromDoublePrecision(1.19542577944133e-7, 15)), '0.000000119542577944133');
});

test('JSON text keeps raw number lexemes verbatim', () => {
  const text = toJsonText({ list: [[1, new RawNumber('0.00001613691542742065')]], s: 'a"b', n: null, skip: undefined });
  assert.equal(text, '{"list":[[1,0.00001613691542742065]],"s":"a\\"b","n":null}');
  assert.throws(() => new RawNumber('1e-5'));
});
