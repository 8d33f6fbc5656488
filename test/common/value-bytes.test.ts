// The byte fast paths of value-bytes.ts against parseText: on every input a fast path either
// declines (undefined) or returns exactly what parseText returns; inputs parseText rejects are
// always declined, so errors keep coming from parseText. Also the plain-text fast paths of
// Decimal.parse and parseDate against their general parsers (reached by padding with a space,
// which only the general parsers accept).

import { describe, expect, it } from 'vitest';
import { parseDate } from '../../src/common/datetime.js';
import { Decimal } from '../../src/common/decimal.js';
import { Types, type DataType, type Value } from '../../src/common/types.js';
import { bytesParserFor } from '../../src/common/value-bytes.js';
import { parseText } from '../../src/common/value-text.js';

function fastPath(type: DataType, text: string): Value | undefined {
  const parser = bytesParserFor(type);
  if (parser === undefined) throw new Error(`no fast path for ${type.name}`);
  const padded = Buffer.from(`##${text}##`, 'utf8');
  return parser(padded, 2, padded.length - 2);
}

function slowPath(type: DataType, text: string): { value: Value } | { error: unknown } {
  try {
    return { value: parseText(type, text) };
  } catch (error) {
    return { error };
  }
}

function expectAgreement(type: DataType, inputs: readonly string[]): number {
  let handled = 0;
  for (const text of inputs) {
    const fast = fastPath(type, text);
    if (fast === undefined) continue;
    handled++;
    expect(slowPath(type, text), `${type.name} ${JSON.stringify(text)}`).toEqual({ value: fast });
  }
  return handled;
}

const numeric152: DataType = { name: 'numeric', precision: 15, scale: 2 };
const numeric31: DataType = { name: 'numeric', precision: 3, scale: 1 };

/** Seeded random inputs built from the characters these parsers care about. */
function randomInputs(alphabet: string, count: number, lengthMax: number): string[] {
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  return Array.from({ length: count }, () => {
    const length = Math.floor(random() * (lengthMax + 1));
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)] ?? '';
    return text;
  });
}

describe('byte fast paths', () => {
  it('integers', () => {
    const inputs = ['0', '-0', '+0', '7', '-7', '007', '32767', '-32768', '32768', '99999', '2147483647', '-2147483648',
      '2147483648', '999999999', '-999999999', '1000000000', '9007199254740991', '999999999999999', '-999999999999999',
      '1000000000000000', '9223372036854775807', '', '-', '+', ' 1', '1 ', '1.0', '1e3', 'x', '٣'];
    expect(expectAgreement(Types.int2, inputs)).toBeGreaterThan(3);
    expect(expectAgreement(Types.int4, inputs)).toBeGreaterThan(5);
    expect(expectAgreement(Types.int8, inputs)).toBeGreaterThan(10);
    for (const type of [Types.int2, Types.int4, Types.int8]) expectAgreement(type, randomInputs('0123456789+- .', 3000, 18));
  });

  it('numerics', () => {
    const inputs = ['0', '-0', '0.00', '-0.00', '1', '1.5', '1.50', '1.505', '.5', '5.', '-.5', '12345678901.23', '9999999999999.99',
      '10000000000000.00', '99999999999999', '123456789012345', '1234567890123456', '00001.10', '+3.14', '1e2', '', '.', '-', 'NaN', ' 1.0'];
    for (const type of [numeric152, numeric31, Types.numeric]) expectAgreement(type, inputs);
    expect(expectAgreement(numeric152, inputs)).toBeGreaterThan(10);
    for (const type of [numeric152, numeric31, Types.numeric]) expectAgreement(type, randomInputs('0123456789+-.', 3000, 18));
  });

  it('dates', () => {
    const inputs = ['1992-01-01', '1998-08-02', '2000-02-29', '1900-02-29', '2024-02-29', '2023-02-29', '2024-04-31', '2024-12-31',
      '0001-01-01', '0000-01-01', '9999-12-31', '2024-13-01', '2024-00-10', '2024-01-00', '2024-1-01', '20240101', '2024/01/01',
      ' 2024-01-01', '2024-01-01 ', 'x024-01-01', '2024-01-0x'];
    expect(expectAgreement(Types.date, inputs)).toBe(7);
    expectAgreement(Types.date, randomInputs('0123-', 5000, 10).map((text) => text.padStart(10, '1')));
  });
});

function outcome(parse: () => unknown): unknown {
  try {
    return { value: parse() };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

describe('plain-text fast paths', () => {
  it('Decimal.parse', () => {
    const inputs = ['0', '-0', '1.50', '-.5', '5.', '007.10', '123456789012345', '12345678901234.5', '1234567890123456', '+3', '-', '.', '1..2', ''];
    for (const text of [...inputs, ...randomInputs('0123456789+-.', 3000, 18)]) {
      if (text.trim() === '') continue;
      const expected = outcome(() => Decimal.parse(` ${text} `));
      const actual = outcome(() => Decimal.parse(text));
      if ('error' in (expected as object)) expect((actual as { error?: string }).error, text).toBe((expected as { error: string }).error.replace(` ${text} `, text));
      else expect(actual, text).toEqual(expected);
    }
  });

  it('parseDate', () => {
    const inputs = ['1992-01-01', '2000-02-29', '1900-02-29', '2024-04-31', '0001-01-01', '0000-01-01', '9999-12-31', '2024-13-01'];
    for (const text of [...inputs, ...randomInputs('0123-', 5000, 10).map((random) => random.padStart(10, '1'))]) {
      const expected = outcome(() => parseDate(` ${text}`));
      const actual = outcome(() => parseDate(text));
      if ('error' in (expected as object)) expect((actual as { error?: string }).error, text).toBe((expected as { error: string }).error.replace(` ${text}`, text));
      else expect(actual, text).toEqual(expected);
    }
  });
});
