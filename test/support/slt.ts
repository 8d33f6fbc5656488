// A sqllogictest runner over the wire. Records:
//   statement ok | statement error [SQLSTATE] [message regex] | query <types> [nosort|rowsort|valuesort]
//   followed by SQL up to a blank line; `query` results follow a `----` line, one row per line,
//   values separated by single spaces, NULL as NULL and the empty string as (empty).
// Results may be more than `hash-threshold` values; then the expected block is `N values hashing to <md5>`.
// Type letters: I integer, R float/numeric, B boolean, D date/time, T anything else.

import { createHash } from 'node:crypto';
import pg from 'pg';

export type Protocol = 'simple' | 'extended';

export interface SltRecord {
  readonly kind: 'statement' | 'query';
  readonly line: number;
  readonly sql: string;
  readonly expectError: { code: string | null; message: RegExp | null } | null;
  readonly types: string;
  readonly sort: 'nosort' | 'rowsort' | 'valuesort';
  readonly expected: string[];
  /** Line range of the expected block in the file (for rewriting). */
  readonly expectedLines: [number, number] | null;
}

export function parseSlt(text: string): SltRecord[] {
  const lines = text.split('\n');
  const records: SltRecord[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) { i++; continue; }
    const header = line.split(/\s+/);
    const start = i + 1;
    i++;
    const sql: string[] = [];
    while (i < lines.length && (lines[i] ?? '').trim() !== '' && (lines[i] ?? '').trim() !== '----') sql.push(lines[i++] ?? '');
    if (header[0] === 'statement') {
      records.push({ kind: 'statement', line: start, sql: sql.join('\n'), expectError: parseError(header), types: '', sort: 'nosort', expected: [], expectedLines: null });
      continue;
    }
    if (header[0] !== 'query') throw new Error(`line ${start}: unknown record "${line}"`);
    const isError = header[1] === 'error';
    const expected: string[] = [];
    let expectedLines: [number, number] | null = null;
    if ((lines[i] ?? '').trim() === '----') {
      const from = ++i;
      while (i < lines.length && (lines[i] ?? '') !== '') expected.push(lines[i++] ?? '');
      expectedLines = [from, i];
    }
    records.push({
      kind: 'query', line: start, sql: sql.join('\n'), expectError: isError ? parseError(header) : null,
      types: isError ? '' : header[1] ?? '', sort: (isError ? 'nosort' : header[2] ?? 'nosort') as SltRecord['sort'],
      expected, expectedLines,
    });
  }
  return records;
}

function parseError(header: string[]): SltRecord['expectError'] {
  if (header[1] !== 'error') return null;
  const code = header[2] !== undefined && /^[0-9A-Z]{5}$/.test(header[2]) ? header[2] : null;
  const rest = header.slice(code === null ? 2 : 3).join(' ');
  return { code, message: rest === '' ? null : new RegExp(rest) };
}

const typeLetters: Record<number, string> = { 20: 'I', 21: 'I', 23: 'I', 26: 'I', 700: 'R', 701: 'R', 1700: 'R', 16: 'B', 1082: 'D', 1114: 'D', 1184: 'D', 1083: 'D' };
const hashThreshold = 64;

function formatValue(value: unknown): string {
  if (value === null) return 'NULL';
  if (value === '') return '(empty)';
  return String(value);
}

export interface SltOutcome {
  readonly record: SltRecord;
  readonly failure: string | null;
  /** Actual result lines (for rewriting). */
  readonly actual: string[];
}

const rawTypes = { getTypeParser: () => (value: string) => value };

export async function runRecord(client: pg.Client, record: SltRecord, protocol: Protocol): Promise<SltOutcome> {
  const query: pg.QueryConfig & { rowMode: 'array'; types: typeof rawTypes; queryMode?: string } = {
    text: record.sql, rowMode: 'array', types: rawTypes, ...(protocol === 'extended' ? { queryMode: 'extended' } : {}),
  };
  let result: pg.QueryArrayResult;
  try {
    result = (await client.query(query)) as unknown as pg.QueryArrayResult;
  } catch (error) {
    const failure = checkError(record, error as pg.DatabaseError);
    return { record, failure, actual: [] };
  }
  if (record.expectError !== null) return { record, failure: `expected error ${record.expectError.code ?? ''} but the statement succeeded`, actual: [] };
  if (record.kind === 'statement') return { record, failure: null, actual: [] };
  return checkRows(record, result);
}

function checkError(record: SltRecord, error: pg.DatabaseError): string | null {
  if (record.expectError === null) return `unexpected error ${error.code ?? ''}: ${error.message}`;
  if (record.expectError.code !== null && error.code !== record.expectError.code) {
    return `expected SQLSTATE ${record.expectError.code}, got ${error.code ?? '(none)'}: ${error.message}`;
  }
  if (record.expectError.message !== null && !record.expectError.message.test(error.message)) {
    return `error message "${error.message}" does not match /${record.expectError.message.source}/`;
  }
  return null;
}

function checkRows(record: SltRecord, result: pg.QueryArrayResult): SltOutcome {
  const letters = result.fields.map((field) => typeLetters[field.dataTypeID] ?? 'T').join('');
  let rows = result.rows.map((row) => row.map(formatValue));
  if (record.sort === 'rowsort') rows = rows.map((row) => row.join(' ')).sort().map((line) => [line]);
  let lines = rows.map((row) => row.join(' '));
  if (record.sort === 'valuesort') lines = rows.flat().sort();
  const valueCount = result.rows.length * result.fields.length;
  const actual = valueCount > hashThreshold
    ? [`${valueCount} values hashing to ${createHash('md5').update(lines.join('\n') + '\n').digest('hex')}`]
    : lines;
  if (record.types !== '' && letters !== record.types) {
    return { record, failure: `expected column types ${record.types}, got ${letters}`, actual };
  }
  const same = actual.length === record.expected.length && actual.every((line, i) => line === record.expected[i]);
  const failure = same ? null : `results differ\nexpected:\n${record.expected.join('\n')}\nactual:\n${actual.join('\n')}`;
  return { record, failure, actual };
}

/** The file text with each query's expected block replaced by its actual result. */
export function rewriteSlt(text: string, outcomes: readonly SltOutcome[]): string {
  const lines = text.split('\n');
  const replacements = outcomes
    .filter((outcome) => outcome.record.kind === 'query' && outcome.record.expectError === null)
    .sort((a, b) => b.record.line - a.record.line);
  for (const { record, actual } of replacements) {
    if (record.expectedLines !== null) {
      lines.splice(record.expectedLines[0], record.expectedLines[1] - record.expectedLines[0], ...actual);
    } else {
      const end = record.line + record.sql.split('\n').length;
      lines.splice(end, 0, '----', ...actual);
    }
  }
  return lines.join('\n');
}
