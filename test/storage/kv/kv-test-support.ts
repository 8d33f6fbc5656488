// Shared helpers of the KV tablet tests: a log + KV store + tablet in a temporary directory, the
// prepare → append → sync → apply write path, and reading a whole tablet.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Value } from '../../../src/common/types.js';
import { KvStore } from '../../../src/storage/kv/kv-store.js';
import { KvTablet, type KvSchema, type KvTabletOptions, type KvWrite, type PreparedChanges } from '../../../src/storage/kv/kv-tablet.js';
import type { LogSchema } from '../../../src/storage/log/log-schema.js';
import { LogTablet } from '../../../src/storage/log/log-tablet.js';
import { comparable } from '../log/log-test-support.js';

export async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-kv-test-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function logSchemaOf(schema: KvSchema): LogSchema {
  return { schemaId: 1, columns: [{ name: '_change_type', type: { name: 'int2' } }, ...schema.columns] };
}

export interface Opened {
  readonly store: KvStore;
  readonly log: LogTablet;
  readonly tablet: KvTablet;
  close(): Promise<void>;
}

export async function openTablet(dir: string, schema: KvSchema, tabletId = 7, existing?: { store?: KvStore; log?: LogTablet },
  options: KvTabletOptions = {}): Promise<Opened> {
  const store = existing?.store ?? await KvStore.open(join(dir, 'kv'));
  const log = existing?.log ?? await LogTablet.open(join(dir, 'log', String(tabletId)), logSchemaOf(schema));
  const tablet = await KvTablet.open(store, tabletId, schema, log, [], options);
  return {
    store, log, tablet,
    async close() {
      await tablet.close();
      await log.close();
      await store.close();
    },
  };
}

let commitSequence = 0n;

/** Appends the prepared batch (if any) to the log and fsyncs it; returns the last offset. */
export async function appendPrepared(log: LogTablet, prepared: PreparedChanges): Promise<bigint | undefined> {
  if (prepared.recordCount === 0) return undefined;
  const { lastOffset } = await log.append(prepared.batch, { commitTimestampMs: Date.now(), commitSequence: commitSequence++ });
  await log.sync();
  return lastOffset;
}

/** The whole write path for one statement. */
export async function write(opened: Opened, writes: readonly KvWrite[]): Promise<PreparedChanges> {
  const prepared = await opened.tablet.prepare(writes);
  await opened.tablet.apply(prepared, await appendPrepared(opened.log, prepared));
  return prepared;
}

/** Every applied row in key order, as comparable values. */
export async function allRows(tablet: KvTablet): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for await (const batch of tablet.scan()) for (const row of batch) rows.push(row.map(comparable));
  return rows;
}

/** The change records of a prepared batch as comparable rows: [changeType, ...columns]. */
export function records(prepared: PreparedChanges): unknown[][] {
  const { batch } = prepared;
  return Array.from({ length: batch.rowCount }, (_, row) => batch.columns.map((column) => comparable(column[row] ?? null)));
}

export function comparableRow(row: readonly Value[]): unknown[] {
  return row.map(comparable);
}
