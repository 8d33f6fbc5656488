// Reads a StartupMessage into the StartupInfo a session is opened with. The `options` parameter is
// split as PostgreSQL splits it (whitespace separates, a backslash escapes the next character) and
// accepts `-c name=value`, `-cname=value` and `--name=value`; dashes in names become underscores.
// Protocol options (`_pq_.*`) are not settings: they are reported back as unrecognized.

import { SqlError, SqlState } from '../common/errors.js';
import type { StartupInfo } from './session.js';

export interface StartupPacket {
  readonly info: StartupInfo;
  /** `_pq_.*` options the client asked for, none of which Sluice supports. */
  readonly unrecognizedOptions: readonly string[];
}

const notSettings = new Set(['user', 'database', 'options', 'replication']);

function fatal(code: string, message: string): SqlError {
  return new SqlError(code, message, { severity: 'FATAL' });
}

export function parseStartupPacket(protocolVersion: number, parameters: ReadonlyMap<string, string>): StartupPacket {
  const major = protocolVersion >>> 16;
  const minor = protocolVersion & 0xffff;
  if (major !== 3) {
    throw fatal(SqlState.featureNotSupported, `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`);
  }
  const user = parameters.get('user') ?? '';
  if (user === '') throw fatal(SqlState.invalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet');
  const settings = new Map<string, string>();
  const unrecognizedOptions: string[] = [];
  for (const [name, value] of parameters) {
    if (name.startsWith('_pq_.')) unrecognizedOptions.push(name);
    else if (!notSettings.has(name)) settings.set(name, value);
  }
  for (const [name, value] of parseOptions(parameters.get('options') ?? '')) settings.set(name, value);
  const database = parameters.get('database') || user;
  const info: StartupInfo = { user, database, applicationName: parameters.get('application_name') ?? '', settings };
  return { info, unrecognizedOptions };
}

/** The settings in an `options` string, in order. */
export function parseOptions(options: string): [string, string][] {
  const words = splitOptionWords(options);
  const settings: [string, string][] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index] as string;
    let assignment: string | undefined;
    if (word === '-c') assignment = words[++index];
    else if (word.startsWith('-c')) assignment = word.slice(2);
    else if (word.startsWith('--')) assignment = word.slice(2);
    settings.push(parseAssignment(assignment, word));
  }
  return settings;
}

function parseAssignment(assignment: string | undefined, word: string): [string, string] {
  const equals = assignment?.indexOf('=') ?? -1;
  if (assignment === undefined || equals <= 0) {
    throw fatal(SqlState.syntaxError, `invalid command-line argument for server process: ${word}`);
  }
  return [assignment.slice(0, equals).replaceAll('-', '_'), assignment.slice(equals + 1)];
}

function splitOptionWords(options: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let index = 0; index < options.length; index++) {
    const char = options[index] as string;
    if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char === '\\' && index + 1 < options.length ? options[++index] : char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}
