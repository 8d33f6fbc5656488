// Model-based test of the log tablet: a seeded random workload of appends, reads (offset ranges,
// column subsets, record limits), reopens, ADD COLUMN, retention and TRUNCATE, compared after every
// step with an in-memory model (an array of rows by offset). Small segments force frequent rolls.
// Some seeds read through a small frame cache (frames served from memory, evicted, re-read).

import { describe, expect, it } from 'vitest';
import type { DataType, Value } from '../../../src/common/types.js';
import type { LogColumn, LogSchema } from '../../../src/storage/log/log-schema.js';
import { FrameCache } from '../../../src/storage/log/frame-cache.js';
import { LogTablet } from '../../../src/storage/log/log-tablet.js';
import { allTypes, comparable, randomValue, readRows, seededRandom, withTempDir } from './log-test-support.js';

interface ModelRow {
  readonly values: readonly Value[];
  readonly commitTimestampMs: number;
  readonly commitSequence: bigint;
}

class Model {
  rows = new Map<bigint, ModelRow>();
  startOffset = 0n;
  endOffset = 0n;

  expected(schema: LogSchema, from: bigint, to: bigint, columns: readonly number[], maxRecords: number): unknown[][] {
    const out: unknown[][] = [];
    for (let offset = from < this.startOffset ? this.startOffset : from; offset < to && out.length < maxRecords; offset++) {
      const row = this.rows.get(offset)!;
      out.push(columns.map((index) => comparable(row.values[index] ?? null)));
    }
    void schema;
    return out;
  }
}

const tabletOptions = { segmentBytes: 6 * 1024, indexIntervalBytes: 1024 };

/** With `frameCache`, reads go through it as the store's do (a small one, so that frames are evicted too). */
async function runWorkload(seed: number, steps: number, frameCache?: FrameCache): Promise<void> {
  const random = seededRandom(seed);
  const options = frameCache === undefined ? tabletOptions : { ...tabletOptions, frameCache };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  await withTempDir(async (dir) => {
    const columns: LogColumn[] = [0, 1, 2, 3].map((index) => ({ name: `c${index}`, type: pick(allTypes) }));
    let schema: LogSchema = { schemaId: 1, columns: [...columns] };
    let tablet = await LogTablet.open(dir, schema, options);
    const model = new Model();
    const seen = { rowsRead: 0, maxSegments: 0, retained: 0, reopened: 0 };
    let clock = 1_000;
    let sequence = 0n;
    try {
      for (let step = 0; step < steps; step++) {
        const action = random();
        if (action < 0.5) {
          const rowCount = 1 + Math.floor(random() * (random() < 0.1 ? 400 : 30));
          const values = schema.columns.map((column) => Array.from({ length: rowCount }, () => randomValue(column.type, random)));
          clock += Math.floor(random() * 3);
          const meta = { commitTimestampMs: clock, commitSequence: sequence++ };
          const result = await tablet.append({ rowCount, columns: values }, meta);
          expect(result.baseOffset).toBe(model.endOffset);
          expect(result.lastOffset).toBe(model.endOffset + BigInt(rowCount - 1));
          for (let row = 0; row < rowCount; row++) {
            model.rows.set(model.endOffset++, { values: values.map((column) => column[row]!), ...meta });
          }
        } else if (action < 0.8) {
          const span = model.endOffset - model.startOffset + 3n;
          const from = model.startOffset - 1n + BigInt(Math.floor(random() * Number(span)));
          const to = random() < 0.5 ? undefined : from + BigInt(Math.floor(random() * 200));
          const wanted = random() < 0.3 ? undefined : schema.columns.map((_, index) => index).filter(() => random() < 0.5);
          const maxRecords = random() < 0.3 ? 1 + Math.floor(random() * 50) : undefined;
          const read = await readRows(tablet, from, {
            ...(wanted === undefined ? {} : { columns: wanted }),
            ...(to === undefined ? {} : { toOffset: to }),
            ...(maxRecords === undefined ? {} : { maxRecords }),
          });
          const all = schema.columns.map((_, index) => index);
          const end = to === undefined || to > model.endOffset ? model.endOffset : to;
          expect(read.rows).toEqual(model.expected(schema, from, end, wanted ?? all, maxRecords ?? Number.POSITIVE_INFINITY));
          seen.rowsRead += read.rows.length;
          seen.maxSegments = Math.max(seen.maxSegments, tablet.segmentCount);
          if (read.offsets.length > 0) expect(read.offsets[0]).toBe(from < model.startOffset ? model.startOffset : from);
        } else if (action < 0.87) {
          await tablet.sync();
          await tablet.close();
          tablet = await LogTablet.open(dir, schema, options);
          seen.reopened++;
          expect(tablet.endOffset).toBe(model.endOffset);
          expect(tablet.startOffset).toBe(model.startOffset);
        } else if (action < 0.91 && schema.columns.length < 8) {
          const type: DataType = pick(allTypes);
          schema = { schemaId: schema.schemaId + 1, columns: [...schema.columns, { name: `c${schema.columns.length}`, type }] };
          await tablet.evolveSchema(schema);
        } else if (action < 0.96) {
          const cutoff = clock - Math.floor(random() * 40);
          await tablet.deleteSegmentsOlderThan(cutoff);
          expect(tablet.startOffset).toBeGreaterThanOrEqual(model.startOffset);
          for (let offset = model.startOffset; offset < tablet.startOffset; offset++) {
            expect(model.rows.get(offset)!.commitTimestampMs).toBeLessThan(cutoff);
            model.rows.delete(offset);
          }
          seen.retained += Number(tablet.startOffset - model.startOffset);
          model.startOffset = tablet.startOffset;
        } else if (action < 0.97) {
          await tablet.truncateAll();
          model.rows.clear();
          model.startOffset = model.endOffset;
          expect(tablet.startOffset).toBe(model.endOffset);
          expect(tablet.endOffset).toBe(model.endOffset);
        } else {
          const target = clock - Math.floor(random() * 60);
          let expected = model.endOffset;
          for (let offset = model.startOffset; offset < model.endOffset; offset++) {
            if (model.rows.get(offset)!.commitTimestampMs >= target) { expected = offset; break; }
          }
          const found = await tablet.offsetForTimestamp(target);
          // The answer is a batch's base offset; rows of one batch share a timestamp.
          expect(found).toBe(expected);
        }
      }
      const final = await readRows(tablet, 0n);
      const all = schema.columns.map((_, index) => index);
      expect(final.rows).toEqual(model.expected(schema, 0n, model.endOffset, all, Number.POSITIVE_INFINITY));
      // The workload must have exercised reads, rolls, reopens and retention.
      expect(seen.rowsRead).toBeGreaterThan(1000);
      expect(seen.maxSegments).toBeGreaterThan(3);
      expect(seen.reopened).toBeGreaterThan(3);
      expect(seen.retained).toBeGreaterThan(0);
    } finally {
      await tablet.close();
    }
  });
}

describe('log tablet against an in-memory model', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}`, async () => {
      await runWorkload(seed, 250);
    }, 60_000);
  }
  for (const seed of [7, 8, 9]) {
    it(`seed ${seed}, reading through a frame cache`, async () => {
      await runWorkload(seed, 250, new FrameCache(32 * 1024));
    }, 60_000);
  }
});
