// Entry point of the binder: one parsed statement in, one bound statement out. Dispatches on the
// parser's statement kind; anything Sluice does not implement is 0A000 naming the statement.

import type { Node } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import type { DataType } from '../../common/types.js';
import type { BoundStatement } from '../bound-statement.js';
import type { CatalogReader } from '../catalog-reader.js';
import type { RawStatement } from '../parser.js';
import { bindCreateTable } from './create-table-binder.js';
import { ParameterTypes } from './parameters.js';
import { bindCopy } from './copy-binder.js';
import { optimize } from '../optimizer/optimize.js';
import { explainPlan } from '../plan/explain.js';
import { bindInsert } from './insert-binder.js';
import { bindDelete, bindUpdate } from './modify-binder.js';
import { bindSelect } from './select-binder.js';
import { bindClosePortal, bindDeclareCursor, bindFetch, bindSubscribe } from './subscribe-binder.js';
import { bindCreateMaterializedView } from './matview-binder.js';
import { bindAlterTable, bindDrop, bindSet, bindTransaction, bindTruncate } from './utility-binder.js';
import { bindCreateIndex } from './index-binder.js';

export interface BindResult {
  readonly statement: BoundStatement;
  readonly parameterTypes: DataType[];
}

export interface BindOptions {
  /** `execution.runtime_mode = 'streaming'`: a SELECT that reads a table is a subscription. */
  readonly streaming?: boolean;
}

export function bindStatement(raw: RawStatement, catalog: CatalogReader, parameterHints: readonly (DataType | null)[],
  timeZone = 'UTC', options: BindOptions = {}): BindResult {
  const parameters = new ParameterTypes(parameterHints);
  const streamed = options.streaming === true && 'SelectStmt' in raw.ast && (raw.ast.SelectStmt.fromClause ?? []).length > 0
    && raw.extension === undefined;
  const source = streamed ? { ...raw, extension: { subscribe: { form: 'rows' as const, options: [] } } } : raw;
  const bound = bindNode(raw.ast, source, catalog, parameters, timeZone);
  const statement = optimizeStatement(bound);
  return { statement, parameterTypes: parameters.resolved() };
}

function bindExplain(query: Node | undefined, options: readonly Node[], raw: RawStatement, catalog: CatalogReader,
  parameters: ParameterTypes, timeZone: string): BoundStatement {
  for (const option of options) {
    const name = 'DefElem' in option ? (option.DefElem.defname ?? '').toLowerCase() : '';
    if (name === 'analyze') throw notSupported('EXPLAIN ANALYZE is not supported yet');
    if (name !== 'verbose' && name !== 'costs' && name !== 'format') throw new SqlError(SqlState.syntaxError, `unrecognized EXPLAIN option "${name}"`);
  }
  if (query === undefined) throw new SqlError(SqlState.syntaxError, 'EXPLAIN needs a statement');
  const inner = optimizeStatement(bindNode(query, raw, catalog, parameters, timeZone));
  switch (inner.kind) {
    case 'Query': case 'CopyTo': return { kind: 'Explain', lines: explainPlan(inner.plan) };
    case 'Update': return { kind: 'Explain', lines: [`Update on ${inner.table.name}`, ...explainPlan(inner.rows).map((line) => `  ${line}`)] };
    case 'Delete': return { kind: 'Explain', lines: [`Delete on ${inner.table.name}`, ...explainPlan(inner.rows).map((line) => `  ${line}`)] };
    case 'Insert': return { kind: 'Explain', lines: [`Insert on ${inner.table.name}`, ...explainPlan(inner.source).map((line) => `  ${line}`)] };
    default: throw notSupported(`EXPLAIN of ${inner.kind} is not supported`);
  }
}

function optimizeStatement(bound: BoundStatement): BoundStatement {
  switch (bound.kind) {
    case 'Query': case 'CopyTo': return { ...bound, plan: optimize(bound.plan) };
    case 'Update': case 'Delete': return { ...bound, rows: optimize(bound.rows) };
    case 'Insert': return { ...bound, source: optimize(bound.source) };
    case 'DeclareCursor': return bound.query.kind === 'Query' ? { ...bound, query: { ...bound.query, plan: optimize(bound.query.plan) } } : bound;
    default: return bound;
  }
}

function bindNode(node: Node, raw: RawStatement, catalog: CatalogReader, parameters: ParameterTypes, timeZone: string): BoundStatement {
  const context = { source: raw.source, parameters, timeZone };
  const subscribe = raw.extension?.subscribe;
  if ('SelectStmt' in node) {
    const query = bindSelect(node.SelectStmt, context, catalog);
    return subscribe === undefined ? query : bindSubscribe(query, subscribe.options, timeZone, null);
  }
  if ('DeclareCursorStmt' in node) {
    const query = node.DeclareCursorStmt.query;
    if (query === undefined) throw new SqlError(SqlState.syntaxError, 'DECLARE CURSOR needs a query');
    return bindDeclareCursor(node.DeclareCursorStmt, bindNode(query, raw, catalog, parameters, timeZone));
  }
  if ('CreateTableAsStmt' in node) {
    if (node.CreateTableAsStmt.objtype !== 'OBJECT_MATVIEW') throw notSupported('CREATE TABLE AS is not supported; use CREATE TABLE and INSERT ... SELECT');
    return bindCreateMaterializedView(node.CreateTableAsStmt, raw, context, catalog);
  }
  if ('FetchStmt' in node) return bindFetch(node.FetchStmt, raw.extension?.fetchOptions ?? []);
  if ('ClosePortalStmt' in node) return bindClosePortal(node.ClosePortalStmt);
  if ('UpdateStmt' in node) return bindUpdate(node.UpdateStmt, context, catalog);
  if ('DeleteStmt' in node) return bindDelete(node.DeleteStmt, context, catalog);
  if ('TruncateStmt' in node) return bindTruncate(node.TruncateStmt, catalog);
  if ('CopyStmt' in node) {
    const copy = bindCopy(node.CopyStmt, context, catalog);
    if (subscribe === undefined || copy.kind !== 'CopyTo') return copy;
    return bindSubscribe({ kind: 'Query', plan: copy.plan, columns: copy.columns }, subscribe.options, timeZone, copy.options);
  }
  if ('InsertStmt' in node) return bindInsert(node.InsertStmt, context, catalog);
  if ('VariableSetStmt' in node) return bindSet(node.VariableSetStmt);
  if ('VariableShowStmt' in node) return { kind: 'Show', name: (node.VariableShowStmt.name ?? '').toLowerCase() };
  if ('TransactionStmt' in node) return bindTransaction(node.TransactionStmt);
  if ('CreateStmt' in node) return bindCreateTable(node.CreateStmt, catalog);
  if ('DropStmt' in node) return bindDrop(node.DropStmt, catalog);
  if ('IndexStmt' in node) return bindCreateIndex(node.IndexStmt, catalog);
  if ('AlterTableStmt' in node) return bindAlterTable(node.AlterTableStmt, catalog);
  if ('CreateSchemaStmt' in node) {
    if ((node.CreateSchemaStmt.schemaElts ?? []).length > 0) throw notSupported('CREATE SCHEMA with elements is not supported');
    return { kind: 'CreateSchema', name: node.CreateSchemaStmt.schemaname ?? '', ifNotExists: node.CreateSchemaStmt.if_not_exists ?? false };
  }
  if ('CreatedbStmt' in node) return { kind: 'CreateDatabase', name: node.CreatedbStmt.dbname ?? '' };
  if ('DropdbStmt' in node) return { kind: 'DropDatabase', name: node.DropdbStmt.dbname ?? '', missingOk: node.DropdbStmt.missing_ok ?? false };
  if ('DiscardStmt' in node) {
    const target = node.DiscardStmt.target ?? 'DISCARD_ALL';
    const what = target === 'DISCARD_PLANS' ? 'plans' : target === 'DISCARD_TEMP' ? 'temp' : target === 'DISCARD_SEQUENCES' ? 'sequences' : 'all';
    return { kind: 'Discard', what };
  }
  if ('DeallocateStmt' in node) return { kind: 'NoOp', tag: 'DEALLOCATE' };
  if ('ExplainStmt' in node) return bindExplain(node.ExplainStmt.query, node.ExplainStmt.options ?? [], raw, catalog, parameters, timeZone);
  const kind = Object.keys(node)[0] ?? 'statement';
  throw new SqlError(SqlState.featureNotSupported, `${kind.replace(/Stmt$/, '')} statements are not supported`);
}
