// SQL identifiers as text: quoting a name the way PostgreSQL's quote_ident and reg* output do, and
// reading a possibly qualified, possibly quoted name (`public."Orders"`) the way reg* input does.

import { SqlError, SqlState } from './errors.js';

/** Reserved keywords that quote_ident must quote even when they look like plain identifiers. */
const reservedKeywords = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'authorization', 'binary', 'both',
  'case', 'cast', 'check', 'collate', 'collation', 'column', 'concurrently', 'constraint', 'create', 'cross',
  'current_catalog', 'current_date', 'current_role', 'current_schema', 'current_time', 'current_timestamp',
  'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for',
  'foreign', 'freeze', 'from', 'full', 'grant', 'group', 'having', 'ilike', 'in', 'initially', 'inner', 'intersect',
  'into', 'is', 'isnull', 'join', 'lateral', 'leading', 'left', 'like', 'limit', 'localtime', 'localtimestamp',
  'natural', 'not', 'notnull', 'null', 'offset', 'on', 'only', 'or', 'order', 'outer', 'overlaps', 'placing',
  'primary', 'references', 'returning', 'right', 'select', 'session_user', 'similar', 'some', 'symmetric',
  'system_user', 'table', 'tablesample', 'then', 'to', 'trailing', 'true', 'union', 'unique', 'user', 'using',
  'variadic', 'verbose', 'when', 'where', 'window', 'with',
]);

/** The identifier as SQL text: unchanged when it reads back as itself, else double-quoted. */
export function quoteIdentifier(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !reservedKeywords.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** `a.b."C"` → ['a', 'b', 'C']: unquoted parts fold to lower case. 42602 on malformed text. */
export function parseQualifiedName(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  const invalid = (): SqlError => new SqlError(SqlState.invalidName, `invalid name syntax`);
  const source = text.trim();
  while (i <= source.length) {
    if (source[i] === '"') {
      let part = '';
      i++;
      for (;;) {
        if (i >= source.length) throw invalid();
        if (source[i] === '"') {
          if (source[i + 1] === '"') { part += '"'; i += 2; continue; }
          i++;
          break;
        }
        part += source[i++];
      }
      if (part === '') throw invalid();
      parts.push(part);
    } else {
      const start = i;
      while (i < source.length && source[i] !== '.') i++;
      const part = source.slice(start, i).trim();
      if (part === '' || /\s|"/.test(part)) throw invalid();
      parts.push(part.toLowerCase());
    }
    if (i >= source.length) break;
    if (source[i] !== '.') throw invalid();
    i++;
  }
  return parts;
}
