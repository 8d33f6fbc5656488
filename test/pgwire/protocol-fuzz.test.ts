// Protocol garbage over raw sockets: random bytes before and after startup, truncated frames,
// oversized lengths and bit-flipped message streams, from a seeded generator. Each such connection
// must end (with at most a FATAL ErrorResponse for garbage), every opened session must be closed,
// and a well-behaved client must still be served afterwards.

import pg from 'pg';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PgServer } from '../../src/pgwire/server.js';
import { RawClient, startServer, type FixtureFactory } from './fixture.js';

let server: PgServer;
let factory: FixtureFactory;
let port: number;

beforeAll(async () => {
  ({ server, factory, port } = await startServer());
});

afterAll(async () => {
  await server.close();
});

/** Mulberry32: a small seeded generator so failures reproduce. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(random: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

/** Sends bytes, half-closes, and returns the backend messages seen before the socket closed. */
async function sendAndClose(bytes: Buffer, afterStartup: boolean): Promise<RawClient> {
  const client = afterStartup ? await RawClient.started(port) : await RawClient.connect(port);
  client.send(bytes);
  client.socket.end();
  await client.waitClosed(10_000);
  return client;
}

function expectOnlyFatalErrors(client: RawClient): void {
  const errors = client.messages.filter((message) => message.name === 'error') as unknown as { severity: string; code: string }[];
  expect(errors.length).toBeLessThanOrEqual(1);
  for (const error of errors) expect(error.severity).toBe('FATAL');
}

async function expectHealthyServer(): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'after', database: 'db' });
  await client.connect();
  expect((await client.query('select rows 2')).rowCount).toBe(2);
  await client.end();
}

async function expectSessionsClosed(): Promise<void> {
  for (let attempt = 0; attempt < 100 && factory.journal.sessionsClosed < factory.journal.startups.length; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(factory.journal.sessionsClosed).toBe(factory.journal.startups.length);
}

describe('protocol garbage', () => {
  it('ends connections that send random bytes instead of a startup packet', async () => {
    const random = generator(1);
    for (let round = 0; round < 40; round++) {
      const client = await sendAndClose(randomBytes(random, 1 + Math.floor(random() * 300)), false);
      expectOnlyFatalErrors(client);
    }
    await expectHealthyServer();
  });

  it('ends connections that send random bytes after startup', async () => {
    const random = generator(2);
    for (let round = 0; round < 40; round++) {
      const client = await sendAndClose(randomBytes(random, 1 + Math.floor(random() * 300)), true);
      expectOnlyFatalErrors(client);
    }
    await expectHealthyServer();
  });

  it('survives truncated and bit-flipped message streams', async () => {
    const random = generator(3);
    const stream = Buffer.concat([
      serialize.parse({ name: 's', text: 'select $1', types: [23] }),
      serialize.bind({ statement: 's', values: [Buffer.from([0, 0, 0, 1])] }),
      serialize.describe({ type: 'P' }), serialize.execute({ rows: 1 }), serialize.sync(),
      serialize.query('select rows 3'),
    ]);
    for (let round = 0; round < 40; round++) {
      const bytes = Buffer.from(stream.subarray(0, 1 + Math.floor(random() * stream.length)));
      const flipAt = Math.floor(random() * bytes.length);
      if (round % 2 === 1) bytes[flipAt] = (bytes[flipAt] as number) ^ (1 << Math.floor(random() * 8));
      const client = await sendAndClose(bytes, true);
      expect(client.closed).toBe(true);
    }
    await expectHealthyServer();
  });

  it('answers oversized lengths with FATAL 08P01 at once', async () => {
    const oversizedStartup = Buffer.from([0, 0x0f, 0x42, 0x40, 0, 3, 0, 0]);
    const negativeLength = Buffer.from([0x51, 0xff, 0xff, 0xff, 0xf0]);
    const hugeLength = Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]);
    const unknownType = Buffer.from([0x21, 0, 0, 0, 4]);
    const cases: [Buffer, boolean][] = [[oversizedStartup, false], [negativeLength, true], [hugeLength, true], [unknownType, true]];
    for (const [bytes, afterStartup] of cases) {
      const client = afterStartup ? await RawClient.started(port) : await RawClient.connect(port);
      client.send(bytes);
      await client.waitClosed();
      const errors = client.messages as unknown as { name: string; code: string; severity: string }[];
      expect(errors.map((message) => [message.name, message.code, message.severity])).toEqual([['error', '08P01', 'FATAL']]);
    }
    await expectHealthyServer();
  });

  it('closes every session it opened', async () => {
    await expectHealthyServer();
    await expectSessionsClosed();
  });
});
