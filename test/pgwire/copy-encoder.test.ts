// CopyEncoder against PostgreSQL 15's COPY TO STDOUT: the CopyData payloads for the same values
// must be byte for byte what PostgreSQL sent (the expected data below was captured from a
// PostgreSQL 15 server running `COPY (VALUES ...) TO STDOUT` with each option set, TimeZone UTC).

import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/common/decimal.js';
import { Types, type DataType, type Value } from '../../src/common/types.js';
import { CopyEncoder } from '../../src/pgwire/copy/copy-encoder.js';
import { MessageWriter } from '../../src/pgwire/message-writer.js';
import type { ColumnDescription, CopyOptions } from '../../src/pgwire/session.js';

function column(name: string, type: DataType): ColumnDescription {
  return { name, type, tableOid: 0, columnNumber: 0 };
}

const columns = [
  column('i', Types.int4), column('t', Types.text), column('b', Types.bool), column('f', Types.float8),
  column('n', Types.numeric), column('by', Types.bytea), column('ts', Types.timestamptz), column('d', Types.date),
  column('j', Types.jsonb), column('u', Types.uuid), column('iv', Types.interval), column('i8', Types.int8),
];

const int64Max = 9_223_372_036_854_775_807n;
const rows: Value[][] = [
  [
    1, 'a\tb\nc\\d\re\bf\fgvh\x01i,j"k\'l', true, 2.5, Decimal.parse('12.340'), new Uint8Array([1, 2, 255]),
    BigInt(Date.UTC(2024, 1, 29, 12, 34, 56, 789)) * 1000n, 19_782, '{"a": "x", "b": 1}',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', { months: 12, days: 2, micros: 11_045_000_000n }, 9_007_199_254_740_993n,
  ],
  [null, '', null, null, null, null, null, null, null, null, null, null],
  [
    -7, '\\.', false, -0, Decimal.parse('NaN'), new Uint8Array(), int64Max, Number.NEGATIVE_INFINITY, '[]',
    '00000000-0000-0000-0000-000000000000', { months: -1, days: 0, micros: 0n }, -1n,
  ],
  [
    3, 'NULL', true, 1e300, Decimal.parse('0'), new Uint8Array(), BigInt(Date.UTC(1999, 11, 31, 23, 59, 59)) * 1000n, 10_957,
    'null', 'ffffffff-ffff-ffff-ffff-ffffffffffff', { months: 0, days: 0, micros: 0n }, 0n,
  ],
];

const text: CopyOptions = { format: 'text', delimiter: '\t', nullString: '\\N', header: false, quote: '"', escape: '"' };
const csv: CopyOptions = { format: 'csv', delimiter: ',', nullString: '', header: false, quote: '"', escape: '"' };

/** The CopyData payloads the encoder writes for `data` (start, rows in two batches, end). */
function encode(options: CopyOptions, data: Value[][] = rows, shape = columns): Buffer[] {
  const encoder = new CopyEncoder(shape, options, 'UTC');
  const out = new MessageWriter();
  encoder.writeStart(out);
  encoder.writeRows(out, data.slice(0, 1));
  encoder.writeRows(out, data.slice(1));
  encoder.writeEnd(out);
  const bytes = out.take();
  const payloads: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    expect(String.fromCharCode(bytes[at] as number)).toBe('d');
    const end = at + 1 + bytes.readInt32BE(at + 1);
    payloads.push(bytes.subarray(at + 5, end));
    at = end;
  }
  return payloads;
}

const asText = (payloads: Buffer[]): string[] => payloads.map((payload) => payload.toString('utf8'));
const asHex = (payloads: Buffer[]): string[] => payloads.map((payload) => payload.toString('hex'));

const expected = {
  // COPY (...) TO STDOUT
  text: [
    "1\ta\\tb\\nc\\\\d\\re\\bf\\fgvh\x01i,j\"k'l\tt\t2.5\t12.340\t\\\\x0102ff\t2024-02-29 12:34:56.789+00\t2024-02-29\t{\"a\": \"x\", \"b\": 1}\ta0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\t1 year 2 days 03:04:05\t9007199254740993\n",
    "\\N\t\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n",
    "-7\t\\\\.\tf\t-0\tNaN\t\\\\x\tinfinity\t-infinity\t[]\t00000000-0000-0000-0000-000000000000\t-1 mons\t-1\n",
    "3\tNULL\tt\t1e+300\t0\t\\\\x\t1999-12-31 23:59:59+00\t2000-01-01\tnull\tffffffff-ffff-ffff-ffff-ffffffffffff\t00:00:00\t0\n",
  ],
  // COPY (...) TO STDOUT (format csv)
  csv: [
    "1,\"a\tb\nc\\d\re\bf\fgvh\x01i,j\"\"k'l\",t,2.5,12.340,\\x0102ff,2024-02-29 12:34:56.789+00,2024-02-29,\"{\"\"a\"\": \"\"x\"\", \"\"b\"\": 1}\",a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,1 year 2 days 03:04:05,9007199254740993\n",
    ",\"\",,,,,,,,,,\n",
    "-7,\\.,f,-0,NaN,\\x,infinity,-infinity,[],00000000-0000-0000-0000-000000000000,-1 mons,-1\n",
    "3,NULL,t,1e+300,0,\\x,1999-12-31 23:59:59+00,2000-01-01,null,ffffffff-ffff-ffff-ffff-ffffffffffff,00:00:00,0\n",
  ],
  // COPY (...) TO STDOUT (format csv, header)
  csvHeader: [
    "i,t,b,f,n,by,ts,d,j,u,iv,i8\n",
    "1,\"a\tb\nc\\d\re\bf\fgvh\x01i,j\"\"k'l\",t,2.5,12.340,\\x0102ff,2024-02-29 12:34:56.789+00,2024-02-29,\"{\"\"a\"\": \"\"x\"\", \"\"b\"\": 1}\",a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,1 year 2 days 03:04:05,9007199254740993\n",
    ",\"\",,,,,,,,,,\n",
    "-7,\\.,f,-0,NaN,\\x,infinity,-infinity,[],00000000-0000-0000-0000-000000000000,-1 mons,-1\n",
    "3,NULL,t,1e+300,0,\\x,1999-12-31 23:59:59+00,2000-01-01,null,ffffffff-ffff-ffff-ffff-ffffffffffff,00:00:00,0\n",
  ],
  // COPY (...) TO STDOUT (header, delimiter ',', null 'NULL')
  textHeaderComma: [
    "i,t,b,f,n,by,ts,d,j,u,iv,i8\n",
    "1,a\\tb\\nc\\\\d\\re\\bf\\fgvh\x01i\\,j\"k'l,t,2.5,12.340,\\\\x0102ff,2024-02-29 12:34:56.789+00,2024-02-29,{\"a\": \"x\"\\, \"b\": 1},a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,1 year 2 days 03:04:05,9007199254740993\n",
    "NULL,,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL\n",
    "-7,\\\\.,f,-0,NaN,\\\\x,infinity,-infinity,[],00000000-0000-0000-0000-000000000000,-1 mons,-1\n",
    "3,NULL,t,1e+300,0,\\\\x,1999-12-31 23:59:59+00,2000-01-01,null,ffffffff-ffff-ffff-ffff-ffffffffffff,00:00:00,0\n",
  ],
  // COPY (...) TO STDOUT (format csv, delimiter '|', quote '''', escape '\', null 'NULL')
  csvCustom: [
    "1|'a\tb\nc\\\\d\re\bf\fgvh\x01i,j\"k\\'l'|t|2.5|12.340|\\x0102ff|2024-02-29 12:34:56.789+00|2024-02-29|{\"a\": \"x\", \"b\": 1}|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|1 year 2 days 03:04:05|9007199254740993\n",
    "NULL||NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n",
    "-7|\\.|f|-0|NaN|\\x|infinity|-infinity|[]|00000000-0000-0000-0000-000000000000|-1 mons|-1\n",
    "3|'NULL'|t|1e+300|0|\\x|1999-12-31 23:59:59+00|2000-01-01|null|ffffffff-ffff-ffff-ffff-ffffffffffff|00:00:00|0\n",
  ],
  // COPY (...) TO STDOUT (format binary)
  binary: [
    "5047434f50590aff0d0a000000000000000000000c0000000400000001000000176109620a635c640d6508660c677668" +
      "01692c6a226b276c00000001010000000840040000000000000000000c0002000000000003000c0d48000000030102ff" +
      "000000080002b58341728608000000040000227900000013017b2261223a202278222c202262223a20317d00000010a0" +
      "eebc999c0b4ef8bb6d6bb9bd380a11000000100000000292555340000000020000000c000000080020000000000001",
    "000cffffffff00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
      "ffff",
    "000c00000004fffffff9000000025c2e00000001000000000880000000000000000000000800000000c0000000000000" +
      "00000000087fffffffffffffff000000048000000000000003015b5d0000001000000000000000000000000000000000" +
      "00000010000000000000000000000000ffffffff00000008ffffffffffffffff",
    "000c0000000400000003000000044e554c4c0000000101000000087e37e43c8800759c00000008000000000000000000" +
      "00000000000008fffffffffff0bdc0000000040000000000000005016e756c6c00000010ffffffffffffffffffffffff" +
      "ffffffff0000001000000000000000000000000000000000000000080000000000000000",
    "ffff",
  ],
};

describe('COPY TO data', () => {
  it('text: escapes as PostgreSQL does', () => {
    expect(asText(encode(text))).toEqual(expected.text);
  });

  it('csv: quotes only where needed', () => {
    expect(asText(encode(csv))).toEqual(expected.csv);
  });

  it('csv with a header line in its own message', () => {
    expect(asText(encode({ ...csv, header: true }))).toEqual(expected.csvHeader);
  });

  it('text with header, another delimiter and null string', () => {
    expect(asText(encode({ ...text, header: true, delimiter: ',', nullString: 'NULL' }))).toEqual(expected.textHeaderComma);
  });

  it('csv with other delimiter, quote, escape and null string', () => {
    expect(asText(encode({ ...csv, delimiter: '|', quote: "'", escape: '\\', nullString: 'NULL' }))).toEqual(expected.csvCustom);
  });

  it('binary: signature with the first row, trailer alone', () => {
    expect(asHex(encode({ ...text, format: 'binary' }))).toEqual(expected.binary);
  });

  it('binary without rows: signature and trailer in one message', () => {
    expect(asHex(encode({ ...text, format: 'binary' }, []))).toEqual(['5047434f50590aff0d0a000000000000000000ffff']);
  });

  it('csv quotes \\. when it is the only column, and the empty string', () => {
    const single = [column('x', Types.text)];
    expect(asText(encode(csv, [['\\.'], ['a'], [null], ['']], single))).toEqual(['"\\."\n', 'a\n', '\n', '""\n']);
  });

  it('text escapes the delimiter and a backslash, not other control characters', () => {
    const pair = [column('x', Types.text), column('y', Types.text)];
    expect(asText(encode({ ...text, delimiter: '|' }, [['a|b\\c\x01d', 'x']], pair))).toEqual(['a\\|b\\\\c\x01d|x\n']);
  });

  it('csv header quotes column names that need it', () => {
    const named = [column('na,me', Types.text), column('q"', Types.int4)];
    expect(asText(encode({ ...csv, header: true }, [['é', 2]], named))).toEqual(['"na,me","q"""\n', 'é,2\n']);
  });

  it('refuses binary for a type without a binary form before anything is sent', () => {
    expect(() => new CopyEncoder([column('a', { name: 'int4', element: Types.int4 })], { ...text, format: 'binary' }, 'UTC')).toThrow(/binary format/);
  });
});
