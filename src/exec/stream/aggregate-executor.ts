// Incremental GROUP BY: keeps one state per group (retractable accumulators and a row count) and
// turns the input changes of one commit (applied in any number of chunks, then flushed) into the
// changes of the groups it touched: the group's row before the commit retracted, its row after
// added (nothing when they are equal), so no state between two commits is ever shown. A group appears
// with its first row and goes away with its last; without GROUP BY the one group always exists,
// as a batch aggregate over no rows still returns a row. State is bounded by aggregateGroupsMax.

import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import type { AggregateCall } from '../../sql/plan/logical-aggregate.js';
import { valueKey } from '../aggregate/accumulator.js';
import type { CompiledExpr } from '../expr/compile.js';
import type { ChangeChunk } from './change-chunk.js';
import { createRetractableAccumulator, type RetractableAccumulator } from './retractable-accumulator.js';

interface Group {
  readonly keys: Value[];
  readonly states: RetractableAccumulator[];
  rows: number;
}

export class AggregateExecutor {
  private readonly groups = new Map<string, Group>();
  /** Groups touched since the last flush, with their row before the first touch (null: absent). */
  private touched = new Map<Group, Value[] | null>();

  constructor(private readonly keyExprs: readonly CompiledExpr[], private readonly argExprs: readonly (readonly CompiledExpr[])[],
    private readonly calls: readonly AggregateCall[], private readonly params: readonly Value[]) {
    if (keyExprs.length === 0) this.groups.set('', this.newGroup([]));
  }

  private newGroup(keys: Value[]): Group {
    return { keys, states: this.calls.map(createRetractableAccumulator), rows: 0 };
  }

  private exists(group: Group): boolean {
    return group.rows > 0 || this.keyExprs.length === 0;
  }

  private output(group: Group): Value[] {
    return [...group.keys, ...group.states.map((state) => state.result())];
  }

  /** Updates the state with a chunk of the current commit's changes. */
  apply(chunk: ChangeChunk): void {
    const before = this.touched;
    this.update(chunk, (group) => { if (!before.has(group)) before.set(group, this.exists(group) ? this.output(group) : null); });
  }

  /** The output changes of every group touched since the last flush. */
  flush(): ChangeChunk {
    const before = this.touched;
    this.touched = new Map();
    const rows: Value[][] = [];
    const diffs: number[] = [];
    for (const [group, old] of before) {
      const now = this.exists(group) ? this.output(group) : null;
      if (old !== null && now !== null && sameRow(old, now)) continue;
      if (old !== null) { rows.push(old); diffs.push(-1); }
      if (now !== null) { rows.push(now); diffs.push(1); }
      if (group.rows <= 0 && this.keyExprs.length > 0) this.groups.delete(groupId(group.keys));
    }
    return { rows, diffs };
  }

  /** Updates the state without computing output (building the state a subscription starts from). */
  load(chunk: ChangeChunk): void {
    this.update(chunk, () => undefined);
    if (this.keyExprs.length === 0) return;
    for (const [id, group] of this.groups) if (group.rows <= 0) this.groups.delete(id);
  }

  /** Every group's current row, as inserts. */
  current(): ChangeChunk {
    const rows: Value[][] = [];
    for (const group of this.groups.values()) if (this.exists(group)) rows.push(this.output(group));
    return { rows, diffs: rows.map(() => 1) };
  }

  private update(chunk: ChangeChunk, touched: (group: Group) => void): void {
    const args = this.argExprs.map((exprs) => new Array<Value>(exprs.length));
    for (let i = 0; i < chunk.rows.length; i++) {
      const row = chunk.rows[i]!;
      const diff = chunk.diffs[i]!;
      const group = this.groupOf(row);
      touched(group);
      group.rows += diff;
      for (let a = 0; a < this.calls.length; a++) {
        const exprs = this.argExprs[a]!;
        const values = args[a]!;
        for (let v = 0; v < exprs.length; v++) values[v] = exprs[v]!(row, this.params);
        group.states[a]!.update(values, diff);
      }
    }
  }

  private groupOf(row: readonly Value[]): Group {
    if (this.keyExprs.length === 0) return this.groups.get('')!;
    const keys = this.keyExprs.map((expr) => expr(row, this.params));
    const id = groupId(keys);
    let group = this.groups.get(id);
    if (group === undefined) {
      if (this.groups.size >= limits.aggregateGroupsMax) {
        throw new SqlError(SqlState.programLimitExceeded, `a continuous GROUP BY can hold at most ${limits.aggregateGroupsMax} groups`);
      }
      group = this.newGroup(keys);
      this.groups.set(id, group);
    }
    return group;
  }
}

function groupId(keys: readonly Value[]): string {
  return keys.length === 1 ? valueKey(keys[0] ?? null) : keys.map(valueKey).join('\u0002');
}

/** Whether two rows hold the same values (as grouping compares them). */
export function sameRow(a: readonly Value[], b: readonly Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (valueKey(a[i] ?? null) !== valueKey(b[i] ?? null)) return false;
  return true;
}
