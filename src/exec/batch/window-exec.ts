// Window functions over all input rows: each call sorts the rows by its PARTITION BY and ORDER BY
// keys (computed once per row), walks each partition's peer groups and computes one value per
// row; rows go out with the calls' values appended, in the order of the last call. Holds at most
// limits.sortRowsMax rows; beyond that the query fails with 54000 rather than exhaust memory.
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import { comparatorFor, type Comparator } from '../../functions/compare.js';
import type { SortKey } from '../../sql/plan/logical-sort.js';
import type { WindowCall } from '../../sql/plan/logical-window.js';
import { createAccumulator } from '../aggregate/accumulator.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, Row, RowBatch } from './operator.js';

type Compiled = ReturnType<typeof compileExpr>;

export class WindowExec implements BatchOperator {
  constructor(private readonly input: BatchOperator, private readonly calls: readonly WindowCall[], private readonly inputWidth: number) {}

  async *execute(context: ExecContext): AsyncGenerator<RowBatch> {
    const rows: Row[] = [];
    for await (const batch of this.input.execute(context)) {
      for (const row of batch) rows.push(row);
      if (rows.length > limits.sortRowsMax) {
        throw new SqlError(SqlState.programLimitExceeded, `window functions can read at most ${limits.sortRowsMax} rows`);
      }
    }
    const results = this.calls.map(() => new Array<Value>(rows.length));
    let order: number[] = rows.map((_, i) => i);
    this.calls.forEach((call, c) => { order = computeCall(call, rows, results[c] as Value[], context); });
    const width = this.inputWidth;
    for (let start = 0; start < order.length; start += limits.rowsPerBatchMax) {
      const out: RowBatch = [];
      for (const index of order.slice(start, start + limits.rowsPerBatchMax)) {
        const row = rows[index] as Row;
        const result = new Array<Value>(width + results.length);
        for (let i = 0; i < width; i++) result[i] = row[i] ?? null;
        for (let c = 0; c < results.length; c++) result[width + c] = (results[c] as Value[])[index] ?? null;
        out.push(result);
      }
      yield out;
    }
  }
}

/** Fills `out` (by row index) with the call's values; returns the row indexes in the call's order. */
function computeCall(call: WindowCall, rows: readonly Row[], out: Value[], context: ExecContext): number[] {
  const partitionKeys: SortKey[] = call.partitionBy.map((expr) => ({ expr, descending: false, nullsFirst: false }));
  const sortKeys = [...partitionKeys, ...call.orderBy];
  const keyFunctions = sortKeys.map((key) => compileExpr(key.expr, context.functions));
  const comparators = sortKeys.map((key) => comparatorFor(key.expr.type));
  const keys = rows.map((row) => keyFunctions.map((key) => key(row, context.params)));
  const order = rows.map((_, i) => i);
  order.sort((a, b) => compareKeys(keys[a] as Value[], keys[b] as Value[], sortKeys, comparators, 0, sortKeys.length) || a - b);
  const partitionEnd = partitionKeys.length;
  const samePartition = (a: number, b: number): boolean =>
    compareKeys(keys[a] as Value[], keys[b] as Value[], sortKeys, comparators, 0, partitionEnd) === 0;
  const peers = (a: number, b: number): boolean =>
    compareKeys(keys[a] as Value[], keys[b] as Value[], sortKeys, comparators, partitionEnd, sortKeys.length) === 0;
  const argFunctions: Compiled[] = call.fn.kind === 'aggregate' ? call.fn.call.args.map((arg) => compileExpr(arg, context.functions)) : [];
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && samePartition(order[start] as number, order[end] as number)) end++;
    computePartition(call, order.slice(start, end), rows, out, peers, argFunctions, context);
    start = end;
  }
  return order;
}

function computePartition(call: WindowCall, partition: readonly number[], rows: readonly Row[], out: Value[],
  peers: (a: number, b: number) => boolean, argFunctions: readonly Compiled[], context: ExecContext): void {
  const fn = call.fn;
  const accumulator = fn.kind === 'aggregate' ? createAccumulator(fn.call) : undefined;
  const args = new Array<Value>(argFunctions.length);
  const add = (index: number): void => {
    const row = rows[index] as Row;
    for (let a = 0; a < argFunctions.length; a++) args[a] = (argFunctions[a] as Compiled)(row, context.params);
    accumulator?.add(args);
  };
  if (accumulator !== undefined && call.frameEnd === 'partition-end') {
    for (const index of partition) add(index);
    const result = accumulator.result();
    for (const index of partition) out[index] = result;
    return;
  }
  let groupStart = 0;
  let denseRank = 0;
  while (groupStart < partition.length) {
    let groupEnd = groupStart + 1;
    while (groupEnd < partition.length && peers(partition[groupStart] as number, partition[groupEnd] as number)) groupEnd++;
    denseRank++;
    for (let position = groupStart; position < groupEnd; position++) {
      const index = partition[position] as number;
      switch (fn.kind) {
        case 'row_number': out[index] = BigInt(position + 1); break;
        case 'rank': out[index] = BigInt(groupStart + 1); break;
        case 'dense_rank': out[index] = BigInt(denseRank); break;
        case 'aggregate':
          if (call.frameEnd === 'current-row') {
            add(index);
            out[index] = (accumulator as NonNullable<typeof accumulator>).result();
          }
          break;
      }
    }
    if (accumulator !== undefined && call.frameEnd === 'current-peers') {
      for (let position = groupStart; position < groupEnd; position++) add(partition[position] as number);
      const result = accumulator.result();
      for (let position = groupStart; position < groupEnd; position++) out[partition[position] as number] = result;
    }
    groupStart = groupEnd;
  }
}

/** Compares keys[from..to) as ORDER BY does; NULLs equal each other. */
function compareKeys(a: readonly Value[], b: readonly Value[], keys: readonly SortKey[], comparators: readonly Comparator[],
  from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const key = keys[i] as SortKey;
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      if (x === y) continue;
      return (x === null) === key.nullsFirst ? -1 : 1;
    }
    const order = (comparators[i] as Comparator)(x, y);
    if (order !== 0) return key.descending ? -order : order;
  }
  return 0;
}
