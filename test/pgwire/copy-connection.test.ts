// COPY over a real connection: node-postgres with pg-copy-streams (and raw frames where a client
// library cannot say what is needed) against PgServer with the fixed-answer session, whose COPY
// statements read and write (n int4, label text). Covers each format in both directions, data split
// across CopyData messages anywhere, errors with their CONTEXT, CopyFail, a lost connection,
// the extended protocol skipping to Sync after a COPY error, and backpressure on COPY TO.

import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { serialize } from 'pg-protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PgServer } from '../../src/pgwire/server.js';
import { RawClient, startServer, type FixtureFactory } from './fixture.js';

let server: PgServer;
let factory: FixtureFactory;
let port: number;
const clients: pg.Client[] = [];

beforeEach(async () => {
  ({ server, factory, port } = await startServer());
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
  await server.close();
});

async function client(): Promise<pg.Client> {
  const connection = new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'db' });
  connection.on('error', () => undefined);
  await connection.connect();
  clients.push(connection);
  return connection;
}

/** Streams `chunks` into `COPY ... FROM STDIN` and returns the row count of the CommandComplete tag. */
async function copyIn(connection: pg.Client, statement: string, chunks: readonly Buffer[]): Promise<number> {
  const stream = connection.query(copyFrom(statement));
  await pipeline(Readable.from(chunks), stream);
  return stream.rowCount;
}

async function copyOut(connection: pg.Client, statement: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { parts.push(chunk); done(); } });
  await pipeline(connection.query(copyTo(statement)), sink);
  return Buffer.concat(parts);
}

/** `data` cut into pieces of 1, 2, 3, ... bytes, so cuts land inside characters, escapes and fields. */
function unevenChunks(data: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, size = 1; at < data.length; at += size, size = (size % 7) + 1) chunks.push(data.subarray(at, at + size));
  return chunks;
}

async function errorOf(promise: Promise<unknown>): Promise<{ code?: string; message: string; where?: string }> {
  try {
    await promise;
  } catch (thrown) {
    return thrown as { code?: string; message: string; where?: string };
  }
  throw new Error('expected an error');
}

const binaryHeader = '5047434f50590aff0d0a000000000000000000';

describe('COPY FROM STDIN', () => {
  it('decodes text data split anywhere', async () => {
    const connection = await client();
    const data = Buffer.from('1\tß→😀\n2\t\\N\n3\ta\\tb\\\\c\\x41\n\\N\tlast');
    expect(await copyIn(connection, 'copy in', unevenChunks(data))).toBe(4);
    expect(factory.journal.copied).toEqual(['1|ß→😀,2|,3|a\tb\\cA,|last']);
  });

  it('decodes csv with a header, quoted newlines and doubled quotes', async () => {
    const connection = await client();
    const data = Buffer.from('n,label\r\n1,"a,""b""\r\nc"\r\n2,\r\n3,""\r\n');
    expect(await copyIn(connection, 'copy in csv header', unevenChunks(data))).toBe(3);
    expect(factory.journal.copied).toEqual(['1|a,"b"\r\nc,2|,3|']);
  });

  it('decodes binary data', async () => {
    const connection = await client();
    const data = Buffer.from(`${binaryHeader}0002000000040000000100000002687a0002ffffffff00000000ffff`, 'hex');
    expect(await copyIn(connection, 'copy in binary', unevenChunks(data))).toBe(2);
    expect(factory.journal.copied).toEqual(['1|hz,|']);
  });

  it('hands the sink bounded batches', async () => {
    const connection = await client();
    const data = Buffer.from(Array.from({ length: 3000 }, (_, index) => `${index}\tx\n`).join(''));
    expect(await copyIn(connection, 'copy in', [data])).toBe(3000);
    expect(factory.journal.copyBatches).toBe(3);
  });

  it('reports a bad value with its line and column, aborts the sink and keeps the connection', async () => {
    const connection = await client();
    const error = await errorOf(copyIn(connection, 'copy in', [Buffer.from('1\ta\nx\tb\n')]));
    expect(error).toMatchObject({ code: '22P02', message: 'invalid input syntax for type integer: "x"', where: 'COPY, line 2, column n: "x"' });
    expect(factory.journal.copied).toEqual(['aborted: invalid input syntax for type integer: "x"']);
    expect((await connection.query('select rows 2')).rowCount).toBe(2);
  });

  it('reports a wrong column count as 22P04', async () => {
    const connection = await client();
    const error = await errorOf(copyIn(connection, 'copy in', [Buffer.from('1\ta\textra\n')]));
    expect(error).toMatchObject({ code: '22P04', message: 'extra data after last expected column', where: 'COPY, line 1: "1\ta\textra"' });
  });

  it('aborts the sink when the client sends CopyFail', async () => {
    const connection = await client();
    const failing = new Readable({
      read() {
        this.push(Buffer.from('1\ta\n'));
        this.destroy(new Error('client gave up'));
      },
    });
    const error = await errorOf(pipeline(failing, connection.query(copyFrom('copy in'))));
    expect(error.message).toBe('client gave up');
    for (let attempt = 0; attempt < 50 && factory.journal.copied.length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(factory.journal.copied[0]).toMatch(/^aborted: COPY from stdin failed: /);
  });

  it('aborts the sink when the connection is lost', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.query('copy in'));
    await raw.until('copyInResponse');
    raw.send(serialize.copyData(Buffer.from('1\ta\n2\t')));
    await new Promise((resolve) => setTimeout(resolve, 50));
    raw.socket.destroy();
    for (let attempt = 0; attempt < 50 && factory.journal.copied.length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(factory.journal.copied).toEqual(['aborted: connection to client lost']);
  });

  it('in the extended protocol, skips the rest of the copy stream after an error until Sync', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.parse({ text: 'copy in' }), serialize.bind(), serialize.execute(), serialize.flush());
    await raw.until('copyInResponse');
    raw.send(
      serialize.copyData(Buffer.from('1\ta\nbad\tb\n')), serialize.copyData(Buffer.from('3\tc\n')),
      serialize.copyDone(), serialize.sync(),
    );
    const messages = await raw.until('readyForQuery');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(raw.names()).toEqual(['parseComplete', 'bindComplete', 'copyInResponse', 'error', 'readyForQuery']);
    expect((messages[3] as unknown as { code: string }).code).toBe('22P02');
    expect(factory.journal.copied).toEqual(['aborted: invalid input syntax for type integer: "bad"']);
    raw.socket.destroy();
  });

  it('announces the format in CopyInResponse', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.query('copy in binary'));
    const [response] = await raw.until('copyInResponse');
    expect(response).toMatchObject({ binary: true, columnTypes: [1, 1] });
    raw.send(serialize.copyDone());
    await raw.until('readyForQuery');
    raw.socket.destroy();
  });
});

describe('COPY TO STDOUT', () => {
  it('encodes text', async () => {
    expect((await copyOut(await client(), 'copy out 3')).toString()).toBe('1\trow 1\n2\trow 2\n3\trow 3\n');
  });

  it('encodes csv with a header', async () => {
    expect((await copyOut(await client(), 'copy out csv header 2')).toString()).toBe('n,label\n1,row 1\n2,row 2\n');
  });

  it('encodes binary', async () => {
    const data = await copyOut(await client(), 'copy out binary 1');
    expect(data.toString('hex')).toBe(`${binaryHeader}0002000000040000000100000005726f772031ffff`);
  });

  it('sends every row of a large result, one CopyData each, and the cursor tag', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.query('copy out 5000'));
    const messages = await raw.until('readyForQuery');
    expect(messages.filter((message) => message.name === 'copyData').length).toBe(5000);
    expect(messages.find((message) => message.name === 'commandComplete')).toMatchObject({ text: 'SELECT 5000' });
    expect(factory.journal.cursorsClosed).toBe(1);
    raw.socket.destroy();
  });

  it('stops pulling rows while the client does not read', async () => {
    const raw = await RawClient.started(port);
    raw.socket.pause();
    raw.send(serialize.query('copy out 100000000'));
    let produced = -1;
    for (let attempt = 0; attempt < 100 && produced !== factory.journal.rowsProduced; attempt++) {
      produced = factory.journal.rowsProduced;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(produced).toBeGreaterThan(0);
    expect(produced).toBeLessThan(2_000_000);
    raw.socket.destroy();
  });
});
