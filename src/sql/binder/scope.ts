// The names visible to an expression: the columns of the operator's input row, each with the
// qualifier (table name or alias) it can be referred to by. Hidden columns (_bucket, _offset, ...)
// resolve by name but are not part of `*`. The two columns a JOIN ... USING merges stay reachable
// by their qualified names only (`t1.a`), as in PostgreSQL; the merged column answers to `a`.

import { SqlError, SqlState } from '../../common/errors.js';
import type { DataType } from '../../common/types.js';

export interface ScopeColumn {
  readonly qualifier: string | null;
  readonly name: string;
  readonly type: DataType;
  /** Position of the column in the input row. */
  readonly index: number;
  readonly hidden: boolean;
  readonly tableOid: number;
  readonly columnNumber: number;
  /** Resolves only as `qualifier.name` and is left out of an unqualified `*` (USING/NATURAL inputs). */
  readonly qualifiedOnly?: boolean;
}

export class Scope {
  static readonly empty = new Scope([]);

  constructor(readonly columns: readonly ScopeColumn[]) {}

  /** The column `name` or `qualifier.name` names; undefined when none; 42702 when ambiguous. */
  find(qualifier: string | null, name: string, position: number | undefined): ScopeColumn | undefined {
    const matches = this.columns.filter((column) => column.name === name
      && (qualifier === null ? column.qualifiedOnly !== true : column.qualifier === qualifier));
    if (matches.length > 1) {
      throw new SqlError(SqlState.ambiguousColumn, `column reference "${name}" is ambiguous`, position === undefined ? {} : { position });
    }
    return matches[0];
  }

  hasQualifier(qualifier: string): boolean {
    return this.columns.some((column) => column.qualifier === qualifier);
  }

  /** Resolves `name` or `qualifier.name`; 42703 when absent, 42702 when ambiguous. */
  resolve(qualifier: string | null, name: string, position: number | undefined): ScopeColumn {
    const found = this.find(qualifier, name, position);
    if (found !== undefined) return found;
    throw this.notFound(qualifier, name, position);
  }

  /** The error for a name that no scope in reach resolves. */
  notFound(qualifier: string | null, name: string, position: number | undefined): SqlError {
    const at = position === undefined ? {} : { position };
    if (qualifier !== null && !this.hasQualifier(qualifier)) {
      return new SqlError(SqlState.undefinedTable, `missing FROM-clause entry for table "${qualifier}"`, at);
    }
    const shown = qualifier === null ? `"${name}"` : `${qualifier}.${name}`;
    return new SqlError(SqlState.undefinedColumn, `column ${shown} does not exist`, at);
  }

  /** Columns `*` (or `qualifier.*`) expands to. */
  star(qualifier: string | null, position: number | undefined): ScopeColumn[] {
    const visible = this.columns.filter((column) => !column.hidden
      && (qualifier === null ? column.qualifiedOnly !== true : column.qualifier === qualifier));
    if (qualifier !== null && visible.length === 0 && !this.hasQualifier(qualifier)) {
      throw new SqlError(SqlState.undefinedTable, `missing FROM-clause entry for table "${qualifier}"`, position === undefined ? {} : { position });
    }
    if (qualifier === null && this.columns.length === 0) {
      throw new SqlError(SqlState.syntaxError, 'SELECT * with no tables specified is not valid', position === undefined ? {} : { position });
    }
    return visible;
  }

  /** The name EXPLAIN prints for each position of the row (`t.a`), '?' where no column names it. */
  labels(width: number): string[] {
    const labels = new Array<string>(width).fill('?');
    for (const column of [...this.columns].reverse()) {
      if (column.index < width && column.qualifiedOnly !== true) labels[column.index] = column.qualifier === null ? column.name : `${column.qualifier}.${column.name}`;
    }
    for (const column of this.columns) {
      if (column.index < width && labels[column.index] === '?') labels[column.index] = column.qualifier === null ? column.name : `${column.qualifier}.${column.name}`;
    }
    return labels;
  }
}
