// Model-based test of secondary indexes through TableStorage and TableIndexes: a seeded random
// workload of upserts, partial updates, deletes and no-op writes (one to three statements committed
// concurrently, several writes of one key in a statement) on a 3-bucket primary-key table with a
// one-column and a two-column index, one of them created after rows exist (backfill). After every
// step, lookupByIndex for every value (and value pair), lookupByKeyPrefix, their many-key forms,
// an index range scan, and the stored entry counts (no stale entries) must agree with an in-memory Map model; also after a restart, after a
// restart that lost the whole KV store (rebuilt from the log), after DROP INDEX, after an index
// the tablets had to forget and rebuild, for both changelog images.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bucketOfValues } from '../../src/common/bucket-hash.js';
import type { IndexDef, TableDef } from '../../src/common/catalog-model.js';
import { Types, type Value } from '../../src/common/types.js';
import { TableIndexes } from '../../src/storage/table-indexes.js';
import { TableStorage, type KvWriteBatch } from '../../src/storage/table-storage.js';
import { seededRandom } from './log/log-test-support.js';

const directories: string[] = [];
afterEach(async () => { await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true }))); });

type Row = [bigint, number | null, string | null, number | null];
const groups = [0, 1, 2, 3];
const tags = ['a', 'b', 'é'];
const groupIndex: IndexDef = { oid: 9001, name: 't_grp_idx', columns: ['grp'], createdAtMs: 0 };
const tagIndex: IndexDef = { oid: 9002, name: 't_tag_grp_idx', columns: ['tag', 'grp'], createdAtMs: 0 };

function tableDef(changelogImage: 'full' | 'wal', indexes: IndexDef[]): TableDef {
  return {
    kind: 'table', oid: 500, databaseOid: 1, namespaceOid: 2, name: 't', owner: 'test', partitions: [], createdAtMs: 0,
    tabletIds: [501, 502, 503], indexes,
    schema: {
      schemaId: 1, primaryKey: ['id'], partitionKey: [],
      columns: [
        { name: 'id', type: Types.int8, nullable: false, id: 1 }, { name: 'grp', type: Types.int4, nullable: true, id: 2 },
        { name: 'tag', type: Types.text, nullable: true, id: 3 }, { name: 'val', type: Types.int4, nullable: true, id: 4 },
      ],
      options: { buckets: 3, bucketKey: ['id'], logTtlMs: 1000, mergeEngine: 'last_row', changelogImage },
    },
  };
}

type Write = { kind: 'upsert'; row: Row } | { kind: 'partial'; row: Row; columns: number[] } | { kind: 'delete'; id: bigint };

function randomWrite(random: () => number): Write {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const id = BigInt(Math.floor(random() * 24));
  const row: Row = [id, random() < 0.15 ? null : pick(groups), random() < 0.15 ? null : pick(tags), Math.floor(random() * 3)];
  const roll = random();
  if (roll < 0.5) return { kind: 'upsert', row };
  if (roll < 0.75) return { kind: 'partial', row, columns: [pick([1, 2, 3])] };
  return { kind: 'delete', id };
}

function applyModel(model: Map<bigint, Row>, write: Write): void {
  if (write.kind === 'delete') model.delete(write.id);
  else if (write.kind === 'upsert') model.set(write.row[0], [...write.row]);
  else {
    // A partial update of a new key leaves the unnamed columns NULL.
    const next: Row = [...(model.get(write.row[0]) ?? [write.row[0], null, null, null])];
    for (const column of write.columns) next[column] = write.row[column]!;
    model.set(write.row[0], next);
  }
}

/** Commits one statement: its writes grouped by bucket, each bucket's writes in order. */
async function commitStatement(storage: TableStorage, table: TableDef, writes: readonly Write[]): Promise<void> {
  const byBucket = new Map<number, KvWriteBatch[]>();
  for (const write of writes) {
    const id = write.kind === 'delete' ? write.id : write.row[0];
    const bucket = bucketOfValues([Types.int8], [id], 3);
    const batches = byBucket.get(bucket) ?? [];
    if (write.kind === 'delete') batches.push({ kind: 'delete', rows: [[id, null, null, null]], columns: null });
    else if (write.kind === 'upsert') batches.push({ kind: 'upsert', rows: [[...write.row]], columns: null });
    else batches.push({ kind: 'upsert', rows: [[...write.row]], columns: write.columns });
    byBucket.set(bucket, batches);
  }
  const tablets = storage.allTablets(table);
  await storage.pipeline.commit(async () => {
    const parts = [];
    for (const [bucket, batches] of byBucket) parts.push(await storage.prepareKvCommit(table, tablets[bucket]!, batches));
    return parts;
  });
}

async function* once(rows: Value[][]): AsyncGenerator<Value[][]> {
  yield rows;
}

async function collect(rows: AsyncIterable<Value[][]>): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of rows) for (const row of batch) out.push(JSON.stringify(row, (_, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value)));
  return out.sort();
}

function expected(model: Map<bigint, Row>, keep: (row: Row) => boolean): string[] {
  return [...model.values()].filter(keep).map((row) => JSON.stringify(row, (_, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value))).sort();
}

async function check(storage: TableStorage, indexes: TableIndexes, table: TableDef, model: Map<bigint, Row>, step: string): Promise<void> {
  const has = (oid: number): boolean => table.indexes?.some((index) => index.oid === oid) ?? false;
  if (has(groupIndex.oid)) {
    for (const grp of groups) {
      expect(await collect(indexes.lookupByIndex(table, groupIndex.oid, [grp])), `${step}: grp = ${grp}`)
        .toEqual(expected(model, (row) => row[1] === grp));
    }
    expect(await collect(indexes.lookupByIndex(table, groupIndex.oid, [null])), `${step}: grp = NULL`).toEqual([]);
    const many = await indexes.lookupManyByIndex(table, groupIndex.oid, [[2], [null], [0], [2]]);
    expect(await Promise.all(many.map((rows) => collect(once(rows)))), `${step}: grp IN (2, NULL, 0, 2)`)
      .toEqual([2, null, 0, 2].map((grp) => expected(model, (row) => grp !== null && row[1] === grp)));
    expect(await collect(indexes.lookupByIndex(table, groupIndex.oid, [])), `${step}: whole index`).toEqual(expected(model, () => true));
    const signal = new AbortController().signal;
    const ranged = indexes.scanIndex(table, storage.allTablets(table), groupIndex.oid,
      { prefix: [], lower: { value: 1, inclusive: false }, upper: { value: 3, inclusive: true } }, signal);
    const rangeRows = (await collect(ranged)).map((text) => JSON.stringify((JSON.parse(text) as unknown[]).slice(0, 4)));
    expect(rangeRows.sort(), `${step}: 1 < grp <= 3`).toEqual(expected(model, (row) => row[1] !== null && row[1] > 1 && row[1] <= 3));
  }
  if (has(tagIndex.oid)) {
    for (const tag of tags) {
      expect(await collect(indexes.lookupByIndex(table, tagIndex.oid, [tag])), `${step}: tag = ${tag}`)
        .toEqual(expected(model, (row) => row[2] === tag));
      for (const grp of groups) {
        expect(await collect(indexes.lookupByIndex(table, tagIndex.oid, [tag, grp])), `${step}: tag, grp = ${tag}, ${grp}`)
          .toEqual(expected(model, (row) => row[2] === tag && row[1] === grp));
      }
    }
  }
  const byKey = await indexes.lookupManyByKeyPrefix(table, [[0n], [5n], [23n], [99n]]);
  expect(await Promise.all(byKey.map((rows) => collect(once(rows)))), `${step}: id IN (0, 5, 23, 99)`)
    .toEqual([0n, 5n, 23n, 99n].map((id) => expected(model, (row) => row[0] === id)));
  for (const id of [0n, 5n, 23n]) {
    expect(await collect(indexes.lookupByKeyPrefix(table, [id])), `${step}: id = ${id}`).toEqual(expected(model, (row) => row[0] === id));
  }
  for (const index of table.indexes ?? []) {
    let entries = 0;
    for (const tablet of storage.allTablets(table)) entries += await tablet.kv!.indexEntryCount(index.oid);
    expect(entries, `${step}: entries of ${index.name}`).toBe(model.size);
  }
}

async function freshDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'sluice-index-'));
  directories.push(directory);
  return directory;
}

describe('secondary indexes (model)', () => {
  for (const image of ['full', 'wal'] as const) {
    for (const seed of [1, 2]) {
      it(`agree with the model (changelog ${image}, seed ${seed})`, async () => {
        const directory = await freshDirectory();
        const random = seededRandom(seed * 7919 + (image === 'wal' ? 1 : 0));
        const model = new Map<bigint, Row>();
        let table = tableDef(image, [groupIndex]);
        let storage = await TableStorage.open(directory);
        let indexes = new TableIndexes(storage);
        await storage.openTables([table]);
        const reopen = async (loseKv: boolean): Promise<void> => {
          await storage.close();
          if (loseKv) await rm(join(directory, 'kv'), { recursive: true, force: true });
          storage = await TableStorage.open(directory);
          indexes = new TableIndexes(storage);
          await storage.openTables([table]);
        };
        for (let step = 0; step < 120; step++) {
          const statements = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
            Array.from({ length: 1 + Math.floor(random() * 4) }, () => randomWrite(random)));
          // Concurrent statements are sequenced in submission order; at step 30 the second index is
          // built while they commit (before, between or after them).
          const commits = statements.map((writes) => commitStatement(storage, table, writes));
          if (step === 30) {
            table = tableDef(image, [groupIndex, tagIndex]);
            commits.splice(1, 0, indexes.create(table, tagIndex));
          }
          await Promise.all(commits);
          for (const writes of statements) for (const write of writes) applyModel(model, write);
          if (step === 60) await reopen(false);
          if (step === 90) await reopen(true);
          await check(storage, indexes, table, model, `step ${step}`);
        }
        table = tableDef(image, [tagIndex]);
        await indexes.drop(table, groupIndex.oid);
        await reopen(false);
        await check(storage, indexes, table, model, 'after DROP INDEX and restart');
        // The catalog forgets an index without DROP INDEX reaching the tablets (a crash between):
        // the tablets delete its entries and marker at open, so when it comes back it is rebuilt
        // rather than trusted after writes it did not see.
        table = tableDef(image, []);
        await reopen(false);
        for (let step = 0; step < 10; step++) {
          const writes = Array.from({ length: 4 }, () => randomWrite(random));
          await commitStatement(storage, table, writes);
          for (const write of writes) applyModel(model, write);
        }
        table = tableDef(image, [tagIndex]);
        await reopen(false);
        await check(storage, indexes, table, model, 'after an index came back');
        await storage.close();
      }, 60_000);
    }
  }
});
