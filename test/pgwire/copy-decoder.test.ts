// CopyDecoder against PostgreSQL 15's COPY FROM: every text escape, csv quoting, the binary
// layout, end-of-copy markers, newline styles, and errors with their SQLSTATE, message and CONTEXT
// (expected values were taken from a PostgreSQL 15 server fed the same bytes). Input split at every
// byte must decode exactly as input in one piece.

import { describe, expect, it } from 'vitest';
import { SqlError } from '../../src/common/errors.js';
import { limits } from '../../src/common/limits.js';
import { Types, type DataType, type Value } from '../../src/common/types.js';
import { CopyDecoder } from '../../src/pgwire/copy/copy-decoder.js';
import type { ColumnDescription, CopyOptions } from '../../src/pgwire/session.js';

function column(name: string, type: DataType): ColumnDescription {
  return { name, type, tableOid: 0, columnNumber: 0 };
}

const columns = [column('a', Types.int4), column('b', Types.text)];
const text: CopyOptions = { format: 'text', delimiter: '\t', nullString: '\\N', header: false, quote: '"', escape: '"' };
const csv: CopyOptions = { format: 'csv', delimiter: ',', nullString: '', header: false, quote: '"', escape: '"' };
const binary: CopyOptions = { ...text, format: 'binary' };

type Input = string | Buffer;

/** Decodes the chunks (pushed one by one, rows taken after each) and returns the rows and batch sizes. */
function run(chunks: readonly Input[], options: CopyOptions, shape = columns): { rows: Value[][]; batches: number[] } {
  const decoder = new CopyDecoder(shape, options, 'UTC', 't');
  const rows: Value[][] = [];
  const batches: number[] = [];
  const drain = (): void => {
    for (let batch = decoder.takeRows(); batch.length > 0; batch = decoder.takeRows()) {
      batches.push(batch.length);
      rows.push(...batch);
    }
  };
  for (const chunk of chunks) {
    decoder.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    drain();
  }
  decoder.end();
  drain();
  return { rows, batches };
}

function decode(input: Input, options: CopyOptions = text, shape = columns): Value[][] {
  return run([input], options, shape).rows;
}

function failure(input: Input, options: CopyOptions = text, shape = columns): Record<string, string | undefined> {
  try {
    decode(input, options, shape);
  } catch (thrown) {
    if (!(thrown instanceof SqlError)) throw thrown;
    const result: Record<string, string | undefined> = { code: thrown.code, message: thrown.message, context: thrown.context };
    if (thrown.hint !== undefined) result.hint = thrown.hint;
    return result;
  }
  throw new Error('decoding succeeded');
}

/** Every way of cutting `input` in two, and byte by byte, gives the rows of the whole. */
function expectSplitInvariant(input: Buffer, options: CopyOptions, shape = columns): void {
  const whole = run([input], options, shape).rows;
  for (let cut = 0; cut <= input.length; cut++) {
    expect(run([input.subarray(0, cut), input.subarray(cut)], options, shape).rows, `cut at ${cut}`).toEqual(whole);
  }
  const bytes = [...input].map((byte) => Buffer.from([byte]));
  expect(run(bytes, options, shape).rows).toEqual(whole);
}

const signature = '5047434f50590aff0d0a00';
const header = `${signature}0000000000000000`;
const tuple1 = '0002000000040000000100000002687a'; // (1, 'hz')
const tuple2 = '0002ffffffff00000000'; // (NULL, '')
const trailer = 'ffff';
const hex = (text: string): Buffer => Buffer.from(text, 'hex');

describe('text format', () => {
  it('undoes every escape', () => {
    const input = '1\ta\\bb\\fc\\nd\\re\\tf\\vg\\\\h\\101\\x41\\x4g\\xg\\q\\7\\77\\303\\251\\xc3\\xA9\n';
    expect(decode(input)).toEqual([[1, 'a\bb\fc\nd\re\tf\vg\\hAA\x04gxgq\x07?éé']]);
  });

  it('reads \\N as NULL only when it is the whole raw field', () => {
    expect(decode('1\t\\N\n2\t\\\\N\n3\tN\n')).toEqual([[1, null], [2, '\\N'], [3, 'N']]);
  });

  it('keeps an escaped delimiter and an escaped newline in the field', () => {
    expect(decode('1,a\\,b\n', { ...text, delimiter: ',' })).toEqual([[1, 'a,b']]);
    expect(decode('1\ta\\\nb\n')).toEqual([[1, 'a\nb']]);
  });

  it('accepts a last line without newline and drops a trailing backslash', () => {
    expect(decode('1\tx\n2\ty')).toEqual([[1, 'x'], [2, 'y']]);
    expect(decode('1\tab\\')).toEqual([[1, 'ab']]);
  });

  it('accepts CRLF and CR line endings', () => {
    expect(decode('1\tx\r\n2\ty\r\n')).toEqual([[1, 'x'], [2, 'y']]);
    expect(decode('1\tx\r2\ty\r')).toEqual([[1, 'x'], [2, 'y']]);
  });

  it('stops at the end-of-copy marker and ignores what follows', () => {
    expect(decode('1\tx\n\\.\n5\tz\n')).toEqual([[1, 'x']]);
    expect(decode('1\tx\n2\tab\\.\n5\tz\n')).toEqual([[1, 'x'], [2, 'ab']]);
    expect(decode('1\tx\r\n\\.\r\nnot data')).toEqual([[1, 'x']]);
    expect(run(['1\tx\n\\.\n', 'ignored\n', 'too'], text).rows).toEqual([[1, 'x']]);
  });

  it('skips a header line', () => {
    expect(decode('a\tb\n1\tx\n', { ...text, header: true })).toEqual([[1, 'x']]);
  });

  it('decodes multibyte characters and typed values', () => {
    const shape = [column('d', Types.date), column('n', Types.numeric), column('f', Types.bool), column('j', Types.jsonb)];
    const rows = decode('2024-02-29\t12.50\tt\t{"b": 1, "a": [1, 2]}\n', text, shape);
    expect(rows[0]?.[0]).toBe(19_782);
    expect(String(rows[0]?.[1])).toBe('12.50');
    expect(rows[0]?.slice(2)).toEqual([true, '{"a": [1, 2], "b": 1}']);
    expect(decode('1\tß→😀\n')).toEqual([[1, 'ß→😀']]);
  });

  it('handles a table without columns', () => {
    expect(decode('\n\n', text, [])).toEqual([[], []]);
    expect(failure('x\n', text, [])).toMatchObject({ code: '22P04', message: 'extra data after last expected column' });
  });

  it('splits lines without escapes for one column and for many', () => {
    const one = [column('a', Types.text)];
    expect(decode('a\nbb\n\\N\n\n', text, one)).toEqual([['a'], ['bb'], [null], ['']]);
    expect(failure('a\nb\tc\n', text, one)).toMatchObject({ code: '22P04', message: 'extra data after last expected column' });
    const many = Array.from({ length: 40 }, (_, i) => column(`c${i}`, Types.int4));
    const line = Array.from({ length: 40 }, (_, i) => String(i)).join('\t');
    expect(decode(`${line}\n${line}\n`, text, many)).toEqual([0, 1].map(() => Array.from({ length: 40 }, (_, i) => i)));
    expect(failure(`${line}\t1\n`, text, many)).toMatchObject({ code: '22P04', message: 'extra data after last expected column' });
  });

  it('reads plain lines of typed columns in one pass exactly as the general path', () => {
    const shape = [column('k', Types.int8), column('c', Types.int4), column('p', { name: 'numeric', precision: 15, scale: 2 }),
      column('d', Types.date), column('s', Types.text)];
    const lines = '1\t2\t3.5\t2024-02-29\tok\n-9007199254740993\t7\t1.005\t0099-01-01 BC\t\n3\t-4\t12\t2024-01-01\tlast\n';
    const rows = decode(lines, text, shape);
    expect(rows.map((row) => row.map(String))).toEqual([
      ['1', '2', '3.50', '19782', 'ok'], ['-9007199254740993', '7', '1.01', '-755322', ''], ['3', '-4', '12.00', '19723', 'last'],
    ]);
    expectSplitInvariant(Buffer.from(lines), text, shape);
    expect(decode('1,2,3.5,2024-02-29,\n,,,,x\n', { ...csv, nullString: '' }, shape)).toEqual([[1n, 2, rows[0]![2], 19_782, null], [null, null, null, null, 'x']]);
    // A bad value before extra data is reported as extra data (the line is split first), and one before missing data as itself.
    expect(failure('1x\t2\t3\t2024-01-01\ts\tmore\n', text, shape)).toMatchObject({ message: 'extra data after last expected column' });
    expect(failure('1x\t2\n', text, shape)).toMatchObject({ code: '22P02', context: 'COPY t, line 1, column k: "1x"' });
    expect(failure('1\t2\t3\t2024-01-01\n', text, shape)).toMatchObject({ message: 'missing data for column "s"' });
    expect(failure('1\t99999999999\t3\t2024-01-01\ts\n', text, shape)).toMatchObject({ code: '22003', context: 'COPY t, line 1, column c: "99999999999"' });
  });

  it('reports errors as PostgreSQL does', () => {
    expect(failure('1\tx\ty\n')).toEqual({ code: '22P04', message: 'extra data after last expected column', context: 'COPY t, line 1: "1\tx\ty"' });
    expect(failure('1\tx\n2\n')).toEqual({ code: '22P04', message: 'missing data for column "b"', context: 'COPY t, line 2: "2"' });
    expect(failure('abc\tx\n')).toEqual({ code: '22P02', message: 'invalid input syntax for type integer: "abc"', context: 'COPY t, line 1, column a: "abc"' });
    expect(failure('1\tx\n\n')).toEqual({ code: '22P02', message: 'invalid input syntax for type integer: ""', context: 'COPY t, line 2, column a: ""' });
    expect(failure('1\tx\n\\.x\n')).toEqual({ code: '22P04', message: 'end-of-copy marker corrupt', context: 'COPY t, line 2' });
    expect(failure('1\tx\n\\.')).toEqual({ code: '22P04', message: 'end-of-copy marker corrupt', context: 'COPY t, line 2' });
    expect(failure('1\tx\r\n\\.\n')).toEqual({ code: '22P04', message: 'end-of-copy marker does not match previous newline style', context: 'COPY t, line 2' });
    expect(failure('1\tx\r\n2\ty\n')).toEqual({
      code: '22P04', message: 'literal newline found in data', context: 'COPY t, line 2', hint: 'Use "\\n" to represent newline.',
    });
    expect(failure('1\tx\n2\ty\rz\n')).toEqual({
      code: '22P04', message: 'literal carriage return found in data', context: 'COPY t, line 2', hint: 'Use "\\r" to represent carriage return.',
    });
  });

  it('rejects invalid UTF-8, raw or rebuilt from escapes', () => {
    expect(failure(Buffer.from('1\tab\xffc\n', 'latin1'))).toEqual({ code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0xff', context: 'COPY t, line 1' });
    expect(failure('1\ta\\000b\n')).toEqual({ code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00', context: 'COPY t, line 1: "1\ta\\000b"' });
    expect(failure('1\ta\\303b\n')).toEqual({ code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0xc3 0x62', context: 'COPY t, line 1: "1\ta\\303b"' });
  });

  it('shows at most 100 bytes of a value in the context', () => {
    const long = 'é'.repeat(60);
    expect(failure(`${long}\tx\n`).context).toBe(`COPY t, line 1, column a: "${'é'.repeat(50)}..."`);
  });

  it('splits anywhere', () => {
    const sample = '1\tß\\t→\\x41\\101\\\\\r\n\\N\t😀\r\n3\t\\N\r\n\\.\r\n';
    expect(decode(sample)).toEqual([[1, 'ß\t→AA\\'], [null, '😀'], [3, null]]);
    expectSplitInvariant(Buffer.from(sample), text);
    expectSplitInvariant(Buffer.from('1\tx\r2\ty\r'), text);
  });
});

describe('csv format', () => {
  it('reads quoted fields, doubled quotes, embedded delimiters and newlines', () => {
    expect(decode('1,"a,b"\n2,""\n3,\n4,"x""y"\n5,"multi\nline"\n6,"\\."\n7,ab"c"d\n', csv)).toEqual([
      [1, 'a,b'], [2, ''], [3, null], [4, 'x"y'], [5, 'multi\nline'], [6, '\\.'], [7, 'abcd'],
    ]);
    expect(decode('1,x\r\n2,"y\r\nz"\r\n', csv)).toEqual([[1, 'x'], [2, 'y\r\nz']]);
  });

  it('uses the null string only for unquoted fields', () => {
    expect(decode('1,NULL\n2,"NULL"\n3,\n', { ...csv, nullString: 'NULL' })).toEqual([[1, null], [2, 'NULL'], [3, '']]);
  });

  it('honours quote, escape and delimiter options', () => {
    const options = { ...csv, quote: "'", escape: '\\' };
    expect(decode("1,'a\\'b\\\\c'\n2,'x''y'\n3,a\\b\n", options)).toEqual([[1, "a'b\\c"], [2, 'xy'], [3, 'a\\b']]);
    expect(decode('1|"a|b"\n', { ...csv, delimiter: '|' })).toEqual([[1, 'a|b']]);
  });

  it('skips a header, even one with a quoted newline', () => {
    expect(decode('"a\nx",b\n1,x\n', { ...csv, header: true })).toEqual([[1, 'x']]);
  });

  it('ends at \\. alone on a line; elsewhere \\. is data', () => {
    expect(decode('1,x\n\\.\n7,y\n', csv)).toEqual([[1, 'x']]);
    expect(failure('1,x\n\\.z\n', csv)).toEqual({ code: '22P02', message: 'invalid input syntax for type integer: "\\.z"', context: 'COPY t, line 2, column a: "\\.z"' });
  });

  it('reports errors as PostgreSQL does', () => {
    expect(failure('1,"abc\n2,x\n', csv)).toEqual({ code: '22P04', message: 'unterminated CSV quoted field', context: 'COPY t, line 1: "1,"abc\n2,x\n"' });
    expect(failure('1,"a\nb"\n2,"c\nd"\nx,y\n', csv)).toEqual({ code: '22P02', message: 'invalid input syntax for type integer: "x"', context: 'COPY t, line 4, column a: "x"' });
    expect(failure('1,"a\nb",z\n', csv)).toEqual({ code: '22P04', message: 'extra data after last expected column', context: 'COPY t, line 1: "1,"a\nb",z"' });
    expect(failure('1,x\r\n2,y\n', csv)).toEqual({
      code: '22P04', message: 'unquoted newline found in data', context: 'COPY t, line 2', hint: 'Use quoted CSV field to represent newline.',
    });
  });

  it('splits anywhere', () => {
    const sample = '1,"a,""b""\r\nc"\r\n2,\r\n3,"ß😀"\r\n\\.\r\n';
    expect(decode(sample, csv)).toEqual([[1, 'a,"b"\r\nc'], [2, null], [3, 'ß😀']]);
    expectSplitInvariant(Buffer.from(sample), csv);
    expectSplitInvariant(Buffer.from("1,'x\\'y'\n2,\\.\n", 'utf8'), { ...csv, quote: "'", escape: '\\' });
  });
});

describe('binary format', () => {
  it('reads tuples, NULLs and the trailer', () => {
    expect(decode(hex(header + tuple1 + tuple2 + trailer), binary)).toEqual([[1, 'hz'], [null, '']]);
  });

  it('accepts a missing trailer and a header extension', () => {
    expect(decode(hex(header + tuple1), binary)).toEqual([[1, 'hz']]);
    expect(decode(hex(`${header + tuple1}00`), binary)).toEqual([[1, 'hz']]);
    expect(decode(hex(`${signature}0000000000000003aabbcc${tuple1}`), binary)).toEqual([[1, 'hz']]);
  });

  it('reports header errors', () => {
    const headerFailure = (input: string): string | undefined => failure(hex(input), binary).message;
    expect(headerFailure('5047434f50590aff0d0a01000000000000000000')).toBe('COPY file signature not recognized');
    expect(headerFailure('5047434f')).toBe('COPY file signature not recognized');
    expect(headerFailure(signature)).toBe('invalid COPY file header (missing flags)');
    expect(headerFailure(`${signature}0001000000000000`)).toBe('invalid COPY file header (WITH OIDS)');
    expect(headerFailure(`${signature}0002000000000000`)).toBe('unrecognized critical flags in COPY file header');
    expect(headerFailure(`${signature}00000000`)).toBe('invalid COPY file header (missing length)');
    expect(headerFailure(`${signature}00000000ffffffff`)).toBe('invalid COPY file header (missing length)');
    expect(headerFailure(`${signature}0000000000000003aa`)).toBe('invalid COPY file header (wrong length)');
    expect(failure(hex(`${signature}00000000`), binary).context).toBeUndefined();
  });

  it('reports tuple errors with the tuple number and column', () => {
    expect(failure(hex(`${header}0003`), binary)).toEqual({ code: '22P04', message: 'row field count is 3, expected 2', context: 'COPY t, line 1' });
    expect(failure(hex(`${header}0002000000`), binary)).toEqual({ code: '22P04', message: 'unexpected EOF in COPY data', context: 'COPY t, line 1, column a' });
    expect(failure(hex(`${header}00020000000400000001000000`), binary)).toEqual({ code: '22P04', message: 'unexpected EOF in COPY data', context: 'COPY t, line 1, column b' });
    expect(failure(hex(`${header}0002fffffffe`), binary)).toEqual({ code: '22P04', message: 'invalid field size', context: 'COPY t, line 1, column a' });
    expect(failure(hex(`${header + tuple1}ffff00`), binary)).toEqual({ code: '22P04', message: 'received copy data after EOF marker', context: 'COPY t, line 2' });
    expect(failure(hex(`${header}0002ffffffff00000001ff`), binary)).toEqual({ code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0xff', context: 'COPY t, line 1, column b' });
    expect(failure(hex(`${header}000200000003000001ffffffff`), binary)).toMatchObject({ code: '22P03', context: 'COPY t, line 1, column a' });
  });

  it('splits anywhere', () => {
    expectSplitInvariant(hex(`${signature}0000000000000002abcd${tuple1}${tuple2}${tuple1}${trailer}`), binary);
  });
});

describe('limits', () => {
  it('hands rows over in bounded batches', () => {
    const input = Array.from({ length: 2500 }, (_, index) => `${index}\tx\n`).join('');
    const { rows, batches } = run([input], text);
    expect(rows.length).toBe(2500);
    expect(batches).toEqual([limits.rowsPerBatchMax, limits.rowsPerBatchMax, 2500 - 2 * limits.rowsPerBatchMax]);
  });

  it('refuses a line longer than copyRowBytesMax', () => {
    const decoder = new CopyDecoder(columns, text, 'UTC', 't');
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let error: unknown;
    try {
      for (let sent = 0; sent <= limits.copyRowBytesMax; sent += chunk.length) {
        decoder.push(chunk);
        decoder.takeRows();
      }
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(SqlError);
    expect((error as SqlError).code).toBe('54000');
    expect((error as SqlError).context).toBe('COPY t, line 1');
  });
});

describe('rows taken as fields', () => {
  /** Decodes `input` in chunks of `chunkBytes` into a sink that takes as fields the lines it is offered whose first field is even. */
  function decodeWithFields(input: string, options: CopyOptions, chunkBytes: number): string[] {
    const decoder = new CopyDecoder(columns, options, 'UTC', 't');
    const seen: string[] = [];
    const sink = {
      writeFields(line: Buffer, starts: Int32Array, ends: Int32Array, nulls: Uint8Array): boolean {
        const first = line.toString('latin1', starts[0]!, ends[0]!);
        if (Number(first) % 2 !== 0) return false;
        const second = nulls[1] !== 0 ? 'NULL' : line.toString('latin1', starts[1]!, ends[1]!);
        seen.push(`fields ${first} ${second}`);
        return true;
      },
      writeValues(row: Value[]): void {
        seen.push(`values ${String(row[0])} ${row[1] === null ? 'NULL' : String(row[1])}`);
      },
    };
    const drain = (): void => {
      expect(decoder.takeRows(sink)).toEqual([]);
    };
    const bytes = Buffer.from(input, 'utf8');
    for (let at = 0; at < bytes.length; at += chunkBytes) {
      decoder.push(bytes.subarray(at, at + chunkBytes));
      drain();
    }
    decoder.end();
    drain();
    return seen;
  }

  it('hands lines of ASCII fields with nothing to undo to the sink and the others as values, all in input order', () => {
    const input = '2\ta\n3\tb\n4\t\\N\n6\tx\\ty\n8\té\n10\tc\n11\td\n12\te\n';
    const expected = [
      'fields 2 a', 'values 3 b', 'fields 4 NULL', 'values 6 x\ty', 'values 8 é', 'fields 10 c', 'values 11 d', 'fields 12 e',
    ];
    for (const chunkBytes of [1000, 7, 3, 1]) expect([chunkBytes, decodeWithFields(input, text, chunkBytes)]).toEqual([chunkBytes, expected]);
    const csvInput = '2,a\n3,b\n4,\n6,"x"\n8,"y""z"\n10,c\n';
    expect(decodeWithFields(csvInput, csv, 1000)).toEqual(['fields 2 a', 'values 3 b', 'fields 4 NULL', 'fields 6 x', 'values 8 y"z', 'fields 10 c']);
  });

  it('leaves lines with fields missing or extra to the values path and its errors', () => {
    expect(() => decodeWithFields('2\ta\n4\n', text, 1000)).toThrow(/missing data for column "b"/);
    expect(() => decodeWithFields('2\ta\n4\tb\tc\n', text, 1000)).toThrow(/extra data after last expected column/);
  });
});
