// Helpers shared by workloads: probe statements over the bench_probe table, timed query runs,
// and result checks (a benchmark that returns wrong answers must not report a figure).
import type pg from 'pg';
import { createOrdersSql, type OrdersLayout } from '../harness/schema.js';
import type { SystemKind } from '../harness/target.js';
import { elapsedMs, probeTable, type Figure, type Trial, type WorkloadContext } from './types.js';

/**
 * Probe: create an empty orders-shaped table with `layout`, then run `statements` on it. Probes
 * ask only for what the workload itself uses (read workloads load their data with COPY, so
 * their probes do not need INSERT).
 */
export function probeOrders(system: SystemKind, layout: OrdersLayout, statements: readonly string[] = []): string[] {
  return [createOrdersSql(system, probeTable, layout), ...statements];
}

/** A one-row INSERT into the probe table, for workloads that write with INSERT. */
export const probeInsert = `INSERT INTO ${probeTable} VALUES (1, 1, 1.00, '1995-01-01', 'O', '1-URGENT', 'probe')`;

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

const warmupSeconds = 1;

/** Duration of a timed run: warm-up runs (negative index) are short; they only warm caches and JIT. */
export function runSeconds(context: WorkloadContext, runIndex: number): number {
  return runIndex < 0 ? Math.min(warmupSeconds, context.settings.seconds) : context.settings.seconds;
}
