// EXPLAIN: the logical plan as indented text, one node per line, with the choices the optimizer
// made visible (point lookup, stored count, columns a scan reads, buckets and partitions).

import type { WindowCall } from './logical-window.js';
import { unreachable } from '../../common/errors.js';
import { formatType } from '../../common/types.js';
import { formatText } from '../../common/value-text.js';
import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './logical-plan.js';
import { scanColumnSpecs } from '../binder/table-binder.js';
import { explainAccess } from './explain-access.js';

/** Numbers the subqueries of one EXPLAIN (`SubPlan 1`, ...); reset by each explainPlan call. */
let subPlanCount = 0;

export function explainPlan(plan: LogicalPlan): string[] {
  subPlanCount = 0;
  return render(plan, 0).lines;
}

interface Rendered {
  readonly lines: string[];
  /** Names of the node's output columns, for printing the expressions of the node above. */
  readonly names: readonly string[];
}

function prefix(depth: number): string {
  return depth === 0 ? '' : `${'  '.repeat(depth - 1)}->  `;
}

function unary(input: LogicalPlan, depth: number, text: (names: readonly string[]) => string,
  names?: (inputNames: readonly string[]) => readonly string[]): Rendered {
  const child = render(input, depth + 1);
  return { lines: [prefix(depth) + text(child.names), ...child.lines], names: names === undefined ? child.names : names(child.names) };
}

function render(plan: LogicalPlan, depth: number): Rendered {
  const leaf = (text: string, names: readonly string[]): Rendered => ({ lines: [prefix(depth) + text], names });
  switch (plan.kind) {
    case 'Values':
      return leaf(`Values (${plan.rows.length} row${plan.rows.length === 1 ? '' : 's'})`, plan.columnTypes.map((_, i) => `column${i + 1}`));
    case 'FunctionScan':
      return leaf(`Function scan on ${plan.fn.name}`, plan.fn.columns.map((column) => column.name));
    case 'Scan': {
      const specs = scanColumnSpecs(plan.table, plan.changelog);
      const kind = plan.changelog ? 'Changelog scan' : plan.table.schema.primaryKey.length > 0 ? 'KV scan' : 'Log scan';
      const columns = plan.columns === undefined ? 'all columns' : `columns: ${plan.columns.map((i) => specs[i]?.name ?? '?').join(', ')}`;
      const read = plan.rowLimit === undefined ? columns : `${columns}, first ${plan.rowLimit} rows`;
      if (plan.access !== undefined) {
        const access = explainAccess(plan.table, plan.access, (expr) => exprText(expr, []));
        const using = access.using === undefined ? '' : ` using ${access.using}`;
        return leaf(`${access.kind ?? kind} on ${plan.table.name}${partitionText(plan.partition?.name)}${using} (${[...access.parts, read].join(', ')})`,
          specs.map((spec) => spec.name));
      }
      return leaf(`${kind} on ${plan.table.name}${partitionText(plan.partition?.name)} (${plan.table.schema.options.buckets} buckets, ${read})`,
        specs.map((spec) => spec.name));
    }
    case 'Lookup': {
      const key = plan.table.schema.primaryKey.map((name, i) => `${name} = ${exprText(plan.key[i], [])}`).join(' AND ');
      return leaf(`Point lookup on ${plan.table.name}${partitionText(plan.partition?.name)} (primary key: ${key})`,
        scanColumnSpecs(plan.table, false).map((spec) => spec.name));
    }
    case 'StoredCount':
      return leaf(`Stored count of ${plan.table.name}${partitionText(plan.partition?.name)}`, ['count(*)']);
    case 'Project':
      return unary(plan.input, depth, (names) => `Project: ${plan.exprs.map((expr) => exprText(expr, names)).join(', ')}`,
        (names) => plan.exprs.map((expr) => exprText(expr, names)));
    case 'Filter':
      return unary(plan.input, depth, (names) => `Filter: ${exprText(plan.predicate, names)}`);
    case 'Sort':
      return unary(plan.input, depth, (names) =>
        `Sort: ${plan.keys.map((key) => `${exprText(key.expr, names)}${key.descending ? ' DESC' : ''}`).join(', ')}`);
    case 'Window':
      return unary(plan.input, depth, (names) => `Window: ${plan.calls.map((call) => windowText(call, names)).join(', ')}`,
        (names) => [...names, ...plan.calls.map((call) => call.fn.kind === 'aggregate' ? call.fn.call.fn : call.fn.kind)]);
    case 'Limit':
      return unary(plan.input, depth, (names) =>
        `Limit${plan.limit === null ? '' : ` ${exprText(plan.limit, names)}`}${plan.offset === null ? '' : ` offset ${exprText(plan.offset, names)}`}`);
    case 'Aggregate': {
      const describe = (names: readonly string[]): { keys: string[]; calls: string[] } => ({
        keys: plan.groupKeys.map((key) => exprText(key, names)),
        calls: plan.aggregates.map((call) => call.fn === 'count_star' ? 'count(*)'
          : `${call.fn}(${call.distinct ? 'DISTINCT ' : ''}${call.args.map((arg) => exprText(arg, names)).join(', ')}${
            call.orderBy === undefined ? '' : ` ORDER BY ${call.orderBy.map((key) => `${exprText(key.expr, names)}${key.descending ? ' DESC' : ''}`).join(', ')}`})`),
      });
      return unary(plan.input, depth, (names) => {
        const { keys, calls } = describe(names);
        return keys.length > 0 ? `Hash aggregate: group by ${keys.join(', ')}; ${calls.join(', ')}` : `Aggregate: ${calls.join(', ')}`;
      }, (names) => {
        const { keys, calls } = describe(names);
        return [...keys, ...calls];
      });
    }
    case 'Join': {
      const left = render(plan.left, depth + 1);
      const right = render(plan.right, depth + 1);
      const names = plan.labels ?? [...left.names, ...right.names];
      const leftNames = names.slice(0, left.names.length);
      const rightNames = names.slice(left.names.length);
      const keys = plan.keys.map((key) => `${exprText(key.left, leftNames)} = ${exprText(key.right, rightNames)}`).join(' AND ');
      const condition = plan.condition === null ? '' : exprText(plan.condition, names);
      const text = plan.keys.length > 0 ? `Hash join (${plan.joinType}${plan.buildLeft === true ? ', build left' : ''}): ${keys}${condition === '' ? '' : `; filter: ${condition}`}`
        : plan.condition === null && plan.joinType === 'inner' ? 'Cross join' : `Nested loop join (${plan.joinType})${condition === '' ? '' : `: ${condition}`}`;
      const output = plan.joinType === 'semi' || plan.joinType === 'anti' ? names.slice(0, left.names.length) : names;
      return { lines: [prefix(depth) + text, ...left.lines, ...right.lines], names: output };
    }
    case 'Distinct':
      return unary(plan.input, depth, (names) => plan.keys === null ? 'Hash distinct' : `Hash distinct on: ${plan.keys.map((key) => exprText(key, names)).join(', ')}`);
    case 'SetOp': {
      const left = render(plan.left, depth + 1);
      const right = render(plan.right, depth + 1);
      const name = `${plan.op[0]?.toUpperCase() ?? ''}${plan.op.slice(1)}${plan.all ? ' all' : ''}`;
      return { lines: [prefix(depth) + name, ...left.lines, ...right.lines], names: left.names };
    }
    case 'RecursiveUnion': {
      const base = render(plan.base, depth + 1);
      const recursive = render(plan.recursive, depth + 1);
      return { lines: [`${prefix(depth)}Recursive union${plan.all ? ' all' : ''}`, ...base.lines, ...recursive.lines], names: base.names };
    }
    case 'WorkTableScan': return leaf(`Work table scan on ${plan.name}`, plan.columnNames);
    case 'LateralJoin': {
      const left = render(plan.left, depth + 1);
      const right = render(plan.right, depth + 1);
      const names = plan.labels ?? [...left.names, ...right.names];
      const correlated = plan.correlation.map((expr) => exprText(expr, names)).join(', ');
      const condition = plan.condition === null ? '' : `: ${exprText(plan.condition, names)}`;
      return { lines: [`${prefix(depth)}Lateral join (${plan.joinType}, correlated on ${correlated})${condition}`, ...left.lines, ...right.lines], names };
    }
    case 'Apply': {
      const input = render(plan.input, depth + 1);
      const lines: string[] = [];
      const names = [...input.names];
      const described = plan.subqueries.map((subquery) => {
        const name = `SubPlan ${++subPlanCount}`;
        names.push(name);
        const correlated = subquery.correlation.length === 0 ? '' : ` (correlated on ${subquery.correlation.map((expr) => exprText(expr, input.names)).join(', ')})`;
        const what = subquery.subquery === 'any' || subquery.subquery === 'all'
          ? `${exprText(subquery.arg ?? undefined, input.names)} ${subquery.compare?.def.name ?? '='} ${subquery.subquery.toUpperCase()}`
          : subquery.subquery === 'scalar' ? 'scalar' : subquery.subquery.toUpperCase();
        lines.push(`${prefix(depth + 1)}${name}: ${what}${correlated}`, ...render(subquery.plan, depth + 2).lines);
        return name;
      });
      return { lines: [`${prefix(depth)}Apply: ${described.join(', ')}`, ...input.lines, ...lines], names };
    }
    default: return unreachable(plan, 'plan node');
  }
}

function partitionText(name: string | undefined): string {
  return name === undefined ? '' : ` partition ${name}`;
}

const infix = new Set(['=', '<>', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '||', '~~', '!~~', '~~*', '!~~*', '~', '!~', '->', '->>', '^']);

export function exprText(expr: BoundExpr | undefined, names: readonly string[]): string {
  if (expr === undefined) return '?';
  switch (expr.kind) {
    case 'Literal': return expr.value === null ? 'NULL' : typeof expr.value === 'string' || expr.type.name === 'text'
      ? `'${formatText(expr.type, expr.value).replace(/'/g, "''")}'` : formatText(expr.type, expr.value);
    case 'Parameter': return `$${expr.index + 1}`;
    case 'Column': return names[expr.index] ?? expr.name;
    case 'Call': {
      const name = expr.fn.def.name;
      const args = expr.args.map((arg) => exprText(arg, names));
      if (infix.has(name) && args.length === 2) return `(${args[0]} ${name} ${args[1]})`;
      if (infix.has(name) && args.length === 1) return `(${name}${args[0]})`;
      return `${name}(${args.join(', ')})`;
    }
    case 'Cast':
      // Casts of constants were made by the binder to match a column's type; the value says enough.
      if (expr.arg.kind === 'Literal' || expr.arg.kind === 'Parameter') return exprText(expr.arg, names);
      return `${exprText(expr.arg, names)}::${formatType(expr.type)}`;
    case 'And': case 'Or': return `(${expr.args.map((arg) => exprText(arg, names)).join(` ${expr.kind.toUpperCase()} `)})`;
    case 'Not': return `(NOT ${exprText(expr.arg, names)})`;
    case 'IsNull': return `(${exprText(expr.arg, names)} IS ${expr.negated ? 'NOT ' : ''}NULL)`;
    case 'IsBool': return `(${exprText(expr.arg, names)} IS ${expr.negated ? 'NOT ' : ''}${expr.test.toUpperCase()})`;
    case 'Case': return `CASE ${expr.whens.map((when) => `WHEN ${exprText(when.when, names)} THEN ${exprText(when.then, names)}`).join(' ')} ELSE ${exprText(expr.otherwise, names)} END`;
    case 'Coalesce': return `COALESCE(${expr.args.map((arg) => exprText(arg, names)).join(', ')})`;
    case 'NullIf': return `NULLIF(${exprText(expr.left, names)}, ${exprText(expr.right, names)})`;
    case 'InList': return `(${exprText(expr.arg, names)} ${expr.negated ? 'NOT ' : ''}IN (${expr.list.map((item) => exprText(item, names)).join(', ')}))`;
    case 'Greatest': case 'Least': return `${expr.kind.toUpperCase()}(${expr.args.map((arg) => exprText(arg, names)).join(', ')})`;
    case 'OuterRef': return `outer ${expr.name}`;
    case 'Subquery': return `(${expr.subquery} subquery)`;
    default: return unreachable(expr, 'expression');
  }
}

function windowText(call: WindowCall, names: readonly string[]): string {
  const fn = call.fn.kind === 'aggregate'
    ? `${call.fn.call.fn === 'count_star' ? 'count(*' : `${call.fn.call.fn}(${call.fn.call.args.map((arg) => exprText(arg, names)).join(', ')}`})`
    : `${call.fn.kind}()`;
  const partition = call.partitionBy.length === 0 ? [] : [`PARTITION BY ${call.partitionBy.map((expr) => exprText(expr, names)).join(', ')}`];
  const order = call.orderBy.length === 0 ? []
    : [`ORDER BY ${call.orderBy.map((key) => `${exprText(key.expr, names)}${key.descending ? ' DESC' : ''}`).join(', ')}`];
  return `${fn} OVER (${[...partition, ...order].join(' ')})`;
}
