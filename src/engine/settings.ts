// Session settings (GUCs): defaults, validation of SET values, SHOW, and which settings are
// reported to the client as ParameterStatus. Unknown names are 42704 unless they are qualified
// (`execution.runtime_mode`), which PostgreSQL accepts as custom placeholders.

import { SqlError, SqlState } from '../common/errors.js';

export const serverVersion = '15.0';
export const serverVersionNum = '150000';
export const sluiceVersion = '0.1.0';

interface SettingDef {
  readonly defaultValue: string;
  readonly reported?: boolean;
  /** Canonical spelling of the name (ParameterStatus uses it). */
  readonly display?: string;
  readonly normalize?: (value: string) => string;
  readonly readOnly?: boolean;
  readonly description: string;
}

function onOff(name: string): (value: string) => string {
  return (value) => {
    const lower = value.trim().toLowerCase();
    if (['on', 'true', 'yes', '1', 't', 'y'].includes(lower)) return 'on';
    if (['off', 'false', 'no', '0', 'f', 'n'].includes(lower)) return 'off';
    throw new SqlError(SqlState.invalidParameterValue, `parameter "${name}" requires a Boolean value`);
  };
}

function oneOf(name: string, allowed: readonly string[], canonical: (v: string) => string = (v) => v): (value: string) => string {
  return (value) => {
    const normalized = canonical(value.trim());
    if (!allowed.some((option) => option.toLowerCase() === normalized.toLowerCase())) {
      throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`,
        { hint: `Available values: ${allowed.join(', ')}.` });
    }
    return allowed.find((option) => option.toLowerCase() === normalized.toLowerCase()) ?? normalized;
  };
}

function integer(name: string): (value: string) => string {
  return (value) => {
    if (!/^\s*-?\d+\s*(ms|s|min|h|d|kB|MB|GB)?\s*$/i.test(value)) {
      throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`);
    }
    return value.trim();
  };
}

function timeZone(value: string): string {
  const trimmed = value.trim();
  const upper = trimmed.toUpperCase();
  if (upper === 'UTC' || upper === 'GMT' || upper === 'Z' || upper === 'ZULU' || upper === 'LOCAL' || upper === 'DEFAULT') return 'UTC';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "TimeZone": "${value}"`);
  }
}

function dateStyle(value: string): string {
  const parts = value.split(',').map((part) => part.trim().toLowerCase());
  const styles: Record<string, string> = { iso: 'ISO' };
  const orders: Record<string, string> = { mdy: 'MDY', dmy: 'DMY', ymd: 'YMD', us: 'MDY', european: 'DMY', euro: 'DMY', nonEuropean: 'MDY' };
  let style = 'ISO';
  let order = 'MDY';
  for (const part of parts) {
    if (styles[part] !== undefined) style = styles[part] ?? style;
    else if (orders[part] !== undefined) order = orders[part] ?? order;
    else throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "DateStyle": "${value}"`,
      { detail: 'Sluice supports only the ISO output style.' });
  }
  return `${style}, ${order}`;
}

const definitions: Readonly<Record<string, SettingDef>> = {
  server_version: { defaultValue: serverVersion, reported: true, readOnly: true, description: 'Server version (PostgreSQL protocol compatibility level).' },
  server_version_num: { defaultValue: serverVersionNum, readOnly: true, description: 'Server version as an integer.' },
  server_encoding: { defaultValue: 'UTF8', reported: true, readOnly: true, description: 'Server character set encoding.' },
  client_encoding: { defaultValue: 'UTF8', reported: true, normalize: oneOf('client_encoding', ['UTF8'], (v) => v.replace(/^utf-?8$/i, 'UTF8').replace(/^unicode$/i, 'UTF8')), description: 'Client character set encoding.' },
  datestyle: { defaultValue: 'ISO, MDY', reported: true, display: 'DateStyle', normalize: dateStyle, description: 'Display format for date and time values.' },
  intervalstyle: { defaultValue: 'postgres', reported: true, display: 'IntervalStyle', normalize: oneOf('IntervalStyle', ['postgres']), description: 'Display format for interval values.' },
  timezone: { defaultValue: 'UTC', reported: true, display: 'TimeZone', normalize: timeZone, description: 'Time zone for displaying and interpreting time stamps.' },
  integer_datetimes: { defaultValue: 'on', reported: true, readOnly: true, description: 'Datetimes are integer based.' },
  standard_conforming_strings: { defaultValue: 'on', reported: true, normalize: oneOf('standard_conforming_strings', ['on']), description: "Backslashes in '...' strings are literal." },
  application_name: { defaultValue: '', reported: true, description: 'Application name reported by the client.' },
  is_superuser: { defaultValue: 'on', reported: true, readOnly: true, description: 'Whether the current user is a superuser.' },
  session_authorization: { defaultValue: '', reported: true, readOnly: true, description: 'Session user name.' },
  default_transaction_read_only: { defaultValue: 'off', reported: true, normalize: onOff('default_transaction_read_only'), description: 'Default read-only status of new transactions.' },
  in_hot_standby: { defaultValue: 'off', reported: true, readOnly: true, description: 'Whether this server is a standby.' },
  search_path: { defaultValue: '"$user", public', description: 'Schema search order for names that are not schema-qualified.' },
  extra_float_digits: { defaultValue: '1', normalize: integer('extra_float_digits'), description: 'Extra digits displayed for floating-point values.' },
  statement_timeout: { defaultValue: '0', normalize: integer('statement_timeout'), description: 'Maximum allowed duration of any statement.' },
  lock_timeout: { defaultValue: '0', normalize: integer('lock_timeout'), description: 'Maximum allowed duration of any wait for a lock.' },
  idle_in_transaction_session_timeout: { defaultValue: '0', normalize: integer('idle_in_transaction_session_timeout'), description: 'Maximum idle time within a transaction.' },
  client_min_messages: { defaultValue: 'notice', normalize: oneOf('client_min_messages', ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error']), description: 'Message levels sent to the client.' },
  bytea_output: { defaultValue: 'hex', normalize: oneOf('bytea_output', ['hex']), description: 'Output format for bytea.' },
  transaction_isolation: { defaultValue: 'serializable', readOnly: true, description: 'Transaction isolation level (writes apply atomically in one commit order).' },
  default_transaction_isolation: { defaultValue: 'serializable', normalize: (v) => v, description: 'Default isolation level of new transactions.' },
  transaction_read_only: { defaultValue: 'off', readOnly: true, description: 'Whether the current transaction is read-only.' },
  max_identifier_length: { defaultValue: '63', readOnly: true, description: 'Maximum identifier length.' },
  max_index_keys: { defaultValue: '32', readOnly: true, description: 'Maximum number of index keys (JDBC reads it before listing foreign keys).' },
  lc_messages: { defaultValue: 'C', normalize: (v) => v, description: 'Language of messages.' },
  lc_monetary: { defaultValue: 'C', normalize: (v) => v, description: 'Locale for formatting monetary amounts.' },
  lc_numeric: { defaultValue: 'C', normalize: (v) => v, description: 'Locale for formatting numbers.' },
  lc_time: { defaultValue: 'C', normalize: (v) => v, description: 'Locale for formatting date and time values.' },
  lc_collate: { defaultValue: 'C', readOnly: true, description: 'Collation order locale.' },
  lc_ctype: { defaultValue: 'C', readOnly: true, description: 'Character classification locale.' },
  jit: { defaultValue: 'off', normalize: onOff('jit'), description: 'Accepted for compatibility.' },
  synchronous_commit: { defaultValue: 'on', normalize: oneOf('synchronous_commit', ['on', 'off', 'local', 'remote_write', 'remote_apply']), description: 'Accepted for compatibility; writes are always durable when acknowledged.' },
  row_security: { defaultValue: 'on', normalize: onOff('row_security'), description: 'Accepted for compatibility.' },
  max_connections: { defaultValue: '1000', readOnly: true, description: 'Maximum number of concurrent connections.' },
  block_size: { defaultValue: '8192', readOnly: true, description: 'Shows the size of a disk block.' },
  'execution.runtime_mode': { defaultValue: 'batch', normalize: oneOf('execution.runtime_mode', ['batch', 'streaming']), description: "'streaming' runs a SELECT over a table as a continuous query (SUBSCRIBE)." },
};

function definitionOf(name: string): SettingDef | undefined {
  return definitions[name.toLowerCase()];
}

export class Settings {
  private readonly values = new Map<string, string>();
  /** Values to restore at the end of the transaction, for SET LOCAL. */
  private localUndo: Map<string, string | undefined> | undefined;
  private changed = new Set<string>();
  /** Goes up whenever a value changes (what was bound under the settings may be bound again). */
  version = 0;
  /** reported() answer, kept until a setting changes (the wire layer asks after every statement). */
  private reportedCache: Map<string, string> | undefined;

  constructor(initial: ReadonlyMap<string, string>, user: string) {
    this.values.set('session_authorization', user);
    for (const [name, value] of initial) {
      try {
        this.set(name, value, false);
      } catch {
        // Startup settings that do not validate are ignored, as they would be warned about.
      }
    }
    this.changed.clear();
  }

  get(name: string): string | undefined {
    const key = name.toLowerCase();
    return this.values.get(key) ?? definitionOf(key)?.defaultValue;
  }

  /** SHOW: 42704 for an unknown setting. */
  show(name: string): string {
    const value = this.get(name);
    if (value === undefined) {
      throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
    }
    return value;
  }

  set(name: string, value: string | null, local: boolean, inTransaction = false): void {
    const key = name.toLowerCase();
    const definition = definitionOf(key);
    if (definition === undefined && !key.includes('.')) {
      throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
    }
    if (definition?.readOnly) {
      throw new SqlError(SqlState.cantChangeRuntimeParam, `parameter "${name}" cannot be changed`);
    }
    const next = value === null ? undefined : definition?.normalize ? definition.normalize(value) : value;
    if (local && inTransaction) {
      this.localUndo ??= new Map();
      if (!this.localUndo.has(key)) this.localUndo.set(key, this.values.get(key));
    }
    if (next === undefined) this.values.delete(key);
    else this.values.set(key, next);
    this.changed.add(key);
    this.reportedCache = undefined;
    this.version++;
  }

  resetAll(): void {
    for (const key of [...this.values.keys()]) {
      if (definitionOf(key)?.readOnly) continue;
      this.values.delete(key);
      this.changed.add(key);
      this.reportedCache = undefined;
      this.version++;
    }
  }

  /** End of transaction: SET LOCAL values revert. */
  endTransaction(): void {
    if (this.localUndo === undefined) return;
    for (const [key, previous] of this.localUndo) {
      if (previous === undefined) this.values.delete(key);
      else this.values.set(key, previous);
      this.changed.add(key);
      this.reportedCache = undefined;
      this.version++;
    }
    this.localUndo = undefined;
  }

  /** Reported settings as ParameterStatus name → value. */
  reported(): Map<string, string> {
    if (this.reportedCache !== undefined) return this.reportedCache;
    const result = new Map<string, string>();
    for (const [key, definition] of Object.entries(definitions)) {
      if (definition.reported) result.set(definition.display ?? key, this.get(key) ?? '');
    }
    this.reportedCache = result;
    return result;
  }

  /** Reported settings changed since the last call (for ParameterStatus after SET). */
  takeChangedReported(): Map<string, string> {
    const result = new Map<string, string>();
    for (const key of this.changed) {
      const definition = definitionOf(key);
      if (definition?.reported) result.set(definition.display ?? key, this.get(key) ?? '');
    }
    this.changed.clear();
    return result;
  }

  /** Every setting for SHOW ALL: name, value, description. */
  all(): [string, string, string][] {
    const names = new Set([...Object.keys(definitions), ...this.values.keys()]);
    return [...names].sort().map((key) => {
      const definition = definitionOf(key);
      return [definition?.display ?? key, this.get(key) ?? '', definition?.description ?? ''];
    });
  }
}
