// KV tablet benchmark on the 7-column orders table (bigint pk, int, numeric(15,2), date, text,
// text, text): row codec encode+decode, upserts through prepare → log append → fsync → apply in
// statements of 4096 rows (first as inserts of new keys, then as updates of every row), point
// lookups with getMany batches of 100, a full scan, and a rebuild of the KV from the log. The
// pipelined figure prepares the next statement while the previous one is appended, synced and
// applied, as concurrent writers under group commit do.
// Usage: node dist/bench/kv-tablet.js [rows]  (default 1 000 000).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '../src/common/decimal.js';
import type { Value } from '../src/common/types.js';
import { KvStore } from '../src/storage/kv/kv-store.js';
import { KvTablet, type KvSchema, type KvWrite } from '../src/storage/kv/kv-tablet.js';
import { RowCodec } from '../src/storage/kv/row-codec.js';
import { LogTablet } from '../src/storage/log/log-tablet.js';

const totalRows = Number(process.argv[2] ?? 1_000_000);
const statementRows = 4096;
const lookupBatch = 100;
const lookups = 200_000;

const schema: KvSchema = {
  columns: [
    { name: 'order_key', type: { name: 'int8' } },
    { name: 'cust_key', type: { name: 'int4' } },
    { name: 'total_price', type: { name: 'numeric', precision: 15, scale: 2 } },
    { name: 'order_date', type: { name: 'date' } },
    { name: 'status', type: { name: 'text' } },
    { name: 'priority', type: { name: 'text' } },
    { name: 'comment', type: { name: 'text' } },
  ],
  primaryKey: [0],
  mergeEngine: 'last_row',
  changelogImage: 'full',
};

const priorities = ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'];
const words = ['furiously', 'regular', 'deposits', 'sleep', 'carefully', 'final', 'packages', 'quickly', 'ironic', 'accounts'];

function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

function orderRow(key: number, random: () => number): Value[] {
  let comment = '';
  for (let word = 0; word < 4; word++) comment += words[Math.floor(random() * words.length)]! + ' ';
  return [
    BigInt(key * 4 + 1), Math.floor(random() * 150_000), new Decimal(BigInt(Math.floor(random() * 50_000_000)), 2),
    8000 + Math.floor(random() * 2400), random() < 0.5 ? 'O' : 'F', priorities[Math.floor(random() * 5)]!, comment.trimEnd(),
  ];
}

function statements(seed: number): KvWrite[][] {
  const random = generator(seed);
  const out: KvWrite[][] = [];
  for (let start = 0; start < totalRows; start += statementRows) {
    const rows = Math.min(statementRows, totalRows - start);
    out.push(Array.from({ length: rows }, (_, index) => ({ kind: 'upsert' as const, row: orderRow(start + index, random) })));
  }
  return out;
}

function perSecond(count: number, startNs: bigint): string {
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  return `${Math.round(count / seconds).toLocaleString('en-US')}/s (${seconds.toFixed(2)} s)`;
}

function benchRowCodec(): void {
  const codec = new RowCodec(schema.columns.map((column) => column.type));
  const random = generator(1);
  const rows = Array.from({ length: 100_000 }, (_, index) => orderRow(index, random));
  for (const row of rows.slice(0, 10_000)) codec.decode(codec.encode(row));
  const start = process.hrtime.bigint();
  let bytes = 0;
  for (let round = 0; round < 10; round++) {
    for (const row of rows) bytes += codec.decode(codec.encode(row)).length;
  }
  console.log(`row codec encode+decode:       ${perSecond(rows.length * 10, start)}  (${codec.encode(rows[0]!).byteLength} bytes/row)`);
  void bytes;
}

async function writeAll(tablet: KvTablet, log: LogTablet, batches: KvWrite[][], label: string): Promise<void> {
  let sequence = 0n;
  let records = 0;
  const start = process.hrtime.bigint();
  for (const writes of batches) {
    const prepared = await tablet.prepare(writes);
    let lastOffset: bigint | undefined;
    if (prepared.recordCount > 0) {
      lastOffset = (await log.append(prepared.batch, { commitTimestampMs: Date.now(), commitSequence: sequence++ })).lastOffset;
      await log.sync();
    }
    await tablet.apply(prepared, lastOffset);
    records += prepared.recordCount;
  }
  console.log(`${label}${perSecond(totalRows, start)}  (${records.toLocaleString('en-US')} change records)`);
}

/** The same path with the next statement prepared while the previous one is appended, synced and applied. */
async function writePipelined(tablet: KvTablet, log: LogTablet, batches: KvWrite[][], label: string): Promise<void> {
  let sequence = 0n;
  let tail: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  const start = process.hrtime.bigint();
  for (const writes of batches) {
    if (inFlight.length >= 2) await inFlight.shift();
    const prepared = await tablet.prepare(writes);
    tail = tail.then(async () => {
      let lastOffset: bigint | undefined;
      if (prepared.recordCount > 0) {
        lastOffset = (await log.append(prepared.batch, { commitTimestampMs: Date.now(), commitSequence: sequence++ })).lastOffset;
        await log.sync();
      }
      await tablet.apply(prepared, lastOffset);
    });
    inFlight.push(tail);
  }
  await tail;
  console.log(`${label}${perSecond(totalRows, start)}`);
}

async function benchLookups(tablet: KvTablet): Promise<void> {
  const random = generator(7);
  const start = process.hrtime.bigint();
  let found = 0;
  for (let done = 0; done < lookups; done += lookupBatch) {
    const keys = Array.from({ length: lookupBatch }, () => [BigInt(Math.floor(random() * totalRows) * 4 + 1)]);
    for (const row of await tablet.getMany(keys)) if (row !== undefined) found++;
  }
  console.log(`point gets (getMany of ${lookupBatch}):    ${perSecond(lookups, start)}  (${found} found)`);
}

async function benchScan(tablet: KvTablet): Promise<void> {
  const start = process.hrtime.bigint();
  let rows = 0;
  for await (const batch of tablet.scan()) rows += batch.length;
  console.log(`full scan:                     ${perSecond(rows, start)}  (${rows} rows)`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-kv-bench-'));
  try {
    benchRowCodec();
    const log = await LogTablet.open(join(dir, 'log'), { schemaId: 1, columns: [{ name: '_change_type', type: { name: 'int2' } }, ...schema.columns] });
    let store = await KvStore.open(join(dir, 'kv'));
    let tablet = await KvTablet.open(store, 1, schema, log);
    await writeAll(tablet, log, statements(42), 'upsert, new keys:              ');
    await writeAll(tablet, log, statements(43), 'upsert, every key updated:     ');
    await writePipelined(tablet, log, statements(44), 'upsert, updated, pipelined:    ');
    await benchLookups(tablet);
    await benchScan(tablet);
    await tablet.close();
    await store.close();
    await rm(join(dir, 'kv'), { recursive: true });
    const start = process.hrtime.bigint();
    store = await KvStore.open(join(dir, 'kv'));
    tablet = await KvTablet.open(store, 1, schema, log);
    console.log(`rebuild from log (records):    ${perSecond(Number(log.endOffset), start)}  (${tablet.count()} rows)`);
    await tablet.close();
    await store.close();
    await log.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
