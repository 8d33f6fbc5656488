// Moves subqueries out of expressions into Apply nodes: a plan node whose expressions hold
// subqueries gets an Apply below it that appends each subquery's value to the row, and the
// expressions read those columns instead. A filter keeps its conjuncts without subqueries below
// the Apply (so they can still reach joins and scans, and fewer rows run the subqueries) and
// projects the appended columns away again. Subqueries nested in the operands of other
// subqueries are applied first, in an Apply of their own. Each subquery's plan is optimized too.
// On the way, a projection over a projection that only picks columns is merged into one, and
// WHERE conjuncts EXISTS / NOT EXISTS / IN become semi and anti joins where they can (decorrelate.ts).

import { windowCallExprs } from '../plan/logical-window.js';
import { notSupported, unreachable } from '../../common/errors.js';
import { Types } from '../../common/types.js';
import type { BoundExpr, BoundSubquery } from '../bound-expr.js';
import { mapExpr } from '../bound-expr-walk.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import { planWidth } from '../plan/plan-width.js';
import { semiJoin } from './decorrelate.js';

type Optimize = (plan: LogicalPlan) => LogicalPlan;

export function containsSubquery(expr: BoundExpr): boolean {
  let found = false;
  mapExpr(expr, (node) => {
    if (node.kind === 'Subquery') found = true;
    return undefined;
  });
  return found;
}

function conjuncts(expr: BoundExpr): BoundExpr[] {
  return expr.kind === 'And' ? expr.args.flatMap(conjuncts) : [expr];
}

function and(parts: readonly BoundExpr[]): BoundExpr {
  return parts.length === 1 ? parts[0] as BoundExpr : { kind: 'And', type: Types.bool, args: parts };
}

/** The input with Apply nodes computing every subquery of `exprs`, and `exprs` reading their columns. */
function applyAll(input: LogicalPlan, exprs: readonly BoundExpr[], optimize: Optimize): { input: LogicalPlan; exprs: BoundExpr[] } {
  let plan = input;
  let current = [...exprs];
  while (current.some(containsSubquery)) {
    const width = planWidth(plan);
    const found: BoundSubquery[] = [];
    current = current.map((expr) => mapExpr(expr, (node) => {
      if (node.kind !== 'Subquery') return undefined;
      if (node.correlation.some(containsSubquery) || (node.arg !== null && containsSubquery(node.arg))) return undefined;
      found.push({ ...node, plan: optimize(node.plan) });
      return { kind: 'Column', type: node.type, index: width + found.length - 1, name: `subquery${found.length}` };
    }));
    plan = { kind: 'Apply', input: plan, subqueries: found };
  }
  return { input: plan, exprs: current };
}

/**
 * The first `width` columns of the plan's row (dropping the appended subquery values). The nodes
 * above were bound against these positions with their own types, so the types here are not read.
 */
function keepColumns(plan: LogicalPlan, width: number): LogicalPlan {
  const exprs: BoundExpr[] = [];
  for (let index = 0; index < width; index++) exprs.push({ kind: 'Column', type: Types.unknown, index, name: `column${index + 1}` });
  return { kind: 'Project', input: plan, exprs };
}

export function extractSubqueries(plan: LogicalPlan, optimize: Optimize): LogicalPlan {
  const walk = (node: LogicalPlan): LogicalPlan => extractSubqueries(node, optimize);
  switch (plan.kind) {
    case 'Values':
      if (plan.rows.some((row) => row.some(containsSubquery))) throw notSupported('subqueries in VALUES are not supported yet');
      return plan;
    case 'Scan': case 'Lookup': case 'StoredCount': return plan;
    case 'FunctionScan':
      if (plan.args.some(containsSubquery)) throw notSupported('subqueries in the arguments of a function in FROM are not supported yet');
      return plan;
    case 'Project': {
      const walked = walk(plan.input);
      const project = walked.kind === 'Project' && walked.exprs.every((expr) => expr.kind === 'Column')
        ? composed(plan, walked) : { ...plan, input: walked };
      if (!project.exprs.some(containsSubquery)) return project;
      const applied = applyAll(project.input, project.exprs, optimize);
      return { kind: 'Project', input: applied.input, exprs: applied.exprs };
    }
    case 'Filter': {
      let input = walk(plan.input);
      if (!containsSubquery(plan.predicate)) return { ...plan, input };
      const parts: BoundExpr[] = [];
      for (const part of conjuncts(plan.predicate)) {
        const joined = semiJoin(input, part, walk);
        if (joined === undefined) parts.push(part);
        else input = joined;
      }
      if (parts.length === 0) return input;
      if (!parts.some(containsSubquery)) return { kind: 'Filter', input, predicate: and(parts) };
      const plain = parts.filter((part) => !containsSubquery(part));
      const below: LogicalPlan = plain.length === 0 ? input : { kind: 'Filter', input, predicate: and(plain) };
      const applied = applyAll(below, [and(parts.filter(containsSubquery))], optimize);
      const filtered: LogicalPlan = { kind: 'Filter', input: applied.input, predicate: applied.exprs[0] as BoundExpr };
      return keepColumns(filtered, planWidth(below));
    }
    case 'Sort': {
      const input = walk(plan.input);
      if (!plan.keys.some((key) => containsSubquery(key.expr))) return { ...plan, input };
      const applied = applyAll(input, plan.keys.map((key) => key.expr), optimize);
      const sorted: LogicalPlan = { kind: 'Sort', input: applied.input, keys: plan.keys.map((key, i) => ({ ...key, expr: applied.exprs[i] as BoundExpr })) };
      return keepColumns(sorted, planWidth(input));
    }
    case 'Aggregate': {
      const input = walk(plan.input);
      if (plan.aggregates.some((call) => (call.orderBy ?? []).some((key) => containsSubquery(key.expr)))) {
        throw notSupported('subqueries in ORDER BY inside an aggregate are not supported yet');
      }
      const exprs = [...plan.groupKeys, ...plan.aggregates.flatMap((call) => call.args)];
      if (!exprs.some(containsSubquery)) return { ...plan, input };
      const applied = applyAll(input, exprs, optimize);
      let next = plan.groupKeys.length;
      return {
        ...plan, input: applied.input, groupKeys: applied.exprs.slice(0, plan.groupKeys.length),
        aggregates: plan.aggregates.map((call) => ({ ...call, args: call.args.map(() => applied.exprs[next++] as BoundExpr) })),
      };
    }
    case 'Join': {
      const left = walk(plan.left);
      const right = walk(plan.right);
      if (plan.condition === null || !containsSubquery(plan.condition)) return { ...plan, left, right };
      if (plan.joinType !== 'inner') throw notSupported(`subqueries in the condition of a ${plan.joinType} join are not supported yet`);
      return walk({ kind: 'Filter', input: { ...plan, left, right, condition: null }, predicate: plan.condition });
    }
    case 'Limit':
      if ((plan.limit !== null && containsSubquery(plan.limit)) || (plan.offset !== null && containsSubquery(plan.offset))) {
        throw notSupported('subqueries in LIMIT and OFFSET are not supported yet');
      }
      return { ...plan, input: walk(plan.input) };
    case 'Distinct':
      if ((plan.keys ?? []).some(containsSubquery)) throw notSupported('subqueries in DISTINCT ON are not supported yet');
      return { ...plan, input: walk(plan.input) };
    case 'SetOp': return { ...plan, left: walk(plan.left), right: walk(plan.right) };
    case 'LateralJoin':
      if (plan.condition !== null && containsSubquery(plan.condition)) throw notSupported('subqueries in the condition of a LATERAL join are not supported yet');
      return { ...plan, left: walk(plan.left), right: walk(plan.right) };
    case 'RecursiveUnion': return { ...plan, base: walk(plan.base), recursive: walk(plan.recursive) };
    case 'WorkTableScan': return plan;
    case 'Apply': return { ...plan, input: walk(plan.input) };
    case 'Window':
      if (plan.calls.flatMap(windowCallExprs).some(containsSubquery)) throw notSupported('subqueries in window function calls are not supported yet');
      return { ...plan, input: walk(plan.input) };
    default: return unreachable(plan, 'plan node');
  }
}

/** A projection over one that only picks columns reads the columns picked directly. */
function composed(outer: Extract<LogicalPlan, { kind: 'Project' }>, inner: Extract<LogicalPlan, { kind: 'Project' }>): Extract<LogicalPlan, { kind: 'Project' }> {
  const exprs = outer.exprs.map((expr) => mapExpr(expr, (node) => {
    if (node.kind !== 'Column') return undefined;
    const picked = inner.exprs[node.index];
    return picked?.kind === 'Column' ? { ...node, index: picked.index } : undefined;
  }));
  return { kind: 'Project', input: inner.input, exprs };
}
