// Shared by the change-feed workloads: a paced writer that inserts rows stamped with the time they
// were sent, and subscribers that report when each row arrives — on Sluice a SUBSCRIBE over the
// table, on PostgreSQL a LISTEN on the channel an AFTER INSERT trigger notifies (the closest
// built-in way to be told of each committed row). Latency = arrival − send, both on this process's
// clock, so it includes the commit's durable flush on both systems. The writer also reports when each
// statement was acknowledged, so a workload can measure from the commit instead of from the send.
import { connect as connectSocket } from 'node:net';
import pg from 'pg';
import { copyIn } from '../harness/copy-in.js';
import { dropTableQuietly } from '../harness/schema.js';
import { disconnect } from '../harness/target.js';
import type { SystemKind } from '../harness/target.js';
import type { WorkloadContext } from './types.js';

const channel = 'bench_feed';
const writerConnections = 8;
const tickMs = 1;
const rowsPerStatementMax = 500;
const rowsPerCopyMax = 10_000;

export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export function feedTableSql(system: SystemKind, table: string): string[] {
  const create = `CREATE TABLE ${table} (id bigint NOT NULL, sent_us bigint NOT NULL, payload text NOT NULL)`;
  if (system === 'sluice') return [`${create} WITH (buckets = 4)`];
  return [
    create,
    `CREATE OR REPLACE FUNCTION ${table}_notify() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('${channel}', NEW.id || ':' || NEW.sent_us); RETURN NULL; END $$`,
    `CREATE TRIGGER ${table}_notify AFTER INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_notify()`,
  ];
}

export async function createFeedTable(client: pg.Client, system: SystemKind, table: string): Promise<void> {
  await dropTableQuietly(client, table);
  for (const statement of feedTableSql(system, table)) await client.query(statement);
}

/** A subscriber connection: calls `arrived(id, sentMicros)` for every row (Sluice) or notification (PostgreSQL). */
export interface FeedSubscriber {
  /** Ends the subscription and closes its connection (a run opens a hundred of them). */
  stop(): Promise<void>;
}

export async function subscribe(context: WorkloadContext, table: string, arrived: (id: number, sentMicros: number) => void): Promise<FeedSubscriber> {
  const client = await context.connect();
  if (context.system === 'postgres') {
    client.on('notification', (message) => {
      const [id, sent] = (message.payload ?? '').split(':');
      arrived(Number(id), Number(sent));
    });
    await client.query(`LISTEN ${channel}`);
    return { stop: async () => { await client.query(`UNLISTEN ${channel}`); await disconnect(client); } };
  }
  const query = new pg.Query({ text: `SUBSCRIBE (SELECT id, sent_us FROM ${table}) WITH (snapshot = false)`, rowMode: 'array' } as pg.QueryConfig);
  query.on('row', (row: unknown[]) => arrived(Number(row[2]), Number(row[3])));
  let ended = false;
  const done = new Promise<void>((resolve) => {
    query.on('error', () => { ended = true; resolve(); });
    query.on('end', () => { ended = true; resolve(); });
  });
  void client.query(query);
  // Wait until the subscription is set up (its RowDescription arrived), so no early row is missed.
  const deadline = performance.now() + 5000;
  while ((query as unknown as { _result?: { fields: unknown[] } })._result?.fields.length === 0 && !ended && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    async stop() {
      // Ends the subscription with a CancelRequest, as an interactive client would.
      await sendCancel(context, client);
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 2000))]);
      await disconnect(client);
    },
  };
}

/** How rows are written: single INSERT statements (up to 500 rows each) or COPY FROM STDIN batches. */
export type WriteMode = 'insert' | 'copy';

/** Told when the statement that wrote ids firstId .. firstId + count - 1 was acknowledged (committed). */
export type AckListener = (firstId: number, count: number, ackMicros: number) => void;

/**
 * Writes `rowsPerSecond` rows for `seconds` seconds, paced every tick over several connections
 * (each statement carries the rows due since the last one). Returns the number of rows sent.
 */
export async function writePaced(context: WorkloadContext, table: string, rowsPerSecond: number, seconds: number,
  writers: readonly pg.Client[], startId: number, mode: WriteMode = 'insert', acked?: AckListener): Promise<number> {
  const started = performance.now();
  const end = started + seconds * 1000;
  let sent = 0;
  let id = startId;
  const idle = [...writers];
  const inFlight = new Set<Promise<void>>();
  while (performance.now() < end) {
    let due = Math.floor(((performance.now() - started) / 1000) * rowsPerSecond) - sent;
    // Rows due go out in statements of at most rowsPerStatementMax, on every idle connection.
    while (due > 0 && idle.length > 0) {
      const writer = idle.pop() as pg.Client;
      const count = Math.min(due, mode === 'copy' ? rowsPerCopyMax : rowsPerStatementMax);
      const stamp = nowMicros();
      const statement = mode === 'copy' ? copyRows(writer, table, id, count, stamp) : insertRows(writer, table, id, count, stamp);
      const firstId = id;
      id += count;
      sent += count;
      due -= count;
      const done: Promise<void> = statement.then(() => {
        acked?.(firstId, count, nowMicros());
        idle.push(writer);
        inFlight.delete(done);
      });
      inFlight.add(done);
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  await Promise.all(inFlight);
  return sent;
}

async function insertRows(writer: pg.Client, table: string, firstId: number, count: number, stamp: number): Promise<void> {
  const values: string[] = [];
  for (let n = 0; n < count; n++) values.push(`(${firstId + n}, ${stamp}, 'change feed benchmark row')`);
  await writer.query(`INSERT INTO ${table} VALUES ${values.join(', ')}`);
}

async function copyRows(writer: pg.Client, table: string, firstId: number, count: number, stamp: number): Promise<void> {
  let text = '';
  for (let n = 0; n < count; n++) text += `${firstId + n}\t${stamp}\tchange feed benchmark row\n`;
  await copyIn(writer, `COPY ${table} FROM STDIN`, [Buffer.from(text)]);
}

export async function openWriters(context: WorkloadContext): Promise<pg.Client[]> {
  return Promise.all(Array.from({ length: writerConnections }, () => context.connect()));
}

/** Waits until `received()` reaches `expected`, at most `graceMs`. */
export async function awaitArrivals(received: () => number, expected: number, graceMs: number): Promise<void> {
  const deadline = performance.now() + graceMs;
  while (received() < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  if (received() < expected) throw new Error(`subscriber received ${received()} of ${expected} rows`);
}

export function percentile(values: number[], fraction: number): number {
  if (values.length === 0) throw new Error('no latencies measured');
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(fraction * values.length))] as number;
}

function sendCancel(context: WorkloadContext, client: pg.Client): Promise<void> {
  const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
  return new Promise((resolve) => {
    const socket = connectSocket(context.target.port, context.target.host, () => {
      const packet = Buffer.alloc(16);
      packet.writeInt32BE(16, 0);
      packet.writeInt32BE(80877102, 4);
      packet.writeInt32BE(processID, 8);
      packet.writeInt32BE(secretKey, 12);
      socket.end(packet);
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}
