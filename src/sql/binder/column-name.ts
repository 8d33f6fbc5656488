// The name PostgreSQL gives an unnamed output column (FigureColname): the column or function
// name, the type of a cast, `case`, `coalesce`, and `?column?` for everything else.

import type { Node } from 'libpg-query';
import { qualifiedName, stringValue } from './expr-binder.js';

const sqlValueFunctionNames: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_DATE: 'current_date', SVFOP_CURRENT_TIME: 'current_time', SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp', SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime', SVFOP_LOCALTIME_N: 'localtime', SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp', SVFOP_CURRENT_ROLE: 'current_role', SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'current_user', SVFOP_SESSION_USER: 'session_user', SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

export function figureColumnName(node: Node | undefined): string {
  return figure(node) ?? '?column?';
}

function figure(node: Node | undefined): string | undefined {
  if (node === undefined) return undefined;
  if ('ColumnRef' in node) {
    const fields = node.ColumnRef.fields ?? [];
    const last = fields[fields.length - 1];
    return last === undefined ? undefined : stringValue(last);
  }
  if ('FuncCall' in node) return qualifiedName(node.FuncCall.funcname).pop();
  if ('TypeCast' in node) {
    const inner = figure(node.TypeCast.arg);
    if (inner !== undefined) return inner;
    const names = qualifiedName(node.TypeCast.typeName?.names);
    return names[names.length - 1];
  }
  if ('CaseExpr' in node) return figure(node.CaseExpr.defresult) ?? 'case';
  if ('CoalesceExpr' in node) return 'coalesce';
  if ('MinMaxExpr' in node) return node.MinMaxExpr.op === 'IS_GREATEST' ? 'greatest' : 'least';
  if ('SQLValueFunction' in node) return sqlValueFunctionNames[node.SQLValueFunction.op ?? ''];
  if ('A_Expr' in node && node.A_Expr.kind === 'AEXPR_NULLIF') return 'nullif';
  if ('SubLink' in node) {
    if (node.SubLink.subLinkType === 'EXISTS_SUBLINK') return 'exists';
    if (node.SubLink.subLinkType === 'ARRAY_SUBLINK') return 'array';
    if (node.SubLink.subLinkType === 'EXPR_SUBLINK') {
      const select = node.SubLink.subselect;
      const target = select !== undefined && 'SelectStmt' in select ? select.SelectStmt.targetList?.[0] : undefined;
      if (target !== undefined && 'ResTarget' in target) return target.ResTarget.name ?? figure(target.ResTarget.val);
    }
    return undefined;
  }
  if ('A_ArrayExpr' in node) return 'array';
  if ('RowExpr' in node) return 'row';
  if ('A_Indirection' in node) {
    const items = node.A_Indirection.indirection ?? [];
    const last = items[items.length - 1];
    return last !== undefined && 'String' in last ? stringValue(last) : figure(node.A_Indirection.arg);
  }
  if ('CollateClause' in node) return figure(node.CollateClause.arg);
  return undefined;
}
