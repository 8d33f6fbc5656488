// Backend encoding: the exact bytes of every backend message, checked against the protocol's
// message formats, and a DataRow batch read back by node-postgres' own parser.

import { Parser } from 'pg-protocol/dist/parser.js';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/common/decimal.js';
import { SqlError } from '../../src/common/errors.js';
import { Types, type DataType } from '../../src/common/types.js';
import * as encode from '../../src/pgwire/backend-encoder.js';
import { MessageWriter } from '../../src/pgwire/message-writer.js';
import { valueWriter } from '../../src/pgwire/value-codec.js';

function bytesOf(write: (out: MessageWriter) => void): string {
  const out = new MessageWriter(8);
  write(out);
  return out.take().toString('hex');
}

/** Expected bytes: a type byte, the length computed from the body, then the body pieces. */
function message(code: string, ...body: (string | number[] | Buffer)[]): string {
  const parts = body.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part)));
  const bodyBytes = Buffer.concat(parts);
  const header = Buffer.alloc(5);
  header[0] = code.charCodeAt(0);
  header.writeInt32BE(bodyBytes.length + 4, 1);
  return Buffer.concat([header, bodyBytes]).toString('hex');
}

const int32 = (value: number): number[] => [...Buffer.from([0, 0, 0, 0].map((_, index) => (value >>> (24 - 8 * index)) & 0xff))];
const int16 = (value: number): number[] => [(value >> 8) & 0xff, value & 0xff];

describe('backend messages', () => {
  it('encodes the startup responses', () => {
    expect(bytesOf((out) => encode.writeAuthenticationOk(out))).toBe('520000000800000000');
    expect(bytesOf((out) => encode.writeParameterStatus(out, 'TimeZone', 'UTC'))).toBe(message('S', 'TimeZone\0UTC\0'));
    expect(bytesOf((out) => encode.writeBackendKeyData(out, 77, -2))).toBe(message('K', int32(77), int32(-2)));
    expect(bytesOf((out) => encode.writeReadyForQuery(out, 'T'))).toBe('5a0000000554');
    expect(bytesOf((out) => encode.writeNegotiateProtocolVersion(out, 0, ['_pq_.x']))).toBe(message('v', int32(0), int32(1), '_pq_.x\0'));
    expect(encode.refuseEncryptionByte.toString('hex')).toBe('4e');
  });

  it('encodes RowDescription with type OIDs, lengths, typmods and formats', () => {
    const columns = [
      { name: 'id', type: Types.int4, tableOid: 16384, columnNumber: 1 },
      { name: 'price', type: { name: 'numeric', precision: 15, scale: 2 } as DataType, tableOid: 0, columnNumber: 0 },
      { name: 'tags', type: { name: 'text', element: Types.text } as DataType, tableOid: 0, columnNumber: 0 },
    ];
    expect(bytesOf((out) => encode.writeRowDescription(out, columns, [1, 0]))).toBe(message('T', int16(3),
      'id\0', int32(16384), int16(1), int32(23), int16(4), int32(-1), int16(1),
      'price\0', int32(0), int16(0), int32(1700), int16(-1), int32((15 << 16 | 2) + 4), int16(0),
      'tags\0', int32(0), int16(0), int32(1009), int16(-1), int32(-1), int16(0)));
  });

  it('encodes DataRows with nulls, text and binary columns', () => {
    const writers = [valueWriter(Types.int4, 1), valueWriter(Types.text, 0), valueWriter(Types.bool, 0)];
    expect(bytesOf((out) => encode.writeDataRows(out, [[7, 'hé', true], [null, null, false]], writers))).toBe(
      message('D', int16(3), int32(4), int32(7), int32(3), Buffer.from('hé'), int32(1), 't')
      + message('D', int16(3), int32(-1), int32(-1), int32(1), 'f'));
  });

  it('encodes completion and empty messages', () => {
    expect(bytesOf((out) => encode.writeCommandComplete(out, 'INSERT 0 3'))).toBe(message('C', 'INSERT 0 3\0'));
    expect(bytesOf((out) => encode.writeEmptyQueryResponse(out))).toBe('4900000004');
    expect(bytesOf((out) => encode.writeParseComplete(out))).toBe('3100000004');
    expect(bytesOf((out) => encode.writeBindComplete(out))).toBe('3200000004');
    expect(bytesOf((out) => encode.writeCloseComplete(out))).toBe('3300000004');
    expect(bytesOf((out) => encode.writeNoData(out))).toBe('6e00000004');
    expect(bytesOf((out) => encode.writePortalSuspended(out))).toBe('7300000004');
    expect(bytesOf((out) => encode.writeParameterDescription(out, [Types.int8, Types.text]))).toBe(message('t', int16(2), int32(20), int32(25)));
  });

  it('encodes ErrorResponse with every field and NoticeResponse', () => {
    const error = new SqlError('23505', 'duplicate key', {
      detail: 'Key (id)=(1) exists.', hint: 'use upsert', position: 12, schema: 'public', table: 't', column: 'id', constraint: 't_pkey',
      context: 'COPY t, line 1',
    });
    expect(bytesOf((out) => encode.writeErrorResponse(out, error))).toBe(message('E',
      'SERROR\0', 'VERROR\0', 'C23505\0', 'Mduplicate key\0', 'DKey (id)=(1) exists.\0', 'Huse upsert\0', 'P12\0',
      'WCOPY t, line 1\0', 'spublic\0', 'tt\0', 'cid\0', 'nt_pkey\0', [0]));
    expect(bytesOf((out) => encode.writeErrorResponse(out, new SqlError('08P01', 'bad'), 'FATAL'))).toBe(message('E',
      'SFATAL\0', 'VFATAL\0', 'C08P01\0', 'Mbad\0', [0]));
    expect(bytesOf((out) => encode.writeNoticeResponse(out, { severity: 'NOTICE', code: '00000', message: 'hi', hint: 'h' }))).toBe(
      message('N', 'SNOTICE\0', 'VNOTICE\0', 'C00000\0', 'Mhi\0', 'Hh\0', [0]));
  });

  it('encodes COPY messages', () => {
    expect(bytesOf((out) => encode.writeCopyInResponse(out, 'text', 2))).toBe(message('G', [0], int16(2), int16(0), int16(0)));
    expect(bytesOf((out) => encode.writeCopyOutResponse(out, 'binary', 1))).toBe(message('H', [1], int16(1), int16(1)));
    expect(bytesOf((out) => encode.writeCopyData(out, Buffer.from('a\tb\n')))).toBe(message('d', 'a\tb\n'));
    expect(bytesOf((out) => encode.writeCopyDone(out))).toBe('6300000004');
  });

  it('produces a DataRow batch that node-postgres parses back', () => {
    const writers = [valueWriter(Types.int8, 0), valueWriter(Types.numeric, 0), valueWriter(Types.text, 0)];
    const rows = Array.from({ length: 500 }, (_, index) => [BigInt(index), Decimal.parse(`${index}.5`), 'x'.repeat(index % 50)]);
    const out = new MessageWriter(64);
    encode.writeDataRows(out, rows, writers);
    const parsed: unknown[][] = [];
    new Parser().parse(out.take(), (msg) => parsed.push((msg as unknown as { fields: unknown[] }).fields));
    expect(parsed).toHaveLength(500);
    expect(parsed[499]).toEqual(['499', '499.5', 'x'.repeat(49)]);
  });
});
