// The streaming planner: which logical plans a continuous query can maintain, and how. A stream
// plan is a source table (its changelog, or its log for log tables) followed by stateless
// filters and projections, at most one incremental GROUP BY, and stateless nodes over its output.
// Anything else is refused with 0A000 naming the part, never run as a batch query instead.
// It also works out which output columns identify a row (the table's primary key or the group
// keys, when the query keeps them), so a retraction and an insert of the same key in one commit
// can be shown as an update.

import type { PartitionDef, TableDef } from '../../common/catalog-model.js';
import { notSupported } from '../../common/errors.js';
import type { BoundExpr } from '../../sql/bound-expr.js';
import { mapExpr } from '../../sql/bound-expr-walk.js';
import type { AggregateCall } from '../../sql/plan/logical-aggregate.js';
import type { LogicalPlan } from '../../sql/plan/logical-plan.js';
import { checkRetractable } from './retractable-accumulator.js';

export interface StreamSource {
  readonly table: TableDef;
  /** Only this partition, or all (including partitions created later). */
  readonly partition: PartitionDef | null;
  /** The query reads `t$changelog`: every change record is a row of its own. */
  readonly changelog: boolean;
  /** Scan row positions the query uses. */
  readonly columns: readonly number[];
}

export type StreamNode =
  | { readonly kind: 'Filter'; readonly predicate: BoundExpr }
  | { readonly kind: 'Project'; readonly exprs: readonly BoundExpr[] };

export interface StreamAggregate {
  readonly groupKeys: readonly BoundExpr[];
  readonly aggregates: readonly AggregateCall[];
}

export interface StreamPlan {
  readonly source: StreamSource;
  /** Stateless nodes over the source rows, bottom-up. */
  readonly before: readonly StreamNode[];
  readonly aggregate: StreamAggregate | null;
  /** Stateless nodes over the aggregate's rows (HAVING, the select list), bottom-up. */
  readonly after: readonly StreamNode[];
  /** Output positions that identify a row, or null when the output has no key. */
  readonly outputKey: readonly number[] | null;
}

export function planStream(plan: LogicalPlan): StreamPlan {
  const chain: LogicalPlan[] = [];
  let node: LogicalPlan = plan;
  for (;;) {
    chain.push(node);
    if (node.kind === 'Filter' || node.kind === 'Project' || node.kind === 'Aggregate') { node = node.input; continue; }
    break;
  }
  const leaf = chain.pop() as LogicalPlan;
  const source = sourceOf(leaf);
  chain.reverse();
  const before: StreamNode[] = [];
  const after: StreamNode[] = [];
  let aggregate: StreamAggregate | null = null;
  let key: readonly number[] | null = source.changelog || source.table.schema.primaryKey.length === 0
    ? null
    : source.table.schema.primaryKey.map((name) => source.table.schema.columns.findIndex((column) => column.name === name));
  const used = new Set<number>();
  for (const step of chain) {
    const target = aggregate === null ? before : after;
    switch (step.kind) {
      case 'Filter':
        checkExpr(step.predicate);
        if (aggregate === null) collectColumns(step.predicate, used);
        target.push({ kind: 'Filter', predicate: step.predicate });
        break;
      case 'Project':
        step.exprs.forEach(checkExpr);
        if (aggregate === null) step.exprs.forEach((expr) => collectColumns(expr, used));
        target.push({ kind: 'Project', exprs: step.exprs });
        key = keyThroughProject(key, step.exprs);
        break;
      case 'Aggregate':
        if (aggregate !== null) throw notSupported('a continuous query with nested aggregation is not supported yet');
        step.groupKeys.forEach(checkExpr);
        for (const call of step.aggregates) {
          call.args.forEach(checkExpr);
          checkRetractable(call);
        }
        step.groupKeys.forEach((expr) => collectColumns(expr, used));
        for (const call of step.aggregates) call.args.forEach((arg) => collectColumns(arg, used));
        aggregate = { groupKeys: step.groupKeys, aggregates: step.aggregates };
        key = step.groupKeys.map((_, index) => index);
        break;
      default:
        throw notSupported(`${step.kind} is not supported in a continuous query`);
    }
  }
  // Without any node above the scan, the query reads every column.
  const columns = before.length === 0 && aggregate === null ? null : [...used].sort((a, b) => a - b);
  return { source: { ...source, columns: columns ?? source.columns }, before, aggregate, after, outputKey: key };
}

function sourceOf(leaf: LogicalPlan): Omit<StreamSource, 'columns'> & { columns: readonly number[] } {
  switch (leaf.kind) {
    case 'Scan': {
      const width = leaf.changelog ? leaf.table.schema.columns.length + 4 : leaf.table.schema.columns.length + 3;
      return { table: leaf.table, partition: leaf.partition, changelog: leaf.changelog, columns: Array.from({ length: width }, (_, i) => i) };
    }
    case 'Values': case 'FunctionScan': throw notSupported('a continuous query needs a table to read from');
    case 'Sort': throw notSupported('ORDER BY is not supported in a continuous query', 'Order the changes on the client, or drop ORDER BY.');
    case 'Limit': throw notSupported('LIMIT and OFFSET are not supported in a continuous query');
    default: throw notSupported(`${describeNode(leaf)} is not supported in a continuous query yet`);
  }
}

function describeNode(plan: LogicalPlan): string {
  const kind = plan.kind as string;
  if (kind === 'Join' || kind.endsWith('Join')) return 'a join';
  if (kind === 'Distinct') return 'DISTINCT';
  if (kind === 'Window') return 'a window function';
  if (kind === 'SetOp' || kind === 'Union') return 'a set operation (UNION, INTERSECT, EXCEPT)';
  return kind;
}

function checkExpr(expr: BoundExpr): void {
  mapExpr(expr, (node) => {
    if (node.kind === 'Subquery' || node.kind === 'OuterRef') throw notSupported('subqueries are not supported in a continuous query yet');
    return undefined;
  });
}

function collectColumns(expr: BoundExpr, into: Set<number>): void {
  mapExpr(expr, (node) => {
    if (node.kind === 'Column') into.add(node.index);
    return undefined;
  });
}

/** A key survives a projection when every key column is passed through as a plain column. */
export function keyThroughProject(key: readonly number[] | null, exprs: readonly BoundExpr[]): readonly number[] | null {
  if (key === null) return null;
  const mapped: number[] = [];
  for (const column of key) {
    const at = exprs.findIndex((expr) => expr.kind === 'Column' && expr.index === column);
    if (at < 0) return null;
    mapped.push(at);
  }
  return mapped;
}
