// Utility statements: SET/SHOW/RESET, transaction control, schemas, databases, DROP, ALTER TABLE
// ADD COLUMN, DISCARD. Each becomes a small bound record the engine executes.

import type { VariableSetStmt, TransactionStmt, DropStmt, AlterTableStmt, Node, TruncateStmt } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import type { BoundStatement } from '../bound-statement.js';
import type { CatalogReader } from '../catalog-reader.js';
import { stringValue } from './expr-binder.js';
import { bindTypeName } from './type-name.js';
import { bindDropIndexes } from './index-binder.js';

/** Text of a SET argument as PostgreSQL's GUC machinery sees it. */
function settingArgText(node: Node): string {
  if ('A_Const' in node) {
    const constant = node.A_Const;
    if (constant.sval !== undefined) return constant.sval.sval ?? '';
    if (constant.ival !== undefined) return String(constant.ival.ival ?? 0);
    if (constant.fval !== undefined) return constant.fval.fval ?? '0';
    if (constant.boolval !== undefined) return constant.boolval.boolval ? 'on' : 'off';
  }
  if ('TypeCast' in node && node.TypeCast.arg !== undefined) return settingArgText(node.TypeCast.arg);
  const text = stringValue(node);
  if (text !== undefined) return text;
  throw new SqlError(SqlState.syntaxError, 'invalid value for SET');
}

export function bindSet(statement: VariableSetStmt): BoundStatement {
  const name = (statement.name ?? '').toLowerCase();
  const local = statement.is_local ?? false;
  switch (statement.kind) {
    case 'VAR_SET_VALUE': {
      const args = (statement.args ?? []).map(settingArgText);
      return { kind: 'Set', name, value: args.join(', '), local };
    }
    case 'VAR_SET_DEFAULT':
    case 'VAR_RESET':
      return { kind: 'Set', name, value: null, local };
    case 'VAR_RESET_ALL':
      return { kind: 'ResetAll' };
    case 'VAR_SET_MULTI':
      // SET TRANSACTION ... / SET SESSION CHARACTERISTICS: isolation is always serializable-by-commit-order.
      return { kind: 'NoOp', tag: 'SET' };
    default:
      throw notSupported(`SET ${name} FROM CURRENT is not supported`);
  }
}

export function bindTransaction(statement: TransactionStmt): BoundStatement {
  const savepoint = statement.savepoint_name;
  switch (statement.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return { kind: 'Transaction', action: 'begin' };
    case 'TRANS_STMT_COMMIT':
      return { kind: 'Transaction', action: 'commit' };
    case 'TRANS_STMT_ROLLBACK':
      return { kind: 'Transaction', action: 'rollback' };
    case 'TRANS_STMT_SAVEPOINT':
      return { kind: 'Transaction', action: 'savepoint', savepoint: savepoint ?? '' };
    case 'TRANS_STMT_RELEASE':
      return { kind: 'Transaction', action: 'release', savepoint: savepoint ?? '' };
    case 'TRANS_STMT_ROLLBACK_TO':
      return { kind: 'Transaction', action: 'rollbackTo', savepoint: savepoint ?? '' };
    default:
      throw notSupported('two-phase commit is not supported');
  }
}

function objectNames(node: Node): string[] {
  if ('List' in node) return (node.List.items ?? []).map((item) => stringValue(item) ?? '');
  const single = stringValue(node);
  return single === undefined ? [] : [single];
}

export function bindDrop(statement: DropStmt, catalog: CatalogReader): BoundStatement {
  const missingOk = statement.missing_ok ?? false;
  const cascade = statement.behavior === 'DROP_CASCADE';
  switch (statement.removeType) {
    case 'OBJECT_TABLE':
      return bindDropTables(statement.objects ?? [], missingOk, catalog, false, cascade);
    case 'OBJECT_MATVIEW':
      return bindDropTables(statement.objects ?? [], missingOk, catalog, true, cascade);
    case 'OBJECT_INDEX':
      return bindDropIndexes(statement, catalog);
    case 'OBJECT_SCHEMA':
      return { kind: 'DropSchemas', names: (statement.objects ?? []).map((node) => stringValue(node) ?? ''), missingOk, cascade };
    default:
      throw notSupported(`DROP ${String(statement.removeType).replace('OBJECT_', '')} is not supported`);
  }
}

function bindDropTables(objects: readonly Node[], missingOk: boolean, catalog: CatalogReader, views: boolean, cascade: boolean): BoundStatement {
  const targets: { tableOid: number; partitionId: number | null }[] = [];
  const what = views ? 'materialized view' : 'table';
  for (const object of objects) {
    const names = objectNames(object);
    const name = names[names.length - 1] ?? '';
    const schema = names.length > 1 ? names[names.length - 2] ?? null : null;
    const relation = catalog.relation(schema, name);
    if (relation === undefined) {
      if (missingOk) continue;
      throw new SqlError(SqlState.undefinedTable, `${what} "${name}" does not exist`);
    }
    if ((relation.table.view !== undefined) !== views) {
      throw new SqlError(SqlState.wrongObjectType, `"${name}" is not a ${what}`,
        { hint: views ? 'Use DROP TABLE to remove a table.' : 'Use DROP MATERIALIZED VIEW to remove a materialized view.' });
    }
    targets.push({ tableOid: relation.table.oid, partitionId: relation.partition?.id ?? null });
  }
  const dependents = catalog.viewsReading?.(targets.map((target) => target.tableOid)) ?? [];
  for (const view of dependents) {
    if (targets.some((target) => target.tableOid === view.oid)) continue;
    if (!cascade) {
      const input = targets.find((target) => view.view?.inputs.includes(target.tableOid) === true || view.view?.target === target.tableOid);
      const inputName = catalog.relationByOid?.(input?.tableOid ?? 0)?.name ?? '';
      throw new SqlError(SqlState.dependentObjectsStillExist, `cannot drop ${what} ${inputName} because other objects depend on it`,
        { detail: `materialized view ${view.name} depends on table ${inputName}`, hint: 'Use DROP ... CASCADE to drop the dependent objects too.' });
    }
    targets.push({ tableOid: view.oid, partitionId: null });
  }
  return { kind: 'DropTables', targets, views };
}

export function bindTruncate(statement: TruncateStmt, catalog: CatalogReader): BoundStatement {
  const tables = (statement.relations ?? []).map((node) => {
    const rangeVar = 'RangeVar' in node ? node.RangeVar : {};
    const relation = catalog.relation(rangeVar.schemaname ?? null, rangeVar.relname ?? '');
    if (relation === undefined) throw new SqlError(SqlState.undefinedTable, `relation "${rangeVar.relname ?? ''}" does not exist`);
    if (relation.partition !== null) throw notSupported('TRUNCATE of a single partition is not supported; DROP TABLE the partition');
    return relation.table;
  });
  return { kind: 'Truncate', tables };
}

export function bindAlterTable(statement: AlterTableStmt, catalog: CatalogReader): BoundStatement {
  if (statement.objtype !== 'OBJECT_TABLE') throw notSupported('only ALTER TABLE is supported');
  const relation = catalog.relation(statement.relation?.schemaname ?? null, statement.relation?.relname ?? '');
  if (relation === undefined || relation.partition !== null) {
    if (statement.missing_ok) return { kind: 'NoOp', tag: 'ALTER TABLE' };
    throw new SqlError(SqlState.undefinedTable, `relation "${statement.relation?.relname ?? ''}" does not exist`);
  }
  const commands = statement.cmds ?? [];
  const command = commands[0];
  if (commands.length !== 1 || command === undefined || !('AlterTableCmd' in command)) {
    throw notSupported('ALTER TABLE supports one ADD COLUMN at a time');
  }
  const alter = command.AlterTableCmd;
  if (alter.subtype !== 'AT_AddColumn') throw notSupported('ALTER TABLE supports only ADD COLUMN');
  const definition = alter.def !== undefined && 'ColumnDef' in alter.def ? alter.def.ColumnDef : undefined;
  if (definition === undefined) throw new SqlError(SqlState.syntaxError, 'ADD COLUMN needs a column definition');
  if ((definition.constraints ?? []).length > 0) {
    throw notSupported('added columns must be nullable and have no constraints or defaults');
  }
  const type = bindTypeName(definition.typeName ?? {});
  return {
    kind: 'AddColumn', tableOid: relation.table.oid, ifNotExists: alter.missing_ok ?? false,
    column: { name: definition.colname ?? '', type, nullable: true },
  };
}
