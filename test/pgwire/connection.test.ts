// The connection state machine end to end over TCP: a real node-postgres client (and pg-cursor)
// and raw sockets against PgServer with a fixed-answer session. Covers startup, simple and
// extended queries, row limits with PortalSuspended, binary results, errors that skip to Sync,
// COPY in both directions, notices, parameter status, cancel and server shutdown.

import pg from 'pg';
import Cursor from 'pg-cursor';
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

async function client(config: pg.ClientConfig = {}): Promise<pg.Client> {
  const connection = new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'db', ...config });
  connection.on('error', () => undefined);
  await connection.connect();
  clients.push(connection);
  return connection;
}

async function errorOf(promise: Promise<unknown>): Promise<{ code?: string; message: string; position?: string }> {
  try {
    await promise;
  } catch (thrown) {
    return thrown as { code?: string; message: string };
  }
  throw new Error('expected the query to fail');
}

describe('startup', () => {
  it('opens a session with the startup parameters and options', async () => {
    await client({ application_name: 'tests', options: '-c search_path=abc --work-mem=64MB -cstatement_timeout=5' });
    const startup = factory.journal.startups[0];
    expect(startup?.user).toBe('tester');
    expect(startup?.database).toBe('db');
    expect(startup?.applicationName).toBe('tests');
    expect(Object.fromEntries(startup?.settings ?? [])).toMatchObject({ search_path: 'abc', work_mem: '64MB', statement_timeout: '5', application_name: 'tests' });
  });

  it('refuses an unknown database with a FATAL 3D000', async () => {
    const error = await errorOf(client({ database: 'missing' }));
    expect(error.code).toBe('3D000');
    expect(factory.journal.sessionsClosed).toBe(0);
  });

  it('answers SSLRequest with N and carries on', async () => {
    const raw = await RawClient.connect(port, { parse: false });
    raw.send(serialize.requestSsl());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Buffer.concat(raw.raw).toString()).toBe('N');
    raw.startParsing();
    raw.send(serialize.startup({ user: 'tester', database: 'db' }));
    const names = (await raw.until('readyForQuery')).map((message) => message.name);
    expect(names[0]).toBe('authenticationOk');
    expect(names.slice(-2)).toEqual(['backendKeyData', 'readyForQuery']);
    expect(names.filter((name) => name === 'parameterStatus')).toHaveLength(3);
    raw.socket.destroy();
  });
});

describe('startup limits and versions', () => {
  it('refuses sessions over connectionsMax with FATAL 53300', async () => {
    const small = await startServer(1);
    const first = await RawClient.connect(small.port);
    first.send(serialize.startup({ user: 'a', database: 'db' }));
    await first.until('readyForQuery');
    const second = await RawClient.connect(small.port);
    second.send(serialize.startup({ user: 'b', database: 'db' }));
    await second.waitClosed();
    const error = second.messages[0] as unknown as { code: string; severity: string };
    expect([error.code, error.severity]).toEqual(['53300', 'FATAL']);
    first.socket.destroy();
    await small.server.close();
  });

  it('negotiates a newer 3.x minor version down to 3.0 and refuses other majors', async () => {
    const packet = (version: number, body: string): Buffer => {
      const bytes = Buffer.concat([Buffer.alloc(8), Buffer.from(body, 'latin1')]);
      bytes.writeInt32BE(bytes.length, 0);
      bytes.writeInt32BE(version, 4);
      return bytes;
    };
    const newer = await RawClient.connect(port, { parse: false });
    newer.send(packet(196610, 'user\0x\0_pq_.thing\0on\0\0'));
    const frames = await newer.untilFrame('Z');
    expect(frames[0]?.code).toBe('v');
    expect(frames[0]?.body.toString('hex')).toBe('00000000' + '00000001' + Buffer.from('_pq_.thing\0').toString('hex'));
    expect(frames[1]?.code).toBe('R');
    newer.socket.destroy();
    const older = await RawClient.connect(port);
    older.send(packet(131072, 'user\0x\0\0'));
    await older.waitClosed();
    expect((older.messages[0] as unknown as { code: string }).code).toBe('0A000');
  });
});

describe('simple query', () => {
  it('returns rows with their description and tag', async () => {
    const result = await (await client()).query('select rows 3');
    expect(result.rows).toEqual([{ n: 1, label: 'row 1' }, { n: 2, label: 'row 2' }, { n: 3, label: 'row 3' }]);
    expect(result.fields.map((field) => [field.name, field.dataTypeID])).toEqual([['n', 23], ['label', 25]]);
    expect(result.command).toBe('SELECT');
    expect(result.rowCount).toBe(3);
    expect(factory.journal.cursorsClosed).toBe(1);
  });

  it('streams many rows in batches', async () => {
    const result = await (await client()).query('select rows 5000');
    expect(result.rows).toHaveLength(5000);
    expect(result.rows[4999]).toEqual({ n: 5000, label: 'row 5000' });
  });

  it('stops pulling rows while the client does not read', async () => {
    const raw = await RawClient.started(port);
    raw.socket.pause();
    raw.send(serialize.query('select rows 100000000'));
    let produced = -1;
    for (let attempt = 0; attempt < 100 && produced !== factory.journal.rowsProduced; attempt++) {
      produced = factory.journal.rowsProduced;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(produced).toBe(factory.journal.rowsProduced);
    expect(produced).toBeGreaterThan(0);
    expect(produced).toBeLessThan(2_000_000);
    raw.socket.destroy();
  });

  it('runs every statement of a multi-statement query', async () => {
    const results = (await (await client()).query('select rows 2; create thing; select rows 1')) as unknown as pg.QueryResult[];
    expect(results.map((result) => result.command)).toEqual(['SELECT', 'CREATE', 'SELECT']);
    expect(results[2]?.rows).toEqual([{ n: 1, label: 'row 1' }]);
  });

  it('stops at the first error and keeps the connection', async () => {
    const connection = await client();
    const error = await errorOf(connection.query('select rows 1; fail; select rows 2'));
    expect(error.code).toBe('22012');
    expect(factory.journal.executed).toEqual(['select rows 1', 'fail']);
    expect((await connection.query('select rows 1')).rowCount).toBe(1);
  });

  it('reports a syntax error with its position and runs nothing', async () => {
    const connection = await client();
    const error = await errorOf(connection.query('select rows 1; syntax error'));
    expect(error.code).toBe('42601');
    expect(error.position).toBe('16');
    expect(factory.journal.executed).toEqual([]);
  });

  it('answers an empty query with EmptyQueryResponse', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.query('  ;  '));
    expect((await raw.until('readyForQuery')).map((message) => message.name)).toEqual(['emptyQuery', 'readyForQuery']);
    raw.socket.destroy();
  });

  it('sends notices before the completion and parameter changes before ReadyForQuery', async () => {
    const connection = await client();
    const notices: string[] = [];
    connection.on('notice', (notice) => notices.push(notice.message ?? ''));
    await connection.query('notice');
    expect(notices).toEqual(['hello from the engine']);
    const raw = await RawClient.started(port);
    raw.send(serialize.query('set tz'));
    const names = (await raw.until('readyForQuery')).map((message) => message.name);
    expect(names).toEqual(['commandComplete', 'parameterStatus', 'readyForQuery']);
    raw.socket.destroy();
  });

  it('reports the transaction status in ReadyForQuery', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.query('begin'));
    const ready = (await raw.until('readyForQuery')).at(-1) as unknown as { status: string };
    expect(ready.status).toBe('T');
    raw.take();
    raw.send(serialize.query('fail'));
    const failed = (await raw.until('readyForQuery')).at(-1) as unknown as { status: string };
    expect(failed.status).toBe('E');
    raw.socket.destroy();
  });
});

describe('extended query', () => {
  it('binds text parameters and describes the statement', async () => {
    const connection = await client();
    const result = await connection.query({ text: 'select $1', values: ['hello'] });
    expect(result.rows).toEqual([{ value: 'hello' }]);
    const typed = await connection.query({ text: 'select $1', values: [42], types: undefined });
    expect(typed.rows[0]).toEqual({ value: '42' });
  });

  it('keeps named prepared statements and refuses duplicates', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.parse({ name: 's1', text: 'select $1', types: [23] }), serialize.sync());
    await raw.until('readyForQuery');
    raw.take();
    raw.send(
      serialize.parse({ name: 's1', text: 'select $1', types: [23] }),
      serialize.bind({ statement: 's1', values: ['1'] }), serialize.execute(), serialize.sync(),
    );
    const afterDuplicate = await raw.until('readyForQuery');
    expect(afterDuplicate.map((message) => message.name)).toEqual(['error', 'readyForQuery']);
    expect((afterDuplicate[0] as unknown as { code: string }).code).toBe('42P05');
    raw.take();
    raw.send(
      serialize.describe({ type: 'S', name: 's1' }),
      serialize.bind({ portal: 'p', statement: 's1', values: [Buffer.from([0, 0, 0, 9])] }),
      serialize.execute({ portal: 'p' }), serialize.close({ type: 'S', name: 's1' }), serialize.close({ type: 'P', name: 'nope' }),
      serialize.sync(),
    );
    const messages = await raw.until('readyForQuery');
    expect(messages.map((message) => message.name)).toEqual([
      'parameterDescription', 'rowDescription', 'bindComplete', 'dataRow', 'commandComplete', 'closeComplete', 'closeComplete', 'readyForQuery',
    ]);
    expect((messages[0] as unknown as { dataTypeIDs: number[] }).dataTypeIDs).toEqual([23]);
    expect((messages[3] as unknown as { fields: string[] }).fields).toEqual(['9']);
    raw.socket.destroy();
  });

  it('suspends a portal at the row limit and continues it (pg-cursor)', async () => {
    const connection = await client();
    const cursor = connection.query(new Cursor<{ n: number }>('select rows 10'));
    const read = (count: number): Promise<{ n: number }[]> => cursor.read(count);
    expect((await read(3)).map((row) => row.n)).toEqual([1, 2, 3]);
    expect((await read(3)).map((row) => row.n)).toEqual([4, 5, 6]);
    expect((await read(5)).map((row) => row.n)).toEqual([7, 8, 9, 10]);
    expect(await read(5)).toEqual([]);
    await cursor.close();
    expect((await connection.query('select rows 1')).rowCount).toBe(1);
  });

  it('sends PortalSuspended and then CommandComplete', async () => {
    const raw = await RawClient.started(port);
    raw.send(
      serialize.parse({ text: 'select rows 3' }), serialize.bind(), serialize.describe({ type: 'P' }),
      serialize.execute({ rows: 2 }), serialize.execute({ rows: 2 }), serialize.sync(),
    );
    expect((await raw.until('readyForQuery')).map((message) => message.name)).toEqual([
      'parseComplete', 'bindComplete', 'rowDescription', 'dataRow', 'dataRow', 'portalSuspended', 'dataRow', 'commandComplete', 'readyForQuery',
    ]);
    raw.socket.destroy();
  });

  it('returns binary results in the formats Bind asked for', async () => {
    const raw = await RawClient.started(port);
    raw.stopParsing();
    raw.send(
      serialize.parse({ text: 'types' }), serialize.bind({ binary: true }), serialize.describe({ type: 'P' }),
      serialize.execute(), serialize.sync(),
    );
    const frames = await raw.untilFrame('Z');
    expect(frames.map((frame) => frame.code)).toEqual(['1', '2', 'T', 'D', 'D', 'C', 'Z']);
    const description = frames[2]?.body as Buffer;
    expect(description.readInt16BE(description.length - 2)).toBe(1);
    const hex = (frames[3]?.body as Buffer).toString('hex');
    expect(hex).toBe([
      '0008', '00000004fffffff9', '000000080020000000000001', '0000000668c3a96c6c6f', '0000000101',
      '000000084004000000000000', '000000080000000000000000', '0000000e0003000100000003000109291a7c', '000000020102',
    ].join(''));
    expect((frames[4]?.body as Buffer).toString('hex')).toBe('0008' + 'ffffffff'.repeat(8));
    raw.socket.destroy();
  });

  it('skips to Sync after an error', async () => {
    const raw = await RawClient.started(port);
    raw.send(
      serialize.parse({ text: 'unknown' }), serialize.bind(), serialize.describe({ type: 'P' }), serialize.execute(),
      serialize.query('select rows 1'), serialize.sync(),
      serialize.parse({ text: 'select rows 1' }), serialize.bind(), serialize.execute(), serialize.sync(),
    );
    await raw.until('readyForQuery');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(raw.names()).toEqual([
      'error', 'readyForQuery', 'parseComplete', 'bindComplete', 'dataRow', 'commandComplete', 'readyForQuery',
    ]);
    expect(factory.journal.executed).toEqual(['select rows 1']);
    raw.socket.destroy();
  });

  it('rejects a Bind whose parameter count does not match', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.parse({ text: 'select $1' }), serialize.bind({ values: ['1', '2'] }), serialize.sync());
    const messages = await raw.until('readyForQuery');
    expect(messages.map((message) => message.name)).toEqual(['parseComplete', 'error', 'readyForQuery']);
    expect((messages[1] as unknown as { code: string }).code).toBe('08P01');
    raw.socket.destroy();
  });

  it('rejects a bad binary parameter with 22P03', async () => {
    const raw = await RawClient.started(port);
    raw.send(
      serialize.parse({ text: 'select $1', types: [23] }),
      serialize.bind({ values: [Buffer.from([1, 2, 3])] }), serialize.sync(),
    );
    const messages = await raw.until('readyForQuery');
    expect((messages[1] as unknown as { code: string }).code).toBe('22P03');
    raw.socket.destroy();
  });

  it('keeps a portal across Sync inside a transaction block', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.query('begin'));
    await raw.until('readyForQuery');
    raw.take();
    raw.send(serialize.parse({ text: 'select rows 3' }), serialize.bind({ portal: 'c' }), serialize.execute({ portal: 'c', rows: 1 }), serialize.sync());
    await raw.until('readyForQuery');
    raw.take();
    raw.send(serialize.execute({ portal: 'c', rows: 5 }), serialize.sync());
    expect((await raw.until('readyForQuery')).map((message) => message.name)).toEqual(['dataRow', 'dataRow', 'commandComplete', 'readyForQuery']);
    raw.take();
    raw.send(serialize.query('commit'), serialize.execute({ portal: 'c' }), serialize.sync());
    await raw.until('readyForQuery');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(raw.names()).toEqual(['commandComplete', 'readyForQuery', 'error', 'readyForQuery']);
    raw.socket.destroy();
  });
});

describe('COPY', () => {
  it('feeds CopyData to the sink until CopyDone', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.query('copy in'));
    await raw.until('copyInResponse');
    raw.send(serialize.copyData(Buffer.from('1\ta\n')), serialize.copyData(Buffer.from('2\tb\n')), serialize.copyDone());
    const messages = await raw.until('readyForQuery');
    expect(messages.map((message) => message.name)).toEqual(['copyInResponse', 'commandComplete', 'readyForQuery']);
    expect((messages[1] as unknown as { text: string }).text).toBe('COPY 2');
    expect(factory.journal.copied).toEqual(['1|a,2|b']);
    raw.socket.destroy();
  });

  it('aborts the sink on CopyFail', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.query('copy in'));
    await raw.until('copyInResponse');
    raw.send(serialize.copyData(Buffer.from('1\ta\n')), serialize.copyFail('client gave up'));
    const messages = await raw.until('readyForQuery');
    const error = messages[1] as unknown as { code: string; message: string };
    expect(error.code).toBe('57014');
    expect(error.message).toBe('COPY from stdin failed: client gave up');
    expect(factory.journal.copied).toEqual(['aborted: COPY from stdin failed: client gave up']);
    raw.socket.destroy();
  });

  it('streams COPY TO STDOUT', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.query('copy out'));
    const messages = await raw.until('readyForQuery');
    expect(messages.map((message) => message.name)).toEqual([
      'copyOutResponse', 'copyData', 'copyData', 'copyData', 'copyDone', 'commandComplete', 'readyForQuery',
    ]);
    const data = messages.filter((message) => message.name === 'copyData') as unknown as { chunk: Buffer }[];
    expect(data.map((message) => message.chunk.toString())).toEqual(['1\trow 1\n', '2\trow 2\n', '3\trow 3\n']);
    expect((messages[5] as unknown as { text: string }).text).toBe('SELECT 3');
    raw.socket.destroy();
  });
});

describe('cancel and shutdown', () => {
  it('cancels a running statement through a CancelRequest', async () => {
    const connection = await client();
    const running = errorOf(connection.query('sleep'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { processID, secretKey } = connection as unknown as { processID: number; secretKey: number };
    const wrong = await RawClient.connect(port);
    wrong.send(serialize.cancel(processID, secretKey + 1));
    await wrong.waitClosed();
    const canceller = await RawClient.connect(port);
    canceller.send(serialize.cancel(processID, secretKey));
    await canceller.waitClosed();
    expect(canceller.raw).toEqual([]);
    const error = await running;
    expect(error.code).toBe('57014');
    expect(error.message).toBe('canceling statement due to user request');
    expect(factory.journal.cursorsClosed).toBe(1);
    expect((await connection.query('select rows 2')).rowCount).toBe(2);
  });

  it('releases the session and cursors when the client disappears', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.query('sleep'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    raw.socket.destroy();
    for (let attempt = 0; attempt < 50 && factory.journal.sessionsClosed === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(factory.journal.sessionsClosed).toBe(1);
    expect(factory.journal.cursorsClosed).toBe(1);
  });

  it('ends connections with FATAL 57P01 on server close', async () => {
    const raw = await RawClient.started(port);
    raw.send(serialize.query('sleep'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    await raw.waitClosed();
    const errors = raw.messages.filter((message) => message.name === 'error') as unknown as { code: string; severity: string }[];
    expect(errors.map((error) => [error.code, error.severity])).toEqual([['57P01', 'FATAL']]);
    expect(factory.journal.sessionsClosed).toBe(1);
    ({ server, factory, port } = await startServer());
  });
});
