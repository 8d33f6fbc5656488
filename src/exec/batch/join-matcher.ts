// What hash and nested-loop joins share: the build side held in memory, and the probe loop that
// pairs each left row with its candidate right rows, tests the residual condition, and emits the
// rows each join type wants (unmatched left rows padded with NULLs for LEFT/FULL, left rows alone
// for semi and anti joins, unmatched right rows at the end for RIGHT/FULL).
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import type { BoundExpr } from '../../sql/bound-expr.js';
import type { JoinType } from '../../sql/plan/logical-join.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, Row, RowBatch } from './operator.js';

export interface JoinShape {
  readonly joinType: JoinType;
  readonly condition: BoundExpr | null;
  readonly leftWidth: number;
  readonly rightWidth: number;
}

/** Reads the whole build input, keeping at most limits.joinBuildRowsMax rows. */
export async function collectBuildRows(input: BatchOperator, context: ExecContext, onRow: (row: Row, index: number) => void): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of input.execute(context)) {
    for (const row of batch) {
      if (rows.length >= limits.joinBuildRowsMax) {
        throw new SqlError(SqlState.programLimitExceeded, `a join can hold at most ${limits.joinBuildRowsMax} rows of its right input`);
      }
      onRow(row, rows.length);
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Probes the left input against the build rows. `candidates(row)` gives the indexes of the build
 * rows that may match a left row (all of them for a nested loop, one hash bucket for a hash join).
 */
export async function* probe(shape: JoinShape, left: BatchOperator, context: ExecContext, buildRows: readonly Row[],
  candidates: (row: Row) => readonly number[] | undefined): AsyncGenerator<RowBatch> {
  const test = shape.condition === null ? null : compileExpr(shape.condition, context.functions);
  const params = context.params;
  const type = shape.joinType;
  const matched = type === 'right' || type === 'full' ? new Uint8Array(buildRows.length) : null;
  const nullRight: Value[] = new Array<Value>(shape.rightWidth).fill(null);
  let out: RowBatch = [];
  for await (const batch of left.execute(context)) {
    for (const row of batch) {
      let found = false;
      for (const index of candidates(row) ?? []) {
        const right = buildRows[index] as Row;
        const joined = row.concat(right);
        if (test !== null && test(joined, params) !== true) continue;
        found = true;
        if (type === 'semi' || type === 'anti') break;
        if (matched !== null) matched[index] = 1;
        out.push(joined);
      }
      if (found ? type === 'semi' : type === 'anti') out.push(row);
      else if (!found && (type === 'left' || type === 'full')) out.push(row.concat(nullRight));
      if (out.length >= limits.rowsPerBatchMax) {
        yield out;
        out = [];
      }
    }
  }
  if (matched !== null) {
    const nullLeft: Value[] = new Array<Value>(shape.leftWidth).fill(null);
    for (let index = 0; index < buildRows.length; index++) {
      if (matched[index] === 1) continue;
      out.push(nullLeft.concat(buildRows[index] as Row));
      if (out.length >= limits.rowsPerBatchMax) {
        yield out;
        out = [];
      }
    }
  }
  if (out.length > 0) yield out;
}
