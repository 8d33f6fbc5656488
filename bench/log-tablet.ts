// Log tablet benchmark: appends a 7-column orders table (bigint, int, numeric(15,2), date, text,
// text, text) in batches of 4096 rows, then scans it with all columns and with one column, and
// prints rows/s and bytes read. Also prints CRC32C throughput. Data stays in the page cache, so the
// scan figures measure framing, checksums and decoding rather than the disk.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '../src/common/decimal.js';
import type { Value } from '../src/common/types.js';
import type { ColumnarBatch } from '../src/storage/log/columnar-batch.js';
import { crc32c } from '../src/storage/log/crc32c.js';
import { LogTablet } from '../src/storage/log/log-tablet.js';
import type { LogSchema } from '../src/storage/log/log-schema.js';

const totalRows = 1_000_000;
const batchRows = 4096;

const schema: LogSchema = {
  schemaId: 1,
  columns: [
    { name: 'order_key', type: { name: 'int8' } },
    { name: 'cust_key', type: { name: 'int4' } },
    { name: 'total_price', type: { name: 'numeric', precision: 15, scale: 2 } },
    { name: 'order_date', type: { name: 'date' } },
    { name: 'status', type: { name: 'text' } },
    { name: 'priority', type: { name: 'text' } },
    { name: 'comment', type: { name: 'text' } },
  ],
};

const priorities = ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'];
const words = ['furiously', 'regular', 'deposits', 'sleep', 'carefully', 'final', 'packages', 'quickly', 'ironic', 'accounts'];

function makeBatches(totalRows: number): ColumnarBatch[] {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const batches: ColumnarBatch[] = [];
  for (let start = 0; start < totalRows; start += batchRows) {
    const rows = Math.min(batchRows, totalRows - start);
    const columns: Value[][] = [[], [], [], [], [], [], []];
    for (let row = 0; row < rows; row++) {
      const key = start + row;
      columns[0]!.push(BigInt(key * 4 + 1));
      columns[1]!.push(Math.floor(random() * 150_000));
      columns[2]!.push(new Decimal(BigInt(Math.floor(random() * 50_000_000)), 2));
      columns[3]!.push(8000 + Math.floor(random() * 2400));
      columns[4]!.push(random() < 0.5 ? 'O' : 'F');
      columns[5]!.push(priorities[Math.floor(random() * 5)]!);
      let comment = '';
      for (let word = 0; word < 4; word++) comment += words[Math.floor(random() * words.length)]! + ' ';
      columns[6]!.push(comment.trimEnd());
    }
    batches.push({ rowCount: rows, columns });
  }
  return batches;
}

function rate(rows: number, milliseconds: number): string {
  return `${(rows / (milliseconds / 1000) / 1e6).toFixed(2)}M rows/s`;
}

async function scan(tablet: LogTablet, columns: number[] | undefined): Promise<{ milliseconds: number; bytes: number; rows: number }> {
  const bytesBefore = tablet.bytesRead;
  const started = performance.now();
  let rows = 0;
  for await (const batch of tablet.read(0n, columns === undefined ? {} : { columns })) rows += batch.recordCount;
  return { milliseconds: performance.now() - started, bytes: tablet.bytesRead - bytesBefore, rows };
}

async function appendAll(tablet: LogTablet, batches: readonly ColumnarBatch[]): Promise<number> {
  let commit = 0n;
  const started = performance.now();
  for (const batch of batches) await tablet.append(batch, { commitTimestampMs: Date.now(), commitSequence: commit++ });
  return performance.now() - started;
}

async function main(): Promise<void> {
  const crcInput = new Uint8Array(64 * 1024 * 1024);
  for (let index = 0; index < crcInput.length; index++) crcInput[index] = index * 31;
  const crcStarted = performance.now();
  crc32c(crcInput);
  const crcMs = performance.now() - crcStarted;
  console.log(`crc32c: ${(crcInput.byteLength / 1e6 / (crcMs / 1000)).toFixed(0)} MB/s`);

  // Appends measured (after a JIT warm-up of 128K rows) two ways: cycling through a pool of 16 distinct batches (as a server that
  // builds a batch, appends it and drops it: little live heap), and from 1M distinct pre-built rows
  // (the whole input live at once, so the figure includes major GCs of a large heap).
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-log-'));
  try {
    const pool = makeBatches(16 * batchRows);
    const warmup = await LogTablet.open(join(dir, 'warmup'), schema);
    await appendAll(warmup, [...pool, ...pool]);
    await warmup.close();
    const pooled = await LogTablet.open(join(dir, 'pooled'), schema);
    const pooledMs = await appendAll(pooled, Array.from({ length: Math.ceil(totalRows / batchRows) }, (_, index) => pool[index % pool.length]!));
    console.log(`append (7 columns, ${batchRows}-row batches, no fsync, pooled input): ${rate(totalRows, pooledMs)} (${pooledMs.toFixed(0)} ms)`);
    await pooled.close();

    const batches = makeBatches(totalRows);
    const tablet = await LogTablet.open(join(dir, 'distinct'), schema);
    const appendMs = await appendAll(tablet, batches);
    batches.length = 0;
    const syncStarted = performance.now();
    await tablet.sync();
    const syncMs = performance.now() - syncStarted;
    console.log(`append (7 columns, ${batchRows}-row batches, no fsync, 1M distinct rows live): ${rate(totalRows, appendMs)} (${appendMs.toFixed(0)} ms); final fsync ${syncMs.toFixed(0)} ms`);

    for (let round = 0; round < 2; round++) {
      const full = await scan(tablet, undefined);
      const key = await scan(tablet, [0]);
      const comment = await scan(tablet, [6]);
      const status = await scan(tablet, [4]);
      const label = round === 0 ? 'cold-JIT' : 'warm';
      console.log(`scan ${label}: all 7 columns ${rate(full.rows, full.milliseconds)} (${(full.bytes / 1e6).toFixed(1)} MB read)`);
      console.log(`scan ${label}: order_key only ${rate(key.rows, key.milliseconds)} (${(key.bytes / 1e6).toFixed(1)} MB read, ${(full.milliseconds / key.milliseconds).toFixed(1)}x faster)`);
      console.log(`scan ${label}: status only    ${rate(status.rows, status.milliseconds)} (${(status.bytes / 1e6).toFixed(1)} MB read, ${(full.milliseconds / status.milliseconds).toFixed(1)}x faster)`);
      console.log(`scan ${label}: comment only   ${rate(comment.rows, comment.milliseconds)} (${(comment.bytes / 1e6).toFixed(1)} MB read, ${(full.milliseconds / comment.milliseconds).toFixed(1)}x faster)`);
    }
    await tablet.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
