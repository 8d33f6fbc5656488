// COPY FROM STDIN path benchmark: times the CopyDecoder alone on a generated orders buffer (text and
// csv), then COPY through a real in-process server (node-postgres + pg-copy-streams) into a 4-bucket
// log table and into a primary-key table, and prints rows/s per trial and the median, and rows per
// CPU second of this process (all threads), which a busy machine disturbs less than wall time.
// Usage: node dist/bench/copy-path.js [rows=500000] [trials=3] [parts=decoder,log,pk] [formats=text,csv]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Types, type DataType } from '../src/common/types.js';
import { CopyDecoder } from '../src/pgwire/copy/copy-decoder.js';
import type { ColumnDescription, CopyOptions } from '../src/pgwire/session.js';
import { startServer } from '../src/main.js';
import { createOrdersSql, orderColumns } from './harness/schema.js';
import { customerCountFor, defaultSeed, formatCents, orderCopyLine, orderRow, type OrderRow } from './harness/datagen.js';

type Format = 'text' | 'csv';

const rowCount = Number(process.argv[2] ?? 500_000);
const trials = Number(process.argv[3] ?? 3);
const parts = new Set((process.argv[4] ?? 'decoder,log,pk').split(','));
const formats = (process.argv[5] ?? 'text,csv').split(',') as Format[];
/** Size of the CopyData messages the client sends (pg-copy-streams passes writes through as is). */
const chunkBytes = 64 * 1024;

function orderCsvLine(row: OrderRow): string {
  return `${row.orderKey},${row.custKey},${formatCents(row.totalPriceCents)},${row.orderDate},` +
    `${row.orderStatus},"${row.orderPriority}","${row.comment}"\n`;
}

function generate(format: Format): Buffer[] {
  const customers = customerCountFor(rowCount);
  const chunks: Buffer[] = [];
  let pending = '';
  for (let key = 1; key <= rowCount; key++) {
    const row = orderRow(key, customers, defaultSeed);
    pending += format === 'csv' ? orderCsvLine(row) : orderCopyLine(row);
    if (pending.length >= chunkBytes) {
      chunks.push(Buffer.from(pending, 'utf8'));
      pending = '';
    }
  }
  if (pending.length > 0) chunks.push(Buffer.from(pending, 'utf8'));
  return chunks;
}

function copyOptions(format: Format): CopyOptions {
  return format === 'csv'
    ? { format, delimiter: ',', nullString: '', header: false, quote: '"', escape: '"' }
    : { format, delimiter: '\t', nullString: '\\N', header: false, quote: '"', escape: '"' };
}

const columnTypes: readonly { name: string; type: DataType }[] = [
  { name: 'o_orderkey', type: Types.int8 },
  { name: 'o_custkey', type: Types.int4 },
  { name: 'o_totalprice', type: { name: 'numeric', precision: 15, scale: 2 } },
  { name: 'o_orderdate', type: Types.date },
  { name: 'o_orderstatus', type: Types.text },
  { name: 'o_orderpriority', type: Types.text },
  { name: 'o_comment', type: Types.text },
];

const columns: ColumnDescription[] = columnTypes.map((column, index) => ({ ...column, tableOid: 0, columnNumber: index + 1 }));

function decodeAll(chunks: readonly Buffer[], format: Format): number {
  const decoder = new CopyDecoder(columns, copyOptions(format), 'UTC');
  let rows = 0;
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let batch = decoder.takeRows(); batch.length > 0; batch = decoder.takeRows()) rows += batch.length;
  }
  decoder.end();
  for (let batch = decoder.takeRows(); batch.length > 0; batch = decoder.takeRows()) rows += batch.length;
  return rows;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] ?? 0 : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

interface Trial {
  /** Rows per wall-clock second. */
  readonly rate: number;
  /** Rows per CPU second of the process. */
  readonly cpuRate: number;
}

/** Runs `work` (which returns its row count) and measures it. */
async function measure(work: () => number | Promise<number>): Promise<Trial> {
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const rows = await work();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { rate: rows / seconds, cpuRate: rows / ((cpu.user + cpu.system) / 1e6) };
}

function report(label: string, trials: readonly Trial[]): void {
  const format = (rate: number): string => Math.round(rate).toLocaleString('en-US');
  const rates = trials.map((trial) => trial.rate);
  const cpuRates = trials.map((trial) => trial.cpuRate);
  console.log(`${label.padEnd(18)} median ${format(median(rates)).padStart(9)} rows/s  ${format(median(cpuRates)).padStart(9)} rows/cpu-s` +
    `   (trials: ${rates.map(format).join(', ')})`);
}

async function copyOnce(client: pg.Client, table: string, chunks: readonly Buffer[], format: Format): Promise<number> {
  const options = format === 'csv' ? 'WITH (FORMAT csv)' : '';
  const stream = client.query(copyFrom(`COPY ${table} (${orderColumns}) FROM STDIN ${options}`));
  await pipeline(Readable.from(chunks), stream);
  if (stream.rowCount !== rowCount) throw new Error(`COPY wrote ${stream.rowCount} rows, expected ${rowCount}`);
  return rowCount;
}

async function main(): Promise<void> {
  console.log(`COPY path: ${rowCount.toLocaleString('en-US')} orders rows, ${trials} trials, node ${process.version}`);
  const data = new Map<Format, Buffer[]>(formats.map((format) => [format, generate(format)]));
  if (parts.has('decoder')) {
    for (const format of formats) {
      const chunks = data.get(format) ?? [];
      decodeAll(chunks, format);
      const results: Trial[] = [];
      for (let trial = 0; trial < trials; trial++) results.push(await measure(() => decodeAll(chunks, format)));
      report(`decoder ${format}`, results);
    }
  }
  const layouts = (['log', 'pk'] as const).filter((layout) => parts.has(layout));
  if (layouts.length === 0) return;
  const directory = await mkdtemp(join(tmpdir(), 'sluice-copy-path-'));
  const server = await startServer({ dataDirectory: directory, host: '127.0.0.1', port: 0 });
  const client = new pg.Client({ host: server.host, port: server.port, user: 'bench', database: 'sluice' });
  try {
    await client.connect();
    let tableNumber = 0;
    for (const layout of layouts) {
      for (const format of formats) {
        const results: Trial[] = [];
        for (let trial = 0; trial < trials; trial++) {
          const table = `orders_${layout}_${tableNumber++}`;
          await client.query(createOrdersSql('sluice', table, layout));
          results.push(await measure(() => copyOnce(client, table, data.get(format) ?? [], format)));
          await client.query(`DROP TABLE ${table}`);
        }
        report(`COPY ${layout} ${format}`, results);
      }
    }
  } finally {
    await client.end().catch(() => undefined);
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

await main();
