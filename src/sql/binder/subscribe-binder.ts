// SUBSCRIBE and cursors: the options the extension front took out of the text (extension-front.ts)
// become SubscribeOptions; DECLARE / FETCH / MOVE / CLOSE become cursor statements. A subscription
// keeps its query unoptimized: the streaming planner (exec/stream) makes its own choices.

import type { ClosePortalStmt, DeclareCursorStmt, FetchStmt } from 'libpg-query';
import { SqlError, SqlState, notSupported, syntaxError } from '../../common/errors.js';
import { Types } from '../../common/types.js';
import { parseText } from '../../common/value-text.js';
import type {
  BoundClosePortal, BoundFetch, BoundQuery, BoundStatement, BoundSubscribe, CopyFormatOptions, OutputColumn, SubscribeOptions, SubscribeStart,
} from '../bound-statement.js';
import type { ExtensionOption } from '../parser.js';

const cursorOptionHold = 0x20;
const cursorOptionScroll = 0x02;
const fetchAll = 2147483647;

function column(name: string, type: OutputColumn['type']): OutputColumn {
  return { name, type, tableOid: 0, columnNumber: 0 };
}

export function subscribeColumns(query: BoundQuery, options: SubscribeOptions): OutputColumn[] {
  return [
    column('_change_type', Types.text),
    column('_commit_timestamp', Types.timestamptz),
    ...query.columns,
    ...(options.progress ? [column('_resume_token', Types.text)] : []),
  ];
}

export function bindSubscribe(query: BoundQuery, options: readonly ExtensionOption[], timeZone: string,
  copy: CopyFormatOptions | null): BoundSubscribe {
  const bound = bindSubscribeOptions(options, timeZone);
  return { kind: 'Subscribe', query, options: bound, copy, columns: subscribeColumns(query, bound) };
}

function optionBoolean(option: ExtensionOption): boolean {
  if (option.value === null) return true;
  const text = option.value.toLowerCase();
  if (['true', 'on', '1', 'yes', 't'].includes(text)) return true;
  if (['false', 'off', '0', 'no', 'f'].includes(text)) return false;
  throw new SqlError(SqlState.invalidParameterValue, `${option.name} requires a Boolean value`, { position: option.position });
}

export function bindSubscribeOptions(options: readonly ExtensionOption[], timeZone: string): SubscribeOptions {
  let snapshot: boolean | undefined;
  let start: SubscribeStart | undefined;
  let progress = false;
  const seen = new Set<string>();
  for (const option of options) {
    const name = option.name.toLowerCase();
    if (seen.has(name)) throw new SqlError(SqlState.syntaxError, `conflicting or redundant options: ${name}`, { position: option.position });
    seen.add(name);
    switch (name) {
      case 'snapshot': snapshot = optionBoolean(option); break;
      case 'progress': progress = optionBoolean(option); break;
      case 'start': start = bindStart(option, timeZone); break;
      default:
        throw new SqlError(SqlState.syntaxError, `unrecognized SUBSCRIBE option "${option.name}"`,
          { position: option.position, hint: 'Valid options are snapshot, start and progress.' });
    }
  }
  return { snapshot: snapshot ?? true, start: start ?? { kind: 'latest' }, progress };
}

/** Resume tokens start with this text; anything else is a keyword or a timestamp. */
export const resumeTokenPrefix = 'sluice:';

function bindStart(option: ExtensionOption, timeZone: string): SubscribeStart {
  const value = option.value;
  if (value === null) throw new SqlError(SqlState.syntaxError, 'option "start" needs a value', { position: option.position });
  const lower = value.trim().toLowerCase();
  if (lower === 'earliest') return { kind: 'earliest' };
  if (lower === 'latest') return { kind: 'latest' };
  if (value.startsWith(resumeTokenPrefix)) return { kind: 'token', token: value };
  try {
    return { kind: 'timestamp', micros: parseText(Types.timestamptz, value, timeZone) as bigint };
  } catch {
    throw new SqlError(SqlState.invalidParameterValue, `invalid value for option "start": "${value}"`,
      { position: option.position, hint: "Use 'earliest', 'latest', a timestamp, or a resume token from a progress row." });
  }
}

export function bindDeclareCursor(statement: DeclareCursorStmt, query: BoundStatement): BoundStatement {
  const name = statement.portalname ?? '';
  const optionBits = statement.options ?? 0;
  if ((optionBits & cursorOptionScroll) !== 0) throw notSupported('SCROLL cursors are not supported');
  if (query.kind !== 'Query' && query.kind !== 'Subscribe') throw syntaxError('DECLARE CURSOR needs a SELECT or SUBSCRIBE query');
  return { kind: 'DeclareCursor', name, hold: (optionBits & cursorOptionHold) !== 0, query };
}

export function bindFetch(statement: FetchStmt, options: readonly ExtensionOption[]): BoundFetch {
  const direction = statement.direction ?? 'FETCH_FORWARD';
  const howMany = Number(statement.howMany ?? 1);
  const word = statement.ismove === true ? 'MOVE' : 'FETCH';
  if (direction !== 'FETCH_FORWARD') {
    throw new SqlError(SqlState.objectNotInPrerequisiteState, 'cursor can only scan forward',
      { hint: 'Declare it with SCROLL option to enable backward scan.' });
  }
  if (howMany === 0) throw notSupported(`${word} 0 (re-reading the current row) is not supported`);
  let timeoutMs: number | null = null;
  for (const option of options) {
    if (option.name.toLowerCase() !== 'timeout') {
      throw new SqlError(SqlState.syntaxError, `unrecognized ${word} option "${option.name}"`, { position: option.position, hint: 'The valid option is timeout.' });
    }
    timeoutMs = parseTimeout(option);
  }
  return { kind: 'Fetch', name: statement.portalname ?? '', count: howMany >= fetchAll ? null : howMany, move: statement.ismove === true, timeoutMs };
}

const timeoutUnits: Record<string, number> = {
  '': 1000, ms: 1, msec: 1, millisecond: 1, milliseconds: 1, s: 1000, sec: 1000, second: 1000, seconds: 1000, min: 60_000, minute: 60_000, minutes: 60_000,
};

/** `'1s'`, `'250ms'`, `'2 seconds'`, `'0'`; a bare number is seconds, as in an interval. */
function parseTimeout(option: ExtensionOption): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(option.value ?? '');
  const unit = match === null ? undefined : timeoutUnits[(match[2] ?? '').toLowerCase()];
  if (match === null || unit === undefined) {
    throw new SqlError(SqlState.invalidParameterValue, `invalid value for option "timeout": "${option.value ?? ''}"`,
      { position: option.position, hint: "Give a duration such as '1s' or '250ms'." });
  }
  return Math.round(Number(match[1]) * unit);
}

export function bindClosePortal(statement: ClosePortalStmt): BoundClosePortal {
  return { kind: 'ClosePortal', name: statement.portalname ?? null };
}
