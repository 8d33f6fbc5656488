// Model-based test of the KV tablet write path: a seeded random mix of upserts, partial updates,
// insertIfAbsent, deletes of present and absent keys and no-op writes, for every merge engine and
// changelog image, with up to three statements prepared ahead of their apply and some discarded.
// After every step the emitted change records must equal the ones an in-memory Map model derives,
// and the readers (get, getMany, scan, prefix scan, count) must show exactly the applied model state.

import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/common/decimal.js';
import type { MergeEngine } from '../../../src/common/schema.js';
import type { Value } from '../../../src/common/types.js';
import type { KvSchema, KvWrite, PreparedChanges } from '../../../src/storage/kv/kv-tablet.js';
import { comparable, seededRandom } from '../log/log-test-support.js';
import { allRows, appendPrepared, comparableRow, openTablet, records, withTempDir, write, type Opened } from './kv-test-support.js';

type Random = () => number;
type Model = Map<string, Value[]>;

function schemaFor(mergeEngine: MergeEngine, changelogImage: 'full' | 'wal'): KvSchema {
  return {
    columns: [
      { name: 'region', type: { name: 'text' } }, { name: 'id', type: { name: 'int8' } }, { name: 'version', type: { name: 'int4' } },
      { name: 'name', type: { name: 'text' } }, { name: 'price', type: { name: 'numeric', precision: 15, scale: 2 } },
    ],
    primaryKey: [0, 1],
    mergeEngine,
    ...(mergeEngine === 'versioned' ? { versionColumn: 2 } : {}),
    changelogImage,
  };
}

const regions = ['a', 'b', 'é'];

function randomRow(random: Random): Value[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  return [
    pick(regions), BigInt(Math.floor(random() * 8)), Math.floor(random() * 4), pick(['x', 'y', null, 'ü']),
    random() < 0.2 ? null : new Decimal(BigInt(Math.floor(random() * 3)), 2),
  ];
}

function keyOf(values: readonly Value[]): string {
  return JSON.stringify(values.map((value) => comparable(value)));
}

function sameRow(a: readonly Value[], b: readonly Value[]): boolean {
  return JSON.stringify(comparableRow(a)) === JSON.stringify(comparableRow(b));
}

/** The model's merge: applies `writes` to `state`, returning the change records they emit. */
function modelMerge(state: Model, writes: readonly KvWrite[], schema: KvSchema): unknown[][] {
  const out: unknown[][] = [];
  const emit = (changeType: number, row: readonly Value[]): void => { out.push([comparable(changeType), ...comparableRow(row)]); };
  for (const write of writes) {
    if (write.kind === 'delete') {
      const key = keyOf(write.key);
      const old = state.get(key);
      if (schema.mergeEngine !== 'last_row' || old === undefined) continue;
      emit(3, old);
      state.delete(key);
      continue;
    }
    const key = keyOf([write.row[0]!, write.row[1]!]);
    const old = state.get(key);
    if (old !== undefined && (write.kind === 'insertIfAbsent' || schema.mergeEngine === 'first_row')) continue;
    let row = write.row.slice();
    if (write.kind === 'upsert' && write.columns !== undefined) {
      row = old === undefined ? row.map(() => null) : old.slice();
      for (const column of [...write.columns, 0, 1]) row[column] = write.row[column]!;
    }
    if (old !== undefined && schema.mergeEngine === 'versioned' && (row[2] as number) < (old[2] as number)) continue;
    if (old !== undefined && sameRow(old, row)) continue;
    if (old === undefined) emit(0, row);
    else {
      if (schema.changelogImage === 'full') emit(1, old);
      emit(2, row);
    }
    state.set(key, row);
  }
  return out;
}

function randomWrites(random: Random, schema: KvSchema, applied: Model): KvWrite[] {
  const writes: KvWrite[] = [];
  const count = 1 + Math.floor(random() * 8);
  for (let index = 0; index < count; index++) {
    const choice = random();
    const row = randomRow(random);
    const existing = [...applied.values()];
    if (choice < 0.1 && existing.length > 0) {
      // A no-op: rewrite an existing row unchanged.
      writes.push({ kind: 'upsert', row: existing[Math.floor(random() * existing.length)]!.slice() });
    } else if (choice < 0.45) {
      writes.push({ kind: 'upsert', row });
    } else if (choice < 0.6 && schema.mergeEngine === 'last_row') {
      const columns = [2, 3, 4].filter(() => random() < 0.5);
      writes.push({ kind: 'upsert', row, columns });
    } else if (choice < 0.72) {
      writes.push({ kind: 'insertIfAbsent', row });
    } else {
      writes.push({ kind: 'delete', key: [row[0]!, row[1]!] });
    }
  }
  return writes;
}

/** Writes of distinct keys in ascending key order (a bulk load in key order, as into an empty tablet). */
function ascendingWrites(random: Random): KvWrite[] {
  const writes: KvWrite[] = [];
  for (const region of regions) {
    for (let id = 0n; id < 8n; id++) {
      if (random() < 0.4) continue;
      const row = randomRow(random);
      row[0] = region;
      row[1] = id;
      const choice = random();
      writes.push(choice < 0.8 ? { kind: 'upsert', row } : choice < 0.9 ? { kind: 'insertIfAbsent', row } : { kind: 'delete', key: [region, id] });
    }
  }
  return writes;
}

async function checkReaders(opened: Opened, applied: Model, random: Random): Promise<void> {
  const { tablet } = opened;
  const expected = [...applied.values()].map(comparableRow);
  const sortKey = (row: unknown[]): string => `${Buffer.from(String(row[0]), 'utf8').toString('hex')}/${String(1000 + Number(String(row[1]).slice(7)))}`;
  expected.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  expect(await allRows(tablet)).toEqual(expected);
  expect(tablet.count()).toBe(applied.size);
  const keys = Array.from({ length: 6 }, () => { const row = randomRow(random); return [row[0]!, row[1]!]; });
  const got = await tablet.getMany(keys);
  keys.forEach((key, index) => {
    const want = applied.get(keyOf(key));
    expect(got[index] === undefined ? undefined : comparableRow(got[index]!)).toEqual(want === undefined ? undefined : comparableRow(want));
  });
  const one = await tablet.get(keys[0]!);
  expect(one === undefined ? undefined : comparableRow(one)).toEqual(got[0] === undefined ? undefined : comparableRow(got[0]));
  const region = regions[Math.floor(random() * regions.length)]!;
  const prefixed: unknown[][] = [];
  for await (const batch of tablet.scan({ prefix: [region] })) for (const row of batch) prefixed.push(comparableRow(row));
  expect(prefixed).toEqual(expected.filter((row) => row[0] === region));
}

/**
 * Merge engine, changelog image, the changed keys from which a prepare is a pre-write buffer layer,
 * whether a prepare into an empty tablet with nothing pending loads ascending keys (the sorted
 * layer of prepareFresh, which later prepares then read through), and whether half the statements
 * of full-row upserts go in as bulk loads (prepareLoad: packed layers when ascending into an empty
 * tablet, else decoded upserts).
 */
const variants: [MergeEngine, 'full' | 'wal', number | undefined, boolean, boolean][] = [
  ['last_row', 'full', undefined, false, false], ['last_row', 'wal', undefined, false, false], ['first_row', 'full', undefined, false, false],
  ['versioned', 'full', undefined, false, false], ['versioned', 'wal', undefined, false, false],
  // Every prepare a layer, and a mix of layers and single keys over the same keys.
  ['last_row', 'full', 1, false, false], ['last_row', 'full', 3, false, false], ['versioned', 'full', 3, false, false],
  ['last_row', 'full', 3, true, false], ['first_row', 'wal', 1, true, false],
  ['last_row', 'full', undefined, true, true], ['first_row', 'full', 3, true, true], ['versioned', 'wal', undefined, true, true],
];

/** Prepares `writes` (full-row upserts) as one bulk load; a load of a few rows is one chunk. */
async function prepareAsLoad(opened: Opened, writes: readonly KvWrite[]): Promise<PreparedChanges> {
  const load = opened.tablet.startLoad();
  load.add(writes.map((write) => (write as { row: Value[] }).row));
  const prepared = await opened.tablet.prepareLoad(load, load.finish());
  expect(prepared.length).toBe(1);
  return prepared[0]!;
}

describe('KV tablet model', () => {
  for (const [engine, image, bufferLayerKeysMin, freshLoads, bulkLoads] of variants) {
    const layers = (bufferLayerKeysMin === undefined ? '' : `, buffer layers from ${bufferLayerKeysMin} keys`) + (freshLoads ? ', ascending loads' : '')
      + (bulkLoads ? ', bulk loads' : '');
    it(`matches the model: merge engine ${engine}, changelog image ${image}${layers}`, async () => {
      await withTempDir(async (dir) => {
        const schema = schemaFor(engine, image);
        const random = seededRandom(engine.length * 31 + image.length + (bufferLayerKeysMin ?? 0) + (freshLoads ? 101 : 0) + (bulkLoads ? 7 : 0));
        const options = bufferLayerKeysMin === undefined ? {} : { bufferLayerKeysMin };
        let opened = await openTablet(dir, schema, 7, undefined, options);
        let applied: Model = new Map();
        const inFlight: { prepared: PreparedChanges; after: Model }[] = [];
        for (let step = 0; step < 300; step++) {
          const action = random();
          if (inFlight.length < 3 && (inFlight.length === 0 || action < 0.5)) {
            const base = new Map(inFlight.length > 0 ? inFlight[inFlight.length - 1]!.after : applied);
            const fresh = freshLoads && inFlight.length === 0 && applied.size === 0;
            let writes = fresh ? ascendingWrites(random) : randomWrites(random, schema, base);
            const asLoad = bulkLoads && random() < 0.5;
            if (asLoad) writes = writes.filter((write) => write.kind === 'upsert' && write.columns === undefined);
            const expected = modelMerge(base, writes, schema);
            const prepared = asLoad && writes.length > 0 ? await prepareAsLoad(opened, writes) : await opened.tablet.prepare(writes);
            expect(records(prepared)).toEqual(expected);
            expect(prepared.rowCountDelta).toBe(base.size - (inFlight.length > 0 ? inFlight[inFlight.length - 1]!.after : applied).size);
            inFlight.push({ prepared, after: base });
          } else if (action < 0.6) {
            await opened.tablet.discard(inFlight.pop()!.prepared);
          } else {
            const { prepared, after } = inFlight.shift()!;
            await opened.tablet.apply(prepared, await appendPrepared(opened.log, prepared));
            applied = after;
          }
          await checkReaders(opened, applied, random);
          if (step % 100 === 99 && inFlight.length === 0) {
            await opened.close();
            opened = await openTablet(dir, schema, 7, undefined, options);
            await checkReaders(opened, applied, random);
          }
        }
        await opened.close();
      });
    });
  }

  it('refuses partial updates on first_row and versioned tables with 0A000', async () => {
    for (const engine of ['first_row', 'versioned'] as const) {
      await withTempDir(async (dir) => {
        const opened = await openTablet(dir, schemaFor(engine, 'full'));
        const row = ['a', 1n, 1, 'x', null];
        await expect(opened.tablet.prepare([{ kind: 'upsert', row, columns: [3] }])).rejects.toMatchObject({ code: '0A000' });
        await write(opened, [{ kind: 'upsert', row }]);
        expect(opened.tablet.count()).toBe(1);
        await opened.close();
      });
    }
  });

  it('rejects a NULL key with 23502 and leaves nothing pending', async () => {
    await withTempDir(async (dir) => {
      const opened = await openTablet(dir, schemaFor('last_row', 'full'));
      await expect(opened.tablet.prepare([{ kind: 'upsert', row: ['a', 1n, 0, null, null] }, { kind: 'upsert', row: ['a', null, 0, null, null] }]))
        .rejects.toMatchObject({ code: '23502' });
      expect(opened.tablet.pendingKeys).toBe(0);
      expect((await write(opened, [{ kind: 'upsert', row: ['a', 1n, 0, null, null] }])).recordCount).toBe(1);
      await opened.close();
    });
  });
});
