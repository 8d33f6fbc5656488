// JSON text for the json and jsonb types: a parser into a tree whose numbers are exact Decimals,
// and jsonb's canonical printer. A jsonb Value is always the canonical text this module prints
// (keys ordered by length then bytes, duplicates resolved last-wins, ', ' and ': ' separators),
// so equal jsonb values are equal strings.

import { Decimal } from './decimal.js';
import { SqlError, SqlState } from './errors.js';

export type JsonValue = null | boolean | string | Decimal | readonly JsonValue[] | JsonObject;
export type JsonObject = ReadonlyMap<string, JsonValue>;

/** Deepest nesting of arrays and objects accepted, so that parsing cannot exhaust the stack. */
export const jsonDepthMax = 1000;

function invalidJson(detail: string): SqlError {
  return new SqlError(SqlState.invalidTextRepresentation, 'invalid input syntax for type json', { detail });
}

class JsonParser {
  private position = 0;
  constructor(private readonly text: string, private readonly forJsonb: boolean) {}

  parseDocument(): JsonValue {
    const value = this.parseValue(0);
    this.skipSpace();
    if (this.position < this.text.length) throw this.unexpected();
    return value;
  }

  private skipSpace(): void {
    while (this.position < this.text.length) {
      const char = this.text[this.position];
      if (char !== ' ' && char !== '\t' && char !== '\n' && char !== '\r') break;
      this.position++;
    }
  }

  private unexpected(): SqlError {
    if (this.position >= this.text.length) return invalidJson('The input string ended unexpectedly.');
    const token = /^[A-Za-z0-9_.+-]+|^./s.exec(this.text.slice(this.position))?.[0] ?? '';
    return invalidJson(`Token "${token}" is invalid.`);
  }

  private parseValue(depth: number): JsonValue {
    if (depth > jsonDepthMax) {
      throw new SqlError(SqlState.programLimitExceeded, 'stack depth limit exceeded', { hint: `JSON nesting deeper than ${jsonDepthMax} levels is not supported.` });
    }
    this.skipSpace();
    const char = this.text[this.position];
    if (char === '{') return this.parseObject(depth);
    if (char === '[') return this.parseArray(depth);
    if (char === '"') return this.parseString();
    const word = /^(?:true|false|null)(?![A-Za-z0-9_])/.exec(this.text.slice(this.position, this.position + 6))?.[0];
    if (word !== undefined) {
      this.position += word.length;
      return word === 'null' ? null : word === 'true';
    }
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?(?![A-Za-z0-9_.])/.exec(this.text.slice(this.position, this.position + 2000))?.[0];
    if (number !== undefined) {
      this.position += number.length;
      return Decimal.parse(number);
    }
    throw this.unexpected();
  }

  private parseObject(depth: number): JsonObject {
    this.position++;
    const entries = new Map<string, JsonValue>();
    this.skipSpace();
    if (this.text[this.position] === '}') {
      this.position++;
      return entries;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.position] !== '"') throw this.unexpected();
      const key = this.parseString();
      this.skipSpace();
      if (this.text[this.position] !== ':') throw this.unexpected();
      this.position++;
      const value = this.parseValue(depth + 1);
      if (this.forJsonb) entries.delete(key);
      entries.set(key, value);
      this.skipSpace();
      const next = this.text[this.position];
      this.position++;
      if (next === '}') return this.forJsonb ? sortObject(entries) : entries;
      if (next !== ',') {
        this.position--;
        throw this.unexpected();
      }
    }
  }

  private parseArray(depth: number): JsonValue[] {
    this.position++;
    const items: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.position] === ']') {
      this.position++;
      return items;
    }
    for (;;) {
      items.push(this.parseValue(depth + 1));
      this.skipSpace();
      const next = this.text[this.position];
      this.position++;
      if (next === ']') return items;
      if (next !== ',') {
        this.position--;
        throw this.unexpected();
      }
    }
  }

  private parseString(): string {
    this.position++;
    let result = '';
    let runStart = this.position;
    for (;;) {
      if (this.position >= this.text.length) throw invalidJson('The input string ended unexpectedly.');
      const code = this.text.charCodeAt(this.position);
      if (code === 0x22) {
        result += this.text.slice(runStart, this.position);
        this.position++;
        return result;
      }
      if (code < 0x20) {
        throw invalidJson(`Character with value 0x${code.toString(16).padStart(2, '0')} must be escaped.`);
      }
      if (code !== 0x5c) {
        this.position++;
        continue;
      }
      result += this.text.slice(runStart, this.position);
      const escape = this.text[this.position + 1];
      this.position += 2;
      switch (escape) {
        case '"': result += '"'; break;
        case '\\': result += '\\'; break;
        case '/': result += '/'; break;
        case 'b': result += '\b'; break;
        case 'f': result += '\f'; break;
        case 'n': result += '\n'; break;
        case 'r': result += '\r'; break;
        case 't': result += '\t'; break;
        case 'u': {
          const hex = this.text.slice(this.position, this.position + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw invalidJson('"\\u" must be followed by four hexadecimal digits.');
          const unit = parseInt(hex, 16);
          if (unit === 0 && this.forJsonb) {
            throw new SqlError('22P05', 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' });
          }
          result += String.fromCharCode(unit);
          this.position += 4;
          break;
        }
        default:
          throw invalidJson(`Escape sequence "\\${escape ?? ''}" is invalid.`);
      }
      runStart = this.position;
    }
  }
}

/** jsonb's key order: shorter keys first, then bytewise (UTF-8). */
export function compareJsonbKeys(a: string, b: string): number {
  const aBytes = Buffer.byteLength(a);
  const bBytes = Buffer.byteLength(b);
  if (aBytes !== bBytes) return aBytes - bBytes;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function sortObject(entries: Map<string, JsonValue>): JsonObject {
  const keys = [...entries.keys()].sort(compareJsonbKeys);
  return new Map(keys.map((key) => [key, entries.get(key) ?? null]));
}

export function parseJson(text: string, forJsonb: boolean): JsonValue {
  return new JsonParser(text, forJsonb).parseDocument();
}

export function isJsonObject(value: JsonValue): value is JsonObject {
  return value instanceof Map;
}

export function isJsonArray(value: JsonValue): value is readonly JsonValue[] {
  return Array.isArray(value);
}

/** A JSON string literal with jsonb's escaping. */
export function quoteJsonString(text: string): string {
  let result = '"';
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code !== 0x22 && code !== 0x5c) continue;
    result += text.slice(runStart, i);
    runStart = i + 1;
    switch (code) {
      case 0x22: result += '\\"'; break;
      case 0x5c: result += '\\\\'; break;
      case 0x08: result += '\\b'; break;
      case 0x0c: result += '\\f'; break;
      case 0x0a: result += '\\n'; break;
      case 0x0d: result += '\\r'; break;
      case 0x09: result += '\\t'; break;
      default: result += '\\u' + code.toString(16).padStart(4, '0');
    }
  }
  return result + text.slice(runStart) + '"';
}

/** jsonb's canonical text of a tree (objects must already be in jsonb key order). */
export function formatJsonb(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return quoteJsonString(value);
  if (value instanceof Decimal) return value.toString();
  if (isJsonArray(value)) return '[' + value.map(formatJsonb).join(', ') + ']';
  const parts: string[] = [];
  for (const [key, item] of value) parts.push(quoteJsonString(key) + ': ' + formatJsonb(item));
  return '{' + parts.join(', ') + '}';
}

/** Builds a jsonb object from entries in any order (last duplicate wins). */
export function jsonbObject(entries: Iterable<readonly [string, JsonValue]>): JsonObject {
  const map = new Map<string, JsonValue>();
  for (const [key, value] of entries) {
    map.delete(key);
    map.set(key, value);
  }
  return sortObject(map);
}

export function canonicalJsonb(text: string): string {
  return formatJsonb(parseJson(text, true));
}
