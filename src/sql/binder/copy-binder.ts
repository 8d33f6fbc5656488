// COPY: `COPY t [(cols)] FROM STDIN` and `COPY t | (query) TO STDOUT`, with PostgreSQL's options
// (FORMAT text|csv|binary, HEADER, DELIMITER, NULL, QUOTE, ESCAPE, ENCODING). Server-side files and
// programs are refused: the data travels over the connection (psql's \copy does exactly this).

import type { CopyStmt, DefElem, Node } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import type { BoundCopyFrom, BoundCopyTo, CopyFormatOptions } from '../bound-statement.js';
import type { CatalogReader } from '../catalog-reader.js';
import { stringValue, type ExprBinderContext } from './expr-binder.js';
import { bindSelect } from './select-binder.js';
import { bindTableRef, requireWritable } from './table-binder.js';

function invalid(message: string): SqlError {
  return new SqlError(SqlState.invalidParameterValue, message);
}

function optionText(element: DefElem): string | null {
  const arg = element.arg;
  if (arg === undefined) return null;
  if ('String' in arg) return arg.String.sval ?? '';
  if ('Integer' in arg) return String(arg.Integer.ival ?? 0);
  if ('Boolean' in arg) return arg.Boolean.boolval ? 'true' : 'false';
  if ('A_Star' in arg) return '*';
  return stringValue(arg) ?? null;
}

function booleanOption(name: string, text: string | null): boolean {
  if (text === null) return true;
  const lower = text.toLowerCase();
  if (['true', 'on', '1', 'yes'].includes(lower)) return true;
  if (['false', 'off', '0', 'no'].includes(lower)) return false;
  throw invalid(`${name} requires a Boolean value`);
}

function singleCharacter(name: string, text: string | null): string {
  if (text === null || [...text].length !== 1) throw invalid(`COPY ${name} must be a single one-byte character`);
  return text;
}

export function bindCopyOptions(nodes: readonly Node[]): CopyFormatOptions {
  let format: CopyFormatOptions['format'] = 'text';
  const given = new Map<string, string | null>();
  for (const node of nodes) {
    if (!('DefElem' in node)) continue;
    const name = (node.DefElem.defname ?? '').toLowerCase();
    if (given.has(name)) throw new SqlError(SqlState.syntaxError, 'conflicting or redundant options');
    given.set(name, optionText(node.DefElem));
  }
  const formatText = given.get('format');
  if (formatText !== undefined) {
    const lower = (formatText ?? '').toLowerCase();
    if (lower !== 'text' && lower !== 'csv' && lower !== 'binary') throw invalid(`COPY format "${formatText}" not recognized`);
    format = lower;
  }
  const csv = format === 'csv';
  const options = {
    format,
    delimiter: csv ? ',' : '\t',
    nullString: csv ? '' : '\\N',
    header: false,
    quote: '"',
    escape: '"',
  };
  for (const [name, text] of given) {
    switch (name) {
      case 'format': break;
      case 'header':
        if (text !== null && text.toLowerCase() === 'match') options.header = true;
        else options.header = booleanOption('header', text);
        if (options.header && format !== 'csv' && format !== 'text') throw notSupported('COPY HEADER available only in CSV and text mode');
        break;
      case 'delimiter': options.delimiter = singleCharacter('delimiter', text); break;
      case 'null': options.nullString = text ?? ''; break;
      case 'quote': if (!csv) throw notSupported('COPY QUOTE requires CSV mode'); options.quote = singleCharacter('quote', text); break;
      case 'escape': if (!csv) throw notSupported('COPY ESCAPE requires CSV mode'); options.escape = singleCharacter('escape', text); break;
      case 'encoding':
        if (!/^utf-?8$/i.test(text ?? '')) throw notSupported('COPY supports only the UTF8 encoding');
        break;
      case 'freeze': booleanOption('freeze', text); break;
      default: throw new SqlError(SqlState.syntaxError, `option "${name}" not recognized`);
    }
  }
  if (format === 'binary' && (given.has('delimiter') || given.has('null'))) {
    throw new SqlError(SqlState.syntaxError, 'cannot specify DELIMITER or NULL in BINARY mode');
  }
  return options;
}

export function bindCopy(statement: CopyStmt, context: ExprBinderContext, catalog: CatalogReader): BoundCopyFrom | BoundCopyTo {
  if (statement.filename !== undefined || statement.is_program) {
    throw new SqlError(SqlState.insufficientPrivilege, 'COPY to or from a file or program is not supported',
      { hint: 'Use COPY ... FROM STDIN or TO STDOUT, or psql\'s \\copy.' });
  }
  if (statement.whereClause !== undefined) throw notSupported('COPY FROM ... WHERE is not supported');
  const options = bindCopyOptions(statement.options ?? []);
  if (statement.query !== undefined) {
    if (statement.is_from) throw new SqlError(SqlState.syntaxError, 'COPY (query) FROM is not valid');
    const select = 'SelectStmt' in statement.query ? statement.query.SelectStmt : undefined;
    if (select === undefined) throw notSupported('COPY (statement) TO supports only SELECT');
    const query = bindSelect(select, context, catalog);
    return { kind: 'CopyTo', plan: query.plan, columns: query.columns, options };
  }
  const relation = statement.relation ?? {};
  const ref = bindTableRef(relation, catalog, context.source.positionOfByte(relation.location));
  if (statement.is_from) requireWritable(ref, context.source.positionOfByte(relation.location));
  const table = ref.scan.table;
  const names = table.schema.columns.map((column) => column.name);
  const attributes = (statement.attlist ?? []).map((node) => stringValue(node) ?? '');
  const targetColumns = attributes.length === 0 ? names.map((_, i) => i) : attributes.map((name) => {
    const index = names.indexOf(name);
    if (index < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`);
    return index;
  });
  if (new Set(targetColumns).size !== targetColumns.length) throw new SqlError(SqlState.duplicateColumn, 'column specified more than once');
  if (statement.is_from) {
    if (ref.scan.changelog) throw new SqlError(SqlState.wrongObjectType, 'cannot copy into a changelog');
    return { kind: 'CopyFrom', table, partition: ref.scan.partition, targetColumns, options };
  }
  const columns = targetColumns.map((index) => ref.columns[index]).filter((column) => column !== undefined).map((column) => ({
    name: column.name, type: column.type, tableOid: column.tableOid, columnNumber: column.columnNumber,
  }));
  const exprs = targetColumns.map((index) => ({ kind: 'Column' as const, type: ref.columns[index]?.type ?? { name: 'text' as const }, index, name: names[index] ?? '' }));
  return { kind: 'CopyTo', plan: { kind: 'Project', input: ref.scan, exprs }, columns, options };
}
