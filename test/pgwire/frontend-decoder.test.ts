// Frontend decoding: every message kind, decoded from the frames node-postgres' own serializer
// produces; frames split at every byte boundary; malformed frames rejected with 08P01.

import { serialize } from 'pg-protocol';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../../src/common/errors.js';
import { limits } from '../../src/common/limits.js';
import { FrontendDecoder, type FrontendMessage } from '../../src/pgwire/frontend-decoder.js';

const startup = serialize.startup({ user: 'alice', database: 'shop', options: '-c search_path=x' });

function decodeAll(chunks: Buffer[], afterStartup = true): FrontendMessage[] {
  const decoder = new FrontendDecoder();
  const messages: FrontendMessage[] = [];
  if (afterStartup) decoder.push(startup);
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let message = decoder.next(); message !== null; message = decoder.next()) messages.push(message);
  }
  return afterStartup ? messages.slice(1) : messages;
}

function protocolError(run: () => unknown): SqlError {
  try {
    run();
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(SqlError);
    expect((thrown as SqlError).code).toBe('08P01');
    return thrown as SqlError;
  }
  throw new Error('expected a protocol violation');
}

function frame(code: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = code.charCodeAt(0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

describe('startup phase', () => {
  it('decodes a StartupMessage with its parameters', () => {
    expect(decodeAll([startup], false)).toEqual([{
      type: 'startup', protocolVersion: 196608,
      parameters: new Map([['user', 'alice'], ['database', 'shop'], ['options', '-c search_path=x'], ['client_encoding', 'UTF8']]),
    }]);
  });

  it('decodes SSLRequest, GSSENCRequest and then the StartupMessage', () => {
    const gss = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]);
    const messages = decodeAll([serialize.requestSsl(), gss, startup], false);
    expect(messages.map((message) => message.type)).toEqual(['sslRequest', 'gssEncRequest', 'startup']);
  });

  it('decodes a CancelRequest and nothing after it', () => {
    expect(decodeAll([serialize.cancel(4242, -17), startup], false)).toEqual([{ type: 'cancelRequest', processId: 4242, secretKey: -17 }]);
  });

  it('rejects startup lengths that are too small or too large', () => {
    for (const length of [0, 4, 7, -1, limits.startupMessageBytesMax + 1]) {
      const decoder = new FrontendDecoder();
      const bytes = Buffer.alloc(8);
      bytes.writeInt32BE(length, 0);
      decoder.push(bytes);
      protocolError(() => decoder.next());
    }
  });

  it('rejects a startup parameter list without its terminator', () => {
    const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), Buffer.from('user\0bob', 'latin1')]);
    const packet = Buffer.concat([Buffer.alloc(4), body]);
    packet.writeInt32BE(packet.length, 0);
    const decoder = new FrontendDecoder();
    decoder.push(packet);
    protocolError(() => decoder.next());
  });
});

describe('typed messages', () => {
  it('decodes Query, Parse, Bind, Describe, Execute, Close, Sync, Flush', () => {
    const frames = [
      serialize.query('select 1'),
      serialize.parse({ name: 's1', text: 'select $1::int', types: [23, 0] }),
      serialize.bind({ portal: 'p1', statement: 's1', values: ['42', null, Buffer.from([1, 2])], binary: true }),
      serialize.describe({ type: 'S', name: 's1' }),
      serialize.describe({ type: 'P', name: 'p1' }),
      serialize.execute({ portal: 'p1', rows: 10 }),
      serialize.close({ type: 'P', name: 'p1' }),
      serialize.sync(),
      serialize.flush(),
    ];
    expect(decodeAll(frames)).toEqual([
      { type: 'query', text: 'select 1' },
      { type: 'parse', name: 's1', text: 'select $1::int', parameterTypeOids: [23, 0] },
      {
        type: 'bind', portal: 'p1', statement: 's1', parameterFormats: [0, 0, 1],
        parameters: [Buffer.from('42'), null, Buffer.from([1, 2])], resultFormats: [1],
      },
      { type: 'describe', target: 'S', name: 's1' },
      { type: 'describe', target: 'P', name: 'p1' },
      { type: 'execute', portal: 'p1', maxRows: 10 },
      { type: 'close', target: 'P', name: 'p1' },
      { type: 'sync' },
      { type: 'flush' },
    ]);
  });

  it('decodes COPY messages, PasswordMessage and Terminate', () => {
    const frames = [
      serialize.copyData(Buffer.from('1\tx\n')), serialize.copyDone(), serialize.copyFail('stop'),
      serialize.password('secret'), serialize.end(),
    ];
    expect(decodeAll(frames)).toEqual([
      { type: 'copyData', data: Buffer.from('1\tx\n') }, { type: 'copyDone' }, { type: 'copyFail', message: 'stop' },
      { type: 'password', password: 'secret' }, { type: 'terminate' },
    ]);
  });

  it('decodes identically when the stream is split at every byte boundary', () => {
    const stream = Buffer.concat([
      startup,
      serialize.parse({ name: '', text: 'select $1', types: [25] }),
      serialize.bind({ values: ['héllo'] }),
      serialize.execute({ rows: 0 }),
      serialize.sync(),
      serialize.query('select 2'),
    ]);
    const whole = decodeAll([stream], false);
    expect(whole).toHaveLength(6);
    for (let split = 1; split < stream.length; split++) {
      expect(decodeAll([stream.subarray(0, split), stream.subarray(split)], false)).toEqual(whole);
    }
    const bytes = [...stream].map((byte) => Buffer.from([byte]));
    expect(decodeAll(bytes, false)).toEqual(whole);
  });

  it('returns a CopyData body that spans chunks as its parts, in place, at every split', () => {
    const body = Buffer.from('1\tfirst line\n2\tsecond line\n');
    const stream = Buffer.concat([serialize.copyData(body), serialize.copyDone(), serialize.sync()]);
    for (let split = 1; split < stream.length; split++) {
      const head = stream.subarray(0, split);
      const tail = stream.subarray(split);
      const messages = decodeAll([head, tail]);
      const parts = messages.filter((message) => message.type === 'copyData');
      expect(Buffer.concat(parts.map((part) => (part as { data: Buffer }).data))).toEqual(body);
      expect(parts.length).toBe(split > 5 && split < body.length + 5 ? 2 : 1);
      expect(messages.slice(parts.length)).toEqual([{ type: 'copyDone' }, { type: 'sync' }]);
      // Parts are views of the received chunks, not copies.
      for (const part of parts) {
        const data = (part as { data: Buffer }).data;
        expect(data.buffer === head.buffer || data.buffer === tail.buffer).toBe(true);
      }
    }
    const bytes = [...stream].map((byte) => Buffer.from([byte]));
    const oneByOne = decodeAll(bytes);
    expect(oneByOne.filter((message) => message.type === 'copyData')).toHaveLength(body.length);
    expect(oneByOne.slice(body.length)).toEqual([{ type: 'copyDone' }, { type: 'sync' }]);
  });

  it('still checks a spanning CopyData length against the limit before reading its body', () => {
    const decoder = new FrontendDecoder();
    decoder.push(startup);
    decoder.next();
    const header = Buffer.alloc(5);
    header[0] = 0x64;
    header.writeInt32BE(limits.messageBytesMax + 5, 1);
    decoder.push(header);
    decoder.push(Buffer.alloc(16));
    protocolError(() => decoder.next());
  });

  it('rejects an unknown type byte before the body arrives', () => {
    const decoder = new FrontendDecoder();
    decoder.push(startup);
    decoder.next();
    decoder.push(Buffer.from([0x7a, 0, 0]));
    expect(decoder.next()).toBeNull();
    decoder.push(Buffer.from([0, 0x08]));
    expect(protocolError(() => decoder.next()).message).toMatch(/invalid frontend message type 122/);
  });

  it('rejects lengths below 4 and above messageBytesMax', () => {
    for (const length of [-5, 0, 3, limits.messageBytesMax + 5]) {
      const header = Buffer.from([0x51, 0, 0, 0, 0]);
      header.writeInt32BE(length, 1);
      const decoder = new FrontendDecoder();
      decoder.push(startup);
      decoder.next();
      decoder.push(header);
      protocolError(() => decoder.next());
    }
  });

  it('rejects bodies that do not match their declared length', () => {
    const malformed = [
      frame('Q', Buffer.from('no terminator')),
      frame('Q', Buffer.from('select 1\0extra')),
      frame('S', Buffer.from([0])),
      frame('E', Buffer.from('p\0\0\0')),
      frame('D', Buffer.from('Xname\0')),
      frame('B', Buffer.from('\0\0\0\x05\0\0')),
      frame('B', Buffer.from('\0\0\0\0\0\x01\0\0\0\x09ab\0\0')),
      frame('B', Buffer.from('\0\0\0\0\0\x01\xff\xff\xff\xfe\0\0')),
      frame('P', Buffer.from('\0select\0\0\x02\0\0\0\x17')),
    ];
    for (const bytes of malformed) {
      const decoder = new FrontendDecoder();
      decoder.push(startup);
      decoder.next();
      decoder.push(bytes);
      protocolError(() => decoder.next());
    }
  });
});
