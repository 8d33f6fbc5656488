// The plan of a materialized view: its inputs (tables joined by inner equi-joins, or one table),
// the join graph, and the stream nodes above the join (filters, projections, at most one GROUP BY),
// with the view's primary key derived from the query: the group keys, or the primary keys of every
// input (which the query must select). Maintenance is a delta join: a change to one input looks up
// the others through their primary keys (a whole key or a leading prefix), so the planner checks
// that from every input the others can be reached that way, and names the index a user would need
// otherwise. Inputs' rows are laid out one after another in the joined row (table-binder.ts's scan
// row layout each), in the order the FROM clause gives them.

import type { TableDef } from '../../common/catalog-model.js';
import { notSupported, SqlError, SqlState } from '../../common/errors.js';
import type { BoundExpr } from '../../sql/bound-expr.js';
import { mapExpr } from '../../sql/bound-expr-walk.js';
import type { LogicalPlan } from '../../sql/plan/logical-plan.js';
import { checkRetractable } from './retractable-accumulator.js';
import { keyThroughProject, type StreamAggregate, type StreamNode, type StreamPlan } from './stream-plan.js';

export interface ViewInput {
  readonly table: TableDef;
  /** Position of this input's first column in the joined row. */
  readonly offset: number;
  /** Width of its scan row. */
  readonly width: number;
  /** Table column indexes of its primary key, in key order. */
  readonly keyColumns: readonly number[];
  /** Its secondary indexes: oid and table column indexes in index order. */
  readonly indexes: readonly { readonly oid: number; readonly name: string; readonly columns: readonly number[] }[];
}

/** How to find an input's current rows from the columns other inputs fix. */
export type LookupPath =
  | { readonly kind: 'key'; readonly columns: readonly number[] }
  | { readonly kind: 'index'; readonly oid: number; readonly columns: readonly number[] };

/** The longest primary-key prefix or secondary-index prefix the fixed columns cover, or null. */
export function lookupPath(input: ViewInput, fixed: ReadonlyMap<number, unknown>): LookupPath | null {
  const prefix = (columns: readonly number[]): number => {
    let length = 0;
    while (length < columns.length && fixed.has(columns[length]!)) length++;
    return length;
  };
  const keyLength = prefix(input.keyColumns);
  let best: LookupPath | null = keyLength > 0 ? { kind: 'key', columns: input.keyColumns.slice(0, keyLength) } : null;
  if (keyLength === input.keyColumns.length) return best;
  for (const index of input.indexes) {
    const length = prefix(index.columns);
    if (length > 0 && (best === null || length > best.columns.length)) best = { kind: 'index', oid: index.oid, columns: index.columns.slice(0, length) };
  }
  return best;
}

/** `inputs[left.input].column = inputs[right.input].column` (table column indexes). */
export interface JoinEdge {
  readonly left: { readonly input: number; readonly column: number };
  readonly right: { readonly input: number; readonly column: number };
}

export interface ViewPlan {
  readonly inputs: readonly ViewInput[];
  readonly edges: readonly JoinEdge[];
  /** Every join condition over the joined row (null: none); tested on each joined row. */
  readonly condition: BoundExpr | null;
  /** Stream nodes over the joined row, as a stream plan (its source is the first input). */
  readonly stream: StreamPlan;
  /** The query's output positions that make the view's primary key. */
  readonly key: readonly number[];
}

export function planView(plan: LogicalPlan): ViewPlan {
  const chain: LogicalPlan[] = [];
  let node: LogicalPlan = plan;
  while (node.kind === 'Filter' || node.kind === 'Project' || node.kind === 'Aggregate') {
    chain.push(node);
    node = node.input;
  }
  const inputs: ViewInput[] = [];
  const conditions: BoundExpr[] = [];
  flattenJoin(node, inputs, conditions);
  const edges = equalityEdges(conditions, inputs);
  chain.reverse();
  const before: StreamNode[] = [];
  const after: StreamNode[] = [];
  let aggregate: StreamAggregate | null = null;
  let key: readonly number[] | null = rootInputs(inputs, edges).flatMap((index) => {
    const input = inputs[index]!;
    return input.keyColumns.map((column) => input.offset + column);
  });
  for (const step of chain) {
    const target = aggregate === null ? before : after;
    if (step.kind === 'Filter') {
      checkExpr(step.predicate);
      target.push({ kind: 'Filter', predicate: step.predicate });
    } else if (step.kind === 'Project') {
      step.exprs.forEach(checkExpr);
      target.push({ kind: 'Project', exprs: step.exprs });
      key = keyThroughProject(key, step.exprs);
    } else if (step.kind === 'Aggregate') {
      if (aggregate !== null) throw notSupported('a materialized view with nested aggregation is not supported yet');
      step.groupKeys.forEach(checkExpr);
      for (const call of step.aggregates) {
        call.args.forEach(checkExpr);
        checkRetractable(call);
      }
      aggregate = { groupKeys: step.groupKeys, aggregates: step.aggregates };
      key = step.groupKeys.map((_, index) => index);
    }
  }
  if (key === null || key.length === 0) {
    throw new SqlError(SqlState.featureNotSupported, aggregate === null
      ? 'a materialized view must select the primary key columns of every table it reads (its rows need a key)'
      : 'a materialized view with GROUP BY must select every group key as a plain column (its rows need a key)',
    { hint: aggregate === null ? 'Add the key columns to the select list.' : 'Add the GROUP BY expressions to the select list.' });
  }
  checkLookups(inputs, edges);
  const condition = conditions.length === 0 ? null : conditions.reduce((all, next) => ({ kind: 'And', type: all.type, args: [all, next] }));
  const first = inputs[0]!;
  const stream: StreamPlan = {
    source: { table: first.table, partition: null, changelog: false, columns: [] },
    before, aggregate, after, outputKey: key,
  };
  return { inputs, edges, condition, stream, key };
}

/**
 * The inputs whose keys identify a joined row: an input joined on its whole primary key to columns
 * of others (orders ⋈ customer ON o_cust = c_key) has at most one row per row of those others, so
 * its key is implied; the rest are roots, and the roots' keys make the view's key.
 */
function rootInputs(inputs: readonly ViewInput[], edges: readonly JoinEdge[]): number[] {
  const all = inputs.map((_, index) => index);
  const coveredBy = (input: number, known: ReadonlySet<number>): boolean =>
    keyPrefixLength(inputs[input]!, fixedColumns(input, known, edges)) === inputs[input]!.keyColumns.length;
  const roots = all.filter((input) => !coveredBy(input, new Set(all.filter((other) => other !== input))));
  if (roots.length === 0) roots.push(0);
  for (;;) {
    const known = new Set(roots);
    let grew = true;
    while (grew) {
      grew = false;
      for (const input of all) {
        if (!known.has(input) && coveredBy(input, known)) {
          known.add(input);
          grew = true;
        }
      }
    }
    const left = all.find((input) => !known.has(input));
    if (left === undefined) return roots;
    roots.push(left);
  }
}

/** Inputs of a tree of inner joins, left to right, with their conditions shifted onto the joined row. */
function flattenJoin(plan: LogicalPlan, inputs: ViewInput[], conditions: BoundExpr[]): void {
  switch (plan.kind) {
    case 'Scan': {
      if (plan.changelog) throw notSupported('a materialized view over a changelog ($changelog) is not supported');
      if (plan.table.schema.partitionKey.length > 0) throw notSupported(`a materialized view over the partitioned table "${plan.table.name}" is not supported yet`);
      if (plan.table.schema.primaryKey.length === 0) {
        throw notSupported(`a materialized view over the log table "${plan.table.name}" is not supported yet`, 'Its inputs must be primary-key tables.');
      }
      const columns = plan.table.schema.columns;
      const offset = inputs.reduce((sum, input) => sum + input.width, 0);
      inputs.push({
        table: plan.table, offset, width: columns.length + 3,
        keyColumns: plan.table.schema.primaryKey.map((name) => columns.findIndex((column) => column.name === name)),
        indexes: (plan.table.indexes ?? []).map((index) => ({
          oid: index.oid, name: index.name, columns: index.columns.map((name) => columns.findIndex((column) => column.name === name)),
        })),
      });
      return;
    }
    case 'Join': {
      if (plan.joinType !== 'inner') throw notSupported(`a ${plan.joinType.toUpperCase()} JOIN in a materialized view is not supported yet`, 'Use inner joins.');
      const offset = inputs.reduce((sum, input) => sum + input.width, 0);
      flattenJoin(plan.left, inputs, conditions);
      flattenJoin(plan.right, inputs, conditions);
      const shift = (expr: BoundExpr): BoundExpr => offset === 0 ? expr
        : mapExpr(expr, (inner) => (inner.kind === 'Column' ? { ...inner, index: inner.index + offset } : undefined));
      // The binder leaves every ON condition in `condition`; only the optimizer fills `keys`.
      if (plan.keys.length > 0) throw notSupported('an optimized join in a materialized view definition');
      if (plan.condition !== null) {
        checkExpr(plan.condition);
        conditions.push(shift(plan.condition));
      }
      return;
    }
    case 'Filter': {
      const offset = inputs.reduce((sum, input) => sum + input.width, 0);
      flattenJoin(plan.input, inputs, conditions);
      checkExpr(plan.predicate);
      conditions.push(offset === 0 ? plan.predicate
        : mapExpr(plan.predicate, (inner) => (inner.kind === 'Column' ? { ...inner, index: inner.index + offset } : undefined)));
      return;
    }
    default:
      throw notSupported(`${describe(plan)} is not supported in a materialized view yet`);
  }
}

function describe(plan: LogicalPlan): string {
  switch (plan.kind as string) {
    case 'Sort': return 'ORDER BY';
    case 'Limit': return 'LIMIT';
    case 'Distinct': return 'DISTINCT';
    case 'SetOp': return 'a set operation';
    case 'Values': return 'a query without a table';
    default: return String(plan.kind);
  }
}

function checkExpr(expr: BoundExpr): void {
  mapExpr(expr, (node) => {
    if (node.kind === 'Subquery' || node.kind === 'OuterRef') throw notSupported('subqueries are not supported in a materialized view yet');
    return undefined;
  });
}

/** Conjuncts `column = column` between two different inputs. */
function equalityEdges(conditions: readonly BoundExpr[], inputs: readonly ViewInput[]): JoinEdge[] {
  const edges: JoinEdge[] = [];
  const conjuncts: BoundExpr[] = [];
  const split = (expr: BoundExpr): void => {
    if (expr.kind === 'And') expr.args.forEach(split);
    else conjuncts.push(expr);
  };
  conditions.forEach(split);
  const locate = (index: number): { input: number; column: number } | null => {
    const input = inputs.findIndex((candidate) => index >= candidate.offset && index < candidate.offset + candidate.width);
    const found = inputs[input];
    if (found === undefined) return null;
    const column = index - found.offset;
    return column < found.table.schema.columns.length ? { input, column } : null;
  };
  for (const conjunct of conjuncts) {
    if (conjunct.kind !== 'Call' || conjunct.fn.def.name !== '=' || conjunct.args.length !== 2) continue;
    const [a, b] = conjunct.args as [BoundExpr, BoundExpr];
    const unwrap = (expr: BoundExpr): BoundExpr => (expr.kind === 'Cast' ? expr.arg : expr);
    const left = unwrap(a);
    const right = unwrap(b);
    if (left.kind !== 'Column' || right.kind !== 'Column') continue;
    const l = locate(left.index);
    const r = locate(right.index);
    if (l === null || r === null || l.input === r.input) continue;
    edges.push({ left: l, right: r });
  }
  return edges;
}

/** The columns of `input` an edge set fixes when `visited` inputs are known. */
export function fixedColumns(input: number, visited: ReadonlySet<number>, edges: readonly JoinEdge[]): Map<number, { input: number; column: number }> {
  const fixed = new Map<number, { input: number; column: number }>();
  for (const edge of edges) {
    if (edge.left.input === input && visited.has(edge.right.input)) fixed.set(edge.left.column, edge.right);
    if (edge.right.input === input && visited.has(edge.left.input)) fixed.set(edge.right.column, edge.left);
  }
  return fixed;
}

/** How many leading primary-key columns of `input` the fixed columns cover. */
export function keyPrefixLength(input: ViewInput, fixed: ReadonlyMap<number, unknown>): number {
  let length = 0;
  while (length < input.keyColumns.length && fixed.has(input.keyColumns[length]!)) length++;
  return length;
}

/** From every input, every other input must be reachable by key lookups (a whole key or a leading prefix). */
function checkLookups(inputs: readonly ViewInput[], edges: readonly JoinEdge[]): void {
  for (let start = 0; start < inputs.length; start++) {
    const visited = new Set([start]);
    let grew = true;
    while (grew && visited.size < inputs.length) {
      grew = false;
      for (let next = 0; next < inputs.length; next++) {
        if (visited.has(next)) continue;
        if (lookupPath(inputs[next]!, fixedColumns(next, visited, edges)) !== null) {
          visited.add(next);
          grew = true;
        }
      }
    }
    if (visited.size < inputs.length) {
      const missing = inputs.findIndex((_, index) => !visited.has(index));
      const input = inputs[missing]!;
      const joined = [...fixedColumns(missing, new Set(inputs.map((_, index) => index).filter((index) => index !== missing)), edges).keys()]
        .map((column) => input.table.schema.columns[column]!.name);
      const hint = joined.length > 0 ? `CREATE INDEX ON ${input.table.name} (${joined.join(', ')})` : `join ${input.table.name} on its primary key`;
      throw new SqlError(SqlState.featureNotSupported,
        `a materialized view needs to look up "${input.table.name}" by its join columns, and it has no key or index on them`,
        { hint: joined.length > 0 ? `Run ${hint}, or join on its primary key.` : `Join ${input.table.name} on its primary key.` });
    }
  }
}
