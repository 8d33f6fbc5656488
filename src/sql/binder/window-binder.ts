// Window functions in a SELECT: collects the window calls of the select list and ORDER BY, reads
// their frames, and rewrites the expressions that use them over the window node's output row
// ([input row..., window results...]). While binding, a window call stands as a Column whose
// index is windowIndexBase plus its number (beyond any real row); the rewrite replaces it.
// Supported: row_number, rank, dense_rank and the aggregates, with PARTITION BY, ORDER BY and a
// frame from UNBOUNDED PRECEDING to CURRENT ROW (RANGE or ROWS) or UNBOUNDED FOLLOWING.

import type { WindowDef } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import type { BoundExpr } from '../bound-expr.js';
import { mapExpr } from '../bound-expr-walk.js';
import type { WindowCall, WindowFrameEnd } from '../plan/logical-window.js';

export const windowIndexBase = 1 << 29;

const rankingNames = new Set(['row_number', 'rank', 'dense_rank']);
const otherWindowNames = new Set(['ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value', 'percent_rank', 'cume_dist']);

export function isRankingName(name: string): name is 'row_number' | 'rank' | 'dense_rank' {
  return rankingNames.has(name);
}

/** PostgreSQL's window functions that Sluice does not compute yet. */
export function isUnsupportedWindowName(name: string): boolean {
  return otherWindowNames.has(name);
}

// frameOptions bits of PostgreSQL's WindowDef (nodes/parsenodes.h).
const frame = {
  nonDefault: 0x1, range: 0x2, rows: 0x4, groups: 0x8, between: 0x10,
  startUnboundedPreceding: 0x20, endUnboundedFollowing: 0x100, endCurrentRow: 0x400,
  exclusions: 0x8000 | 0x10000 | 0x20000,
} as const;

/** Where the frame of a window ends; anything but a frame starting at UNBOUNDED PRECEDING is 0A000. */
export function windowFrameEnd(over: WindowDef): WindowFrameEnd {
  const options = over.frameOptions ?? 0;
  if ((options & frame.nonDefault) === 0) return 'current-peers';
  const unsupported = (): SqlError => notSupported('this window frame is not supported yet',
    'Sluice supports frames from UNBOUNDED PRECEDING to CURRENT ROW or UNBOUNDED FOLLOWING, in RANGE or ROWS mode.');
  if ((options & frame.groups) !== 0 || (options & frame.exclusions) !== 0 || (options & frame.startUnboundedPreceding) === 0) {
    throw unsupported();
  }
  if ((options & frame.endUnboundedFollowing) !== 0) return 'partition-end';
  if ((options & frame.endCurrentRow) !== 0) return (options & frame.rows) !== 0 ? 'current-row' : 'current-peers';
  throw unsupported();
}

export class WindowCollector {
  readonly calls: WindowCall[] = [];

  /** Registers a window call; returns its placeholder. */
  add(call: WindowCall): BoundExpr {
    const index = this.calls.push(call) - 1;
    return { kind: 'Column', type: call.type, index: windowIndexBase + index, name: call.fn.kind === 'aggregate' ? call.fn.call.fn : call.fn.kind };
  }
}

export function isWindowPlaceholder(expr: BoundExpr): boolean {
  return expr.kind === 'Column' && expr.index >= windowIndexBase;
}

export function containsWindow(expr: BoundExpr): boolean {
  let found = false;
  mapExpr(expr, (node) => {
    if (isWindowPlaceholder(node)) found = true;
    return undefined;
  });
  return found;
}

/** Rewrites an expression over the window's input row (with placeholders) to one over its output row. */
export function overWindowRow(expr: BoundExpr, inputWidth: number): BoundExpr {
  return mapExpr(expr, (node) => node.kind === 'Column' && node.index >= windowIndexBase
    ? { ...node, index: inputWidth + node.index - windowIndexBase } : undefined);
}

/** The call with each of its expressions rewritten by `map`. */
export function mapWindowCall(call: WindowCall, map: (expr: BoundExpr) => BoundExpr): WindowCall {
  const fn = call.fn.kind === 'aggregate' ? { kind: 'aggregate' as const, call: { ...call.fn.call, args: call.fn.call.args.map(map) } } : call.fn;
  return { ...call, fn, partitionBy: call.partitionBy.map(map), orderBy: call.orderBy.map((key) => ({ ...key, expr: map(key.expr) })) };
}

export function windowingError(message: string): SqlError {
  return new SqlError(SqlState.windowingError, message);
}
