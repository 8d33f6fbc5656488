// Helpers shared by workloads: probe statements over the bench_probe table, timed query runs,
// and result checks (a benchmark that returns wrong answers must not report a figure).
import type pg from 'pg';
import { createOrdersSql, type OrdersLayout } from '../harness/schema.js';
import type { SystemKind } from '../harness/target.js';
import { elapsedMs, probeTable, type Figure, type Trial, type WorkloadContext } from './types.js';

const probeRow = `(1, 1, 1.00, '1995-01-01', 'O', '1-URGENT', 'probe')`;

/** Probe: create an orders-shaped table with `layout`, insert one row, then run `queries`. */
export function probeOrders(system: SystemKind, layout: OrdersLayout, queries: readonly string[] = []): string[] {
  return [createOrdersSql(system, probeTable, layout), `INSERT INTO ${probeTable} VALUES ${probeRow}`, ...queries];
}

/** A read trial: one warm-up, then each run times `query` and checks its result (array rows). */
export function timedQueryTrial(
  client: pg.Client,
  query: string,
  check: (result: pg.QueryResult) => void,
): Trial {
  return {
    warmups: 1,
    async run(): Promise<Figure> {
      const started = performance.now();
      const result = await client.query({ text: query, rowMode: 'array' });
      const ms = elapsedMs(started);
      check(result);
      return { value: ms, unit: 'ms', better: 'lower' };
    },
  };
}

/** First column of the first row (results come in array row mode). */
export function singleValue(result: pg.QueryResult): unknown {
  const row = result.rows[0] as unknown[] | undefined;
  if (row === undefined) throw new Error('query returned no rows');
  return row[0];
}

/** All columns of the first row (results come in array row mode). */
export function firstRow(result: pg.QueryResult): unknown[] {
  const row = result.rows[0] as unknown[] | undefined;
  if (row === undefined) throw new Error('query returned no rows');
  return row;
}

export function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (String(actual) !== String(expected)) {
    throw new Error(`wrong result for ${what}: got ${String(actual)}, expected ${String(expected)}`);
  }
}

export function requireRows(context: WorkloadContext): number {
  if (context.rows === undefined) throw new Error('size-dependent workload run without a size');
  return context.rows;
}

export const singleVariant = [{ label: '' }] as const;
