// The plan of a materialized view: its inputs (tables joined by inner or left equi-joins, or one
// table), the join graph, and the stream nodes above the join (filters, projections, at most one
// GROUP BY), with the view's primary key derived from the query: the group keys, or the primary keys
// of every input (which the query must select). Maintenance is a delta join: a change to one input
// looks up the others through their primary keys (a whole key or a leading prefix) or secondary
// indexes, so the planner checks that from every input the others can be reached that way, and
// names the index a user would need otherwise. Inputs' rows are laid out one after another in the
// joined row (table-binder.ts's scan row layout each), in the order the FROM clause gives them.
//
// A view with a LEFT JOIN is planned as a rooted join (`rooted`): its joins must run left to right
// (each join's right side a table), so every joined row holds exactly one row of the first input,
// the root. Its maintainer recomputes the joined rows of each root row a commit can affect, before
// and after the commit, and emits the difference; `towardRoot` is how a change of another input
// finds those root rows.

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

/** How input j (≥ 1) of a rooted join joins the inputs before it. */
export interface JoinStep {
  readonly kind: 'inner' | 'left';
  /** The ON condition over the joined row (null: none). */
  readonly on: BoundExpr | null;
  /** How its candidate rows are found from the columns the inputs before it fix. */
  readonly path: LookupPath;
}

export interface RootedJoin {
  /** Per input: its join step (index 0, the root, has none). */
  readonly steps: readonly (JoinStep | null)[];
  /** Per input: the inputs to look up, in order, to reach the root's rows from a row of it. */
  readonly towardRoot: readonly (readonly number[])[];
  /** Conditions of filters inside the join tree over the joined row, tested after the joins (null: none). */
  readonly filter: BoundExpr | null;
}

export interface ViewPlan {
  readonly inputs: readonly ViewInput[];
  /** Set when the view has a LEFT JOIN: maintained root row by root row (see the file comment). */
  readonly rooted: RootedJoin | null;
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
  const tree: JoinTree = { conditions: [], filters: [], steps: [], hasLeft: false, bushy: false };
  flattenJoin(node, inputs, tree);
  // A log table's rows cannot be looked up (no key), so it can only be a view's one input, whose
  // appends the view aggregates.
  const logInput = inputs.find((input) => input.keyColumns.length === 0);
  if (logInput !== undefined && inputs.length > 1) {
    throw notSupported(`a materialized view joining the log table "${logInput.table.name}" is not supported yet`, 'Join primary-key tables, or aggregate the log table alone.');
  }
  const conditions = tree.conditions;
  if (tree.hasLeft && tree.bushy) {
    throw notSupported('a materialized view with a LEFT JOIN must join its tables left to right (each join\'s right side a table)');
  }
  const stepConditions = tree.steps.flatMap((step) => (step === null || step === undefined || step.on === null ? [] : [step.on]));
  const edges = equalityEdges(tree.hasLeft ? stepConditions : conditions, inputs);
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
  if (logInput !== undefined && aggregate === null) {
    throw notSupported(`a materialized view over the log table "${logInput.table.name}" needs GROUP BY (its rows have no key)`);
  }
  if (key === null || key.length === 0) {
    throw new SqlError(SqlState.featureNotSupported, aggregate === null
      ? 'a materialized view must select the primary key columns of every table it reads (its rows need a key)'
      : 'a materialized view with GROUP BY must select every group key as a plain column (its rows need a key)',
    { hint: aggregate === null ? 'Add the key columns to the select list.' : 'Add the GROUP BY expressions to the select list.' });
  }
  const rooted = tree.hasLeft ? planRooted(inputs, edges, tree, aggregate === null ? rootInputs(inputs, edges) : []) : null;
  if (rooted === null) checkLookups(inputs, edges);
  const condition = conjunction(conditions);
  const first = inputs[0]!;
  const stream: StreamPlan = {
    source: { table: first.table, partition: null, changelog: false, columns: [] },
    before, aggregate, after, outputKey: key,
  };
  return { inputs, rooted, edges, condition, stream, key };
}

/** Whether the view's lookups need the secondary index `oid` (it cannot reach every input without it). */
export function viewNeedsIndex(plan: ViewPlan, oid: number): boolean {
  if (!plan.inputs.some((input) => input.indexes.some((index) => index.oid === oid))) return false;
  const inputs = plan.inputs.map((input) => ({ ...input, indexes: input.indexes.filter((index) => index.oid !== oid) }));
  try {
    if (plan.rooted === null) {
      checkLookups(inputs, plan.edges);
      return false;
    }
    for (let index = 1; index < inputs.length; index++) {
      const before = new Set(inputs.slice(0, index).map((_, position) => position));
      if (lookupPath(inputs[index]!, fixedColumns(index, before, plan.edges)) === null) return true;
      pathToRoot(inputs, plan.edges, index);
    }
    return false;
  } catch {
    return true;
  }
}

function conjunction(conditions: readonly BoundExpr[]): BoundExpr | null {
  return conditions.length === 0 ? null : conditions.reduce((all, next) => ({ kind: 'And', type: all.type, args: [all, next] }));
}

/** The rooted plan of a view with a LEFT JOIN: join steps with their lookup paths, and paths back to the root. */
function planRooted(inputs: readonly ViewInput[], edges: readonly JoinEdge[], tree: JoinTree, keyInputs: readonly number[]): RootedJoin {
  const steps: (JoinStep | null)[] = [null];
  for (let index = 1; index < inputs.length; index++) {
    const step = tree.steps[index];
    if (step === undefined || step === null) throw notSupported('a materialized view with a LEFT JOIN must join its tables left to right');
    const before = new Set(inputs.slice(0, index).map((_, position) => position));
    const fixed = fixedColumns(index, before, edges);
    const path = lookupPath(inputs[index]!, fixed);
    if (path === null) throw missingLookup(inputs[index]!, [...fixed.keys()]);
    steps.push({ kind: step.kind, on: step.on, path });
  }
  // A row of the nullable side of a LEFT JOIN may be missing, so the view's key (without GROUP BY,
  // the key inputs' keys) cannot include its key.
  for (const input of keyInputs) {
    if (input > 0 && steps[input]?.kind === 'left') {
      const table = inputs[input]!.table.name;
      throw notSupported(`a materialized view needs the LEFT JOIN of "${table}" to match at most one row`,
        `Join "${table}" on its whole primary key.`);
    }
  }
  const towardRoot = inputs.map((_, start) => (start === 0 ? [] : pathToRoot(inputs, edges, start)));
  return { steps, towardRoot, filter: conjunction(tree.filters) };
}

/** The inputs from `start` to the root (input 0) along the join graph, each reachable by a key or index lookup. */
function pathToRoot(inputs: readonly ViewInput[], edges: readonly JoinEdge[], start: number): number[] {
  // Breadth-first from the root, so each input knows its neighbour one step closer to it.
  const closer = new Map<number, number>([[0, -1]]);
  const queue = [0];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const edge of edges) {
      for (const [from, to] of [[edge.left.input, edge.right.input], [edge.right.input, edge.left.input]] as const) {
        if (from === at && !closer.has(to)) {
          closer.set(to, at);
          queue.push(to);
        }
      }
    }
  }
  const path: number[] = [];
  const visited = new Set([start]);
  for (let at = closer.get(start); at !== undefined && at >= 0; at = closer.get(at)) {
    const fixed = fixedColumns(at, visited, edges);
    if (lookupPath(inputs[at]!, fixed) === null) throw missingLookup(inputs[at]!, [...fixed.keys()]);
    path.push(at);
    visited.add(at);
  }
  if (!visited.has(0)) throw notSupported(`"${inputs[start]!.table.name}" is not joined to the other tables of the materialized view by equality`);
  return path;
}

function missingLookup(input: ViewInput, columns: readonly number[]): SqlError {
  const names = columns.map((column) => input.table.schema.columns[column]!.name);
  return new SqlError(SqlState.featureNotSupported,
    `a materialized view needs to look up "${input.table.name}" by its join columns, and it has no key or index on them`,
    { hint: names.length > 0 ? `Run CREATE INDEX ON ${input.table.name} (${names.join(', ')}), or join on its primary key.` : `Join ${input.table.name} on its primary key.` });
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

/** What flattening a join tree collects besides its inputs. */
interface JoinTree {
  /** Inner joins' ON conditions and filters inside the tree, over the joined row. */
  readonly conditions: BoundExpr[];
  /** Filters inside the tree alone. */
  readonly filters: BoundExpr[];
  /** Per input whose join has a table as its right side: the join's kind and ON condition. */
  readonly steps: ({ readonly kind: 'inner' | 'left'; readonly on: BoundExpr | null } | null)[];
  hasLeft: boolean;
  /** Some join's right side is itself a join. */
  bushy: boolean;
}

/** Inputs of a tree of inner and left joins, left to right, with their conditions shifted onto the joined row. */
function flattenJoin(plan: LogicalPlan, inputs: ViewInput[], tree: JoinTree): void {
  switch (plan.kind) {
    case 'Scan': {
      if (plan.changelog) throw notSupported('a materialized view over a changelog ($changelog) is not supported');
      if (plan.table.schema.options.changelogImage !== 'full') {
        throw notSupported(`a materialized view over "${plan.table.name}" needs its full changelog`, "Its changelog_image must be 'full'.");
      }
      if (plan.table.schema.partitionKey.length > 0) throw notSupported(`a materialized view over the partitioned table "${plan.table.name}" is not supported yet`);
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
      if (plan.joinType !== 'inner' && plan.joinType !== 'left') {
        throw notSupported(`a ${plan.joinType.toUpperCase()} JOIN in a materialized view is not supported yet`, 'Use inner or left joins.');
      }
      const offset = inputs.reduce((sum, input) => sum + input.width, 0);
      flattenJoin(plan.left, inputs, tree);
      const rightInput = inputs.length;
      flattenJoin(plan.right, inputs, tree);
      const shift = (expr: BoundExpr): BoundExpr => offset === 0 ? expr
        : mapExpr(expr, (inner) => (inner.kind === 'Column' ? { ...inner, index: inner.index + offset } : undefined));
      // The binder leaves every ON condition in `condition`; only the optimizer fills `keys`.
      if (plan.keys.length > 0) throw notSupported('an optimized join in a materialized view definition');
      if (plan.condition !== null) checkExpr(plan.condition);
      const on = plan.condition === null ? null : shift(plan.condition);
      if (plan.joinType === 'left') {
        if (plan.right.kind !== 'Scan') throw notSupported('the right side of a LEFT JOIN in a materialized view must be a table');
        tree.hasLeft = true;
      } else if (on !== null) {
        tree.conditions.push(on);
      }
      if (plan.right.kind === 'Scan') tree.steps[rightInput] = { kind: plan.joinType, on };
      else tree.bushy = true;
      return;
    }
    case 'Filter': {
      const offset = inputs.reduce((sum, input) => sum + input.width, 0);
      flattenJoin(plan.input, inputs, tree);
      checkExpr(plan.predicate);
      const predicate = offset === 0 ? plan.predicate
        : mapExpr(plan.predicate, (inner) => (inner.kind === 'Column' ? { ...inner, index: inner.index + offset } : undefined));
      tree.conditions.push(predicate);
      tree.filters.push(predicate);
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
    case 'Window': return 'a window function';
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
      const others = new Set(inputs.map((_, index) => index).filter((index) => index !== missing));
      throw missingLookup(inputs[missing]!, [...fixedColumns(missing, others, edges).keys()]);
    }
  }
}
