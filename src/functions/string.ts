// String and bytea functions and operators: ||, LIKE/ILIKE (~~ family, with escapes), POSIX regular
// expressions (~ family, translated to JavaScript RegExp), and the common text functions. Lengths
// and positions count characters (code points), as PostgreSQL does for UTF-8 text.

import { createHash } from 'node:crypto';
import { SqlError, SqlState } from '../common/errors.js';
import type { DataType, Value } from '../common/types.js';
import { formatText } from '../common/value-text.js';
import type { FunctionDef, FunctionImpl } from './function.js';
import { T, binary, def, unary } from './define.js';
import { sessionZone } from './numeric-checks.js';

function characters(text: string): string[] {
  return Array.from(text);
}

function characterLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xdc00 || code > 0xdfff) count++;
  }
  return count;
}

/** PostgreSQL's substring semantics: positions before 1 still count against the length. */
function substring(text: string, start: number, length: number | undefined): string {
  if (length !== undefined && length < 0) {
    throw new SqlError('22011', 'negative substring length not allowed');
  }
  const chars = characters(text);
  const from = Math.max(start, 1);
  const end = length === undefined ? chars.length + 1 : start + length;
  if (end <= from) return '';
  return chars.slice(from - 1, end - 1).join('');
}

function byteSubstring(bytes: Uint8Array, start: number, length: number | undefined): Uint8Array {
  if (length !== undefined && length < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const from = Math.max(start, 1);
  const end = length === undefined ? bytes.length + 1 : start + length;
  if (end <= from) return new Uint8Array(0);
  return bytes.slice(from - 1, end - 1);
}

function position(text: string, search: string): number {
  const index = text.indexOf(search);
  return index < 0 ? 0 : characterLength(text.slice(0, index)) + 1;
}

function trimChars(text: string, set: string, leading: boolean, trailing: boolean): string {
  const chars = characters(text);
  const remove = new Set(characters(set));
  let start = 0;
  let end = chars.length;
  if (leading) while (start < end && remove.has(chars[start] ?? '')) start++;
  if (trailing) while (end > start && remove.has(chars[end - 1] ?? '')) end--;
  return chars.slice(start, end).join('');
}

function pad(text: string, length: number, fill: string, left: boolean): string {
  const chars = characters(text);
  if (length <= 0) return '';
  if (chars.length >= length) return chars.slice(0, length).join('');
  const fillChars = characters(fill);
  if (fillChars.length === 0) return text;
  const needed = length - chars.length;
  const padding: string[] = [];
  for (let i = 0; i < needed; i++) padding.push(fillChars[i % fillChars.length] ?? '');
  return left ? padding.join('') + text : text + padding.join('');
}

/** Longest string repeat() may build, so that a query cannot exhaust memory in one call. */
const repeatedBytesMax = 256 * 1024 * 1024;

function repeat(text: string, count: number): string {
  if (count <= 0) return '';
  if (text.length * count > repeatedBytesMax) {
    throw new SqlError(SqlState.programLimitExceeded, 'requested length too large');
  }
  return text.repeat(count);
}

function splitPart(text: string, delimiter: string, field: number): string {
  if (field === 0) throw new SqlError(SqlState.invalidParameterValue, 'field position must not be zero');
  const parts = delimiter === '' ? [text] : text.split(delimiter);
  const index = field > 0 ? field - 1 : parts.length + field;
  return parts[index] ?? '';
}

function leftChars(text: string, count: number): string {
  const chars = characters(text);
  return (count >= 0 ? chars.slice(0, count) : chars.slice(0, Math.max(chars.length + count, 0))).join('');
}

function rightChars(text: string, count: number): string {
  const chars = characters(text);
  if (count >= 0) return chars.slice(Math.max(chars.length - count, 0)).join('');
  return chars.slice(Math.min(-count, chars.length)).join('');
}

function initcap(text: string): string {
  return text.toLowerCase().replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_all, before: string, letter: string) => before + letter.toUpperCase());
}

function translate(text: string, from: string, to: string): string {
  const fromChars = characters(from);
  const toChars = characters(to);
  return characters(text).map((char) => {
    const index = fromChars.indexOf(char);
    if (index < 0) return char;
    return toChars[index] ?? '';
  }).join('');
}

function chr(code: number): string {
  if (code === 0) throw new SqlError('54000', 'null character not permitted');
  if (code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
    throw new SqlError(SqlState.programLimitExceeded, 'requested character too large for encoding: ' + code);
  }
  return String.fromCodePoint(code);
}

// ---------------------------------------------------------------------------------------------
// LIKE and regular expressions, compiled once per distinct pattern.

/** Compiled patterns kept per kind; the cache is cleared when it reaches this many entries. */
const patternCacheEntriesMax = 1000;
const likeCache = new Map<string, RegExp>();
const regexCache = new Map<string, RegExp>();

function cached(cache: Map<string, RegExp>, key: string, build: () => RegExp): RegExp {
  let regex = cache.get(key);
  if (regex === undefined) {
    if (cache.size >= patternCacheEntriesMax) cache.clear();
    regex = build();
    cache.set(key, regex);
  }
  return regex;
}

function escapeRegex(char: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(char) ? '\\' + char : char;
}

/** Translates a LIKE pattern ('%', '_', escape character) to an anchored RegExp. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean, escape = '\\'): RegExp {
  return cached(likeCache, `${caseInsensitive ? 'i' : 's'}${escape}\u0000${pattern}`, () => {
    let source = '^';
    const chars = characters(pattern);
    for (let i = 0; i < chars.length; i++) {
      const char = chars[i] ?? '';
      if (escape !== '' && char === escape) {
        const next = chars[i + 1];
        if (next === undefined) {
          throw new SqlError(SqlState.invalidEscapeSequence, 'LIKE pattern must not end with escape character');
        }
        source += escapeRegex(next);
        i++;
      } else if (char === '%') {
        source += '.*';
      } else if (char === '_') {
        source += '.';
      } else {
        source += escapeRegex(char);
      }
    }
    return new RegExp(source + '$', caseInsensitive ? 'isu' : 'su');
  });
}

function like(text: string, pattern: string, caseInsensitive: boolean): boolean {
  return likeToRegExp(pattern, caseInsensitive).test(text);
}

/** like_escape(pattern, escape): rewrites a pattern with a custom escape to the default one. */
function likeEscape(pattern: string, escape: string): string {
  const escapeChars = characters(escape);
  if (escapeChars.length > 1) throw new SqlError(SqlState.invalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  const escapeChar = escapeChars[0] ?? '';
  let result = '';
  const chars = characters(pattern);
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? '';
    if (escapeChar !== '' && char === escapeChar) {
      const next = chars[i + 1];
      if (next === undefined) throw new SqlError(SqlState.invalidEscapeSequence, 'LIKE pattern must not end with escape character');
      result += '\\' + next;
      i++;
    } else if (char === '\\') {
      result += escapeChar === '' ? '\\\\' : '\\\\';
    } else {
      result += char;
    }
  }
  return result;
}

/** Translates POSIX ARE syntax that JavaScript lacks: character-class names and \m \M \y word anchors. */
function posixToJavaScript(pattern: string): string {
  return pattern
    .replace(/\[:alpha:\]/g, 'a-zA-Z').replace(/\[:digit:\]/g, '0-9').replace(/\[:alnum:\]/g, 'a-zA-Z0-9')
    .replace(/\[:upper:\]/g, 'A-Z').replace(/\[:lower:\]/g, 'a-z').replace(/\[:space:\]/g, '\\s')
    .replace(/\[:punct:\]/g, '!-\\/:-@\\[-`{-~').replace(/\[:xdigit:\]/g, '0-9A-Fa-f').replace(/\[:word:\]/g, '\\w')
    .replace(/\\m|\\M|\\y/g, '\\b');
}

export function compileRegex(pattern: string, flags: string): RegExp {
  return cached(regexCache, `${flags}\u0000${pattern}`, () => {
    try {
      return new RegExp(posixToJavaScript(pattern), flags);
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
      throw new SqlError(SqlState.invalidRegularExpression, `invalid regular expression: ${reason}`);
    }
  });
}

function regexFlags(flags: string): { flags: string; global: boolean } {
  let result = 's';
  let global = false;
  for (const flag of flags) {
    if (flag === 'i') result += 'i';
    else if (flag === 'g') global = true;
    else if (flag === 'n' || flag === 'm') result = result.replace('s', '') + 'm';
    else if (flag !== 'c') throw new SqlError(SqlState.invalidParameterValue, `invalid regular expression option: "${flag}"`);
  }
  return { flags: result, global };
}

function regexpReplace(text: string, pattern: string, replacement: string, flagText: string): string {
  const { flags, global } = regexFlags(flagText);
  const regex = compileRegex(pattern, flags + (global ? 'g' : ''));
  // PostgreSQL's replacement syntax: \1..\9 and \& for the whole match; '$' is literal.
  const jsReplacement = replacement.replace(/\$/g, '$$$$').replace(/\\(\d|&|\\)/g, (_all, ref: string) =>
    ref === '&' ? '$&' : ref === '\\' ? '\\' : `$${ref}`);
  regex.lastIndex = 0;
  return text.replace(regex, jsReplacement);
}

// ---------------------------------------------------------------------------------------------
// Polymorphic concatenation: concat(), concat_ws() and text || anynonarray format each argument
// with its own type's output function.

function formatterFor(type: DataType): (value: Value, zone: string) => string {
  if (type.name === 'bool' && type.element === undefined) return (value) => (value === true ? 't' : 'f');
  return (value, zone) => formatText(type, value, zone);
}

function concatImpl(types: readonly DataType[]): FunctionImpl {
  const formatters = types.map(formatterFor);
  return (args, context) => {
    const zone = sessionZone(context);
    let result = '';
    args.forEach((value, i) => {
      if (value !== null) result += formatters[i]?.(value, zone) ?? '';
    });
    return result;
  };
}

function concatWsImpl(types: readonly DataType[]): FunctionImpl {
  const formatters = types.map(formatterFor);
  return (args, context) => {
    const separator = args[0];
    if (separator === null || separator === undefined) return null;
    const zone = sessionZone(context);
    const parts: string[] = [];
    for (let i = 1; i < args.length; i++) {
      const value = args[i] ?? null;
      if (value !== null) parts.push(formatters[i]?.(value, zone) ?? '');
    }
    return parts.join(separator as string);
  };
}

function anyConcat(anyOnLeft: boolean): FunctionDef {
  const args = anyOnLeft ? [T.any, T.text] : [T.text, T.any];
  return {
    ...def('||', args, T.text, () => null, { volatility: 'stable' }),
    bind: (types) => {
      const format = formatterFor(types[anyOnLeft ? 0 : 1] ?? T.text);
      return anyOnLeft
        ? (values, context) => format(values[0] ?? null, sessionZone(context)) + (values[1] as string)
        : (values, context) => (values[0] as string) + format(values[1] ?? null, sessionZone(context));
    },
  };
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const result = new Uint8Array(a.length + b.length);
  result.set(a, 0);
  result.set(b, a.length);
  return result;
}

export const stringOperatorDefs: readonly FunctionDef[] = [
  binary('||', T.text, T.text, T.text, (a: string, b: string) => a + b),
  anyConcat(true),
  anyConcat(false),
  binary('||', T.bytea, T.bytea, T.bytea, concatBytes),
  binary('~~', T.text, T.text, T.bool, (a: string, b: string) => like(a, b, false)),
  binary('!~~', T.text, T.text, T.bool, (a: string, b: string) => !like(a, b, false)),
  binary('~~*', T.text, T.text, T.bool, (a: string, b: string) => like(a, b, true)),
  binary('!~~*', T.text, T.text, T.bool, (a: string, b: string) => !like(a, b, true)),
  binary('~', T.text, T.text, T.bool, (a: string, b: string) => compileRegex(b, 's').test(a)),
  binary('!~', T.text, T.text, T.bool, (a: string, b: string) => !compileRegex(b, 's').test(a)),
  binary('~*', T.text, T.text, T.bool, (a: string, b: string) => compileRegex(b, 'si').test(a)),
  binary('!~*', T.text, T.text, T.bool, (a: string, b: string) => !compileRegex(b, 'si').test(a)),
  binary('^@', T.text, T.text, T.bool, (a: string, b: string) => a.startsWith(b)),
];

const md5Hex = (data: string | Uint8Array): string => createHash('md5').update(data).digest('hex');

export const stringFunctionDefs: readonly FunctionDef[] = [
  ...['length', 'char_length', 'character_length'].map((name) => unary(name, T.text, T.int4, characterLength)),
  unary('length', T.bytea, T.int4, (a: Uint8Array) => a.length),
  unary('octet_length', T.text, T.int4, (a: string) => Buffer.byteLength(a)),
  unary('octet_length', T.bytea, T.int4, (a: Uint8Array) => a.length),
  unary('bit_length', T.text, T.int4, (a: string) => Buffer.byteLength(a) * 8),
  unary('lower', T.text, T.text, (a: string) => a.toLowerCase()),
  unary('upper', T.text, T.text, (a: string) => a.toUpperCase()),
  unary('initcap', T.text, T.text, initcap),
  ...['substr', 'substring'].flatMap((name) => [
    binary(name, T.text, T.int4, T.text, (a: string, start: number) => substring(a, start, undefined)),
    def(name, [T.text, T.int4, T.int4], T.text, (args) => substring(args[0] as string, args[1] as number, args[2] as number)),
    binary(name, T.bytea, T.int4, T.bytea, (a: Uint8Array, start: number) => byteSubstring(a, start, undefined)),
    def(name, [T.bytea, T.int4, T.int4], T.bytea, (args) => byteSubstring(args[0] as Uint8Array, args[1] as number, args[2] as number)),
  ]),
  binary('position', T.text, T.text, T.int4, position),
  binary('strpos', T.text, T.text, T.int4, position),
  unary('btrim', T.text, T.text, (a: string) => trimChars(a, ' ', true, true)),
  binary('btrim', T.text, T.text, T.text, (a: string, set: string) => trimChars(a, set, true, true)),
  unary('ltrim', T.text, T.text, (a: string) => trimChars(a, ' ', true, false)),
  binary('ltrim', T.text, T.text, T.text, (a: string, set: string) => trimChars(a, set, true, false)),
  unary('rtrim', T.text, T.text, (a: string) => trimChars(a, ' ', false, true)),
  binary('rtrim', T.text, T.text, T.text, (a: string, set: string) => trimChars(a, set, false, true)),
  def('replace', [T.text, T.text, T.text], T.text, (args) => {
    const [text, from, to] = args as readonly string[];
    return from === '' ? text ?? '' : (text ?? '').split(from ?? '').join(to ?? '');
  }),
  { ...def('concat', [T.any], T.text, () => null, { strict: false, variadic: true, volatility: 'stable' }), bind: concatImpl },
  {
    ...def('concat_ws', [T.text, T.any], T.text, () => null, { strict: false, variadic: true, volatility: 'stable' }),
    bind: concatWsImpl,
  },
  binary('left', T.text, T.int4, T.text, leftChars),
  binary('right', T.text, T.int4, T.text, rightChars),
  binary('lpad', T.text, T.int4, T.text, (a: string, n: number) => pad(a, n, ' ', true)),
  def('lpad', [T.text, T.int4, T.text], T.text, (args) => pad(args[0] as string, args[1] as number, args[2] as string, true)),
  binary('rpad', T.text, T.int4, T.text, (a: string, n: number) => pad(a, n, ' ', false)),
  def('rpad', [T.text, T.int4, T.text], T.text, (args) => pad(args[0] as string, args[1] as number, args[2] as string, false)),
  binary('repeat', T.text, T.int4, T.text, repeat),
  unary('reverse', T.text, T.text, (a: string) => characters(a).reverse().join('')),
  def('split_part', [T.text, T.text, T.int4], T.text, (args) => splitPart(args[0] as string, args[1] as string, args[2] as number)),
  binary('starts_with', T.text, T.text, T.bool, (a: string, b: string) => a.startsWith(b)),
  unary('md5', T.text, T.text, md5Hex),
  unary('md5', T.bytea, T.text, md5Hex),
  unary('ascii', T.text, T.int4, (a: string) => a.codePointAt(0) ?? 0),
  unary('chr', T.int4, T.text, chr),
  def('translate', [T.text, T.text, T.text], T.text, (args) => translate(args[0] as string, args[1] as string, args[2] as string)),
  binary('like_escape', T.text, T.text, T.text, likeEscape),
  def('regexp_replace', [T.text, T.text, T.text], T.text, (args) => regexpReplace(args[0] as string, args[1] as string, args[2] as string, '')),
  def('regexp_replace', [T.text, T.text, T.text, T.text], T.text,
    (args) => regexpReplace(args[0] as string, args[1] as string, args[2] as string, args[3] as string)),
  binary('textlike', T.text, T.text, T.bool, (a: string, b: string) => like(a, b, false)),
  unary('to_hex', T.int4, T.text, (a: number) => (a >>> 0).toString(16)),
  unary('to_hex', T.int8, T.text, (a: bigint) => BigInt.asUintN(64, a).toString(16)),
];
