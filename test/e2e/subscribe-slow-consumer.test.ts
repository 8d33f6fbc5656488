// A subscriber that never reads costs the server a bounded amount of memory: one million rows are
// written while it sits on a full socket, the server's heap stays within a fixed bound, another
// subscriber on the same table keeps up with every row, and closing the idle one frees what it held.

import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server.destroy(); });

function heapAfterGc(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** A client that starts a subscription by simple query and then never reads its socket. */
async function idleSubscriber(port: number, query: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  socket.write(serialize.startup({ user: 'tester', database: 'sluice' }));
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.write(serialize.query(query));
  await new Promise((resolve) => setTimeout(resolve, 100));
  socket.pause();
  return socket;
}

const rowsTotal = 1_000_000;
const rowsPerCopy = 100_000;
const payload = 'x'.repeat(100);

it('keeps a subscriber that never reads within a fixed memory bound while others keep up', async () => {
  const writer = await server.client();
  await writer.query('CREATE TABLE slow_feed (id BIGINT, payload TEXT) WITH (buckets = 4)');
  const idle = await idleSubscriber(server.port, 'SUBSCRIBE TO slow_feed');

  const reader = await server.client();
  let received = 0;
  let marker = false;
  const query = new pg.Query("SUBSCRIBE TO slow_feed WITH (snapshot = false)");
  query.on('row', (row: { id: string }) => {
    received++;
    if (row.id === '-1') marker = true;
  });
  query.on('error', () => undefined);
  void reader.query(query);
  await new Promise((resolve) => setTimeout(resolve, 100));

  const baseline = heapAfterGc();
  let peak = 0;
  for (let start = 0; start < rowsTotal; start += rowsPerCopy) {
    const lines = (function* () {
      for (let id = start; id < start + rowsPerCopy; id += 1000) {
        let chunk = '';
        for (let n = id; n < id + 1000; n++) chunk += `${n}\t${payload}\n`;
        yield chunk;
      }
    })();
    await pipeline(Readable.from(lines), writer.query(copyFrom('COPY slow_feed FROM STDIN')));
    peak = Math.max(peak, heapAfterGc() - baseline);
    if (process.env.SLUICE_DEBUG) console.log(start, received, (heapAfterGc() - baseline) / 1e6);
  }
  await writer.query("INSERT INTO slow_feed VALUES (-1, 'marker')");
  const deadline = Date.now() + 60_000;
  while (!marker && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(marker).toBe(true);
  expect(received).toBe(rowsTotal + 1);
  peak = Math.max(peak, heapAfterGc() - baseline);
  // The rows written are ~110 MB of values; the bound is the feed's rings plus a few buffers.
  expect(peak).toBeLessThan(64 * 1024 * 1024);

  idle.destroy();
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(heapAfterGc() - baseline).toBeLessThan(48 * 1024 * 1024);
  expect((await writer.query('SELECT count(*)::int AS n FROM slow_feed')).rows).toEqual([{ n: rowsTotal + 1 }]);
}, 240_000);
