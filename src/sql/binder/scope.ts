// The names visible to an expression: the columns of the operator's input row, each with the
// qualifier (table name or alias) it can be referred to by. Hidden columns (_bucket, _offset, ...)
// resolve by name but are not part of `*`.

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
}

export class Scope {
  static readonly empty = new Scope([]);

  constructor(readonly columns: readonly ScopeColumn[]) {}

  /** Resolves `name` or `qualifier.name`; 42703 when absent, 42702 when ambiguous. */
  resolve(qualifier: string | null, name: string, position: number | undefined): ScopeColumn {
    const matches = this.columns.filter(
      (column) => column.name === name && (qualifier === null || column.qualifier === qualifier),
    );
    const at = position === undefined ? {} : { position };
    if (matches.length === 1 && matches[0] !== undefined) return matches[0];
    if (matches.length > 1) throw new SqlError(SqlState.ambiguousColumn, `column reference "${name}" is ambiguous`, at);
    if (qualifier !== null && !this.columns.some((column) => column.qualifier === qualifier)) {
      throw new SqlError(SqlState.undefinedTable, `missing FROM-clause entry for table "${qualifier}"`, at);
    }
    const shown = qualifier === null ? `"${name}"` : `${qualifier}.${name}`;
    throw new SqlError(SqlState.undefinedColumn, `column ${shown} does not exist`, at);
  }

  /** Columns `*` (or `qualifier.*`) expands to. */
  star(qualifier: string | null, position: number | undefined): ScopeColumn[] {
    const visible = this.columns.filter((column) => !column.hidden && (qualifier === null || column.qualifier === qualifier));
    if (qualifier !== null && visible.length === 0 && !this.columns.some((column) => column.qualifier === qualifier)) {
      throw new SqlError(SqlState.undefinedTable, `missing FROM-clause entry for table "${qualifier}"`, position === undefined ? {} : { position });
    }
    if (qualifier === null && this.columns.length === 0) {
      throw new SqlError(SqlState.syntaxError, 'SELECT * with no tables specified is not valid', position === undefined ? {} : { position });
    }
    return visible;
  }
}
