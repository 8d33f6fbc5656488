// Sluice's few statements that are not PostgreSQL grammar, recognized before libpg-query sees the
// text and rewritten in place into forms it parses, keeping every other character where it was so
// the parser's positions stay right:
//   SUBSCRIBE [TO] name [WITH (...)]        →  TABLE name                (padded with spaces)
//   SUBSCRIBE [TO] (query) [WITH (...)]     →   query                    (shell blanked out)
// also inside `DECLARE c CURSOR FOR ...` and `COPY (...) TO STDOUT`, and
//   FETCH ... WITH (timeout = '1s')         →  FETCH ...                  (options blanked out)
// The options removed are returned beside the parsed statement. Text without the words SUBSCRIBE
// or FETCH goes straight to the parser.

import { SqlError, SqlState, syntaxError } from '../common/errors.js';
import { parseSql, type ExtensionOption, type RawStatement, type StatementExtension } from './parser.js';

interface Token {
  readonly kind: 'word' | 'quoted' | 'string' | 'number' | 'punct';
  /** Words lower-cased, quoted identifiers and strings unescaped, punctuation as is. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

const extensionWords = /subscribe|fetch/i;

/** Parses query text, Sluice's extension statements included. */
export function parseStatements(text: string): RawStatement[] {
  if (!extensionWords.test(text)) return parseSql(text);
  const tokens = tokenize(text);
  const pieces = splitStatements(tokens);
  const rewrites = pieces.map((piece) => rewritePiece(text, piece));
  if (rewrites.every((rewrite) => rewrite === null)) return parseSql(text);
  let rewritten = text;
  for (const rewrite of rewrites) {
    if (rewrite === null) continue;
    for (const edit of rewrite.edits) rewritten = rewritten.slice(0, edit.start) + edit.text + rewritten.slice(edit.end);
  }
  const statements = parseSql(rewritten);
  // Pair each statement with the extension of the piece whose first token it holds.
  return statements.map((statement) => {
    const piece = pieces.findIndex((candidate) => candidate.start >= statement.textStart && candidate.start < statement.textEnd);
    const extension = rewrites[piece]?.extension;
    return extension === undefined ? statement : { ...statement, text: text.slice(statement.textStart, statement.textEnd).trim(), extension };
  });
}

interface Piece { readonly start: number; readonly end: number; readonly tokens: readonly Token[] }

interface Edit { readonly start: number; readonly end: number; readonly text: string }

interface Rewrite { readonly edits: readonly Edit[]; readonly extension: StatementExtension }

function splitStatements(tokens: readonly Token[]): Piece[] {
  const pieces: Piece[] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'punct' && token.value === '(') depth++;
    if (token.kind === 'punct' && token.value === ')') depth = Math.max(0, depth - 1);
    if (token.kind === 'punct' && token.value === ';' && depth === 0) {
      if (current.length > 0) pieces.push({ start: current[0]!.start, end: token.end, tokens: current });
      current = [];
      continue;
    }
    current.push(token);
  }
  if (current.length > 0) pieces.push({ start: current[0]!.start, end: current[current.length - 1]!.end, tokens: current });
  return pieces;
}

const isWord = (token: Token | undefined, word: string): boolean => token?.kind === 'word' && token.value === word;
const isPunct = (token: Token | undefined, punct: string): boolean => token?.kind === 'punct' && token.value === punct;

function rewritePiece(text: string, piece: Piece): Rewrite | null {
  const tokens = piece.tokens;
  const first = tokens[0];
  if (isWord(first, 'subscribe')) return rewriteSubscribe(text, tokens, 0, tokens.length, 'rows');
  if (isWord(first, 'declare')) {
    const forAt = tokens.findIndex((token, index) => index > 1 && isWord(token, 'for'));
    if (forAt > 0 && isWord(tokens[forAt + 1], 'subscribe')) return rewriteSubscribe(text, tokens, forAt + 1, tokens.length, 'cursor');
    return null;
  }
  if (isWord(first, 'copy') && isPunct(tokens[1], '(') && isWord(tokens[2], 'subscribe')) {
    const close = matchingParen(tokens, 1);
    return rewriteSubscribe(text, tokens, 2, close, 'copy');
  }
  if (isWord(first, 'fetch')) return rewriteFetch(text, tokens);
  return null;
}

/** Index of the `)` matching the `(` at `open`; throws 42601 if there is none. */
function matchingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let index = open; index < tokens.length; index++) {
    if (isPunct(tokens[index], '(')) depth++;
    if (isPunct(tokens[index], ')') && --depth === 0) return index;
  }
  throw syntaxError('syntax error at end of input: unbalanced parenthesis', (tokens[open]?.start ?? 0) + 1);
}

const blank = (text: string, start: number, end: number): Edit => ({ start, end, text: text.slice(start, end).replace(/[^\n]/g, ' ') });

/** Rewrites `SUBSCRIBE ...` spanning tokens [from, to) into a query the parser accepts. */
function rewriteSubscribe(text: string, tokens: readonly Token[], from: number, to: number, form: 'rows' | 'cursor' | 'copy'): Rewrite {
  const keyword = tokens[from]!;
  let at = from + 1;
  if (isWord(tokens[at], 'to')) at++;
  const target = tokens[at];
  if (target === undefined || at >= to) throw syntaxError('SUBSCRIBE needs a table name or a parenthesized query', keyword.end + 1);
  const edits: Edit[] = [];
  if (isPunct(target, '(')) {
    const close = matchingParen(tokens, at);
    if (close >= to) throw syntaxError('syntax error: unbalanced parenthesis in SUBSCRIBE', target.start + 1);
    edits.push(blank(text, keyword.start, target.end));
    edits.push(blank(text, tokens[close]!.start, tokens[close]!.end));
    at = close + 1;
  } else {
    // `TABLE name` is PostgreSQL's own shorthand for `SELECT * FROM name`, and fits in the space.
    edits.push({ start: keyword.start, end: target.start, text: 'TABLE'.padEnd(target.start - keyword.start) });
    at++;
    while (isPunct(tokens[at], '.') && (tokens[at + 1]?.kind === 'word' || tokens[at + 1]?.kind === 'quoted')) at += 2;
  }
  const options: ExtensionOption[] = [];
  if (at < to && isWord(tokens[at], 'with')) {
    const open = at + 1;
    if (!isPunct(tokens[open], '(')) throw syntaxError('syntax error at or near "WITH": SUBSCRIBE options go in parentheses', tokens[at]!.start + 1);
    const close = matchingParen(tokens, open);
    if (close >= to) throw syntaxError('syntax error: unbalanced parenthesis in SUBSCRIBE options', tokens[open]!.start + 1);
    options.push(...parseOptions(tokens.slice(open + 1, close), tokens[open]!));
    edits.push(blank(text, tokens[at]!.start, tokens[close]!.end));
    at = close + 1;
  }
  if (at < to) {
    const extra = tokens[at]!;
    throw syntaxError(`syntax error at or near "${text.slice(extra.start, extra.end)}"`, extra.start + 1);
  }
  return { edits, extension: { subscribe: { form, options } } };
}

function rewriteFetch(text: string, tokens: readonly Token[]): Rewrite | null {
  const withAt = tokens.findIndex((token) => isWord(token, 'with'));
  if (withAt < 0) return null;
  const open = withAt + 1;
  if (!isPunct(tokens[open], '(')) throw syntaxError('syntax error at or near "WITH": FETCH options go in parentheses', tokens[withAt]!.start + 1);
  const close = matchingParen(tokens, open);
  const extra = tokens[close + 1];
  if (extra !== undefined) throw syntaxError(`syntax error at or near "${text.slice(extra.start, extra.end)}"`, extra.start + 1);
  const options = parseOptions(tokens.slice(open + 1, close), tokens[open]!);
  return { edits: [blank(text, tokens[withAt]!.start, tokens[close]!.end)], extension: { fetchOptions: options } };
}

/** `name [= value] [, ...]`; a value is a string, a number or a word. */
function parseOptions(tokens: readonly Token[], open: Token): ExtensionOption[] {
  const options: ExtensionOption[] = [];
  let index = 0;
  while (index < tokens.length) {
    const name = tokens[index]!;
    if (name.kind !== 'word' && name.kind !== 'quoted') throw syntaxError(`syntax error at or near "${name.value}"`, name.start + 1);
    index++;
    let value: string | null = null;
    if (isPunct(tokens[index], '=')) {
      const given = tokens[index + 1];
      if (given === undefined || given.kind === 'punct' || given.kind === 'quoted') {
        throw syntaxError(`option "${name.value}" needs a value`, (given ?? name).start + 1);
      }
      value = given.value;
      index += 2;
    } else if (tokens[index] !== undefined && !isPunct(tokens[index], ',')) {
      const given = tokens[index]!;
      if (given.kind === 'punct') throw syntaxError(`syntax error at or near "${given.value}"`, given.start + 1);
      value = given.value;
      index++;
    }
    options.push({ name: name.value, value, position: name.start + 1 });
    if (index < tokens.length) {
      if (!isPunct(tokens[index], ',')) throw syntaxError(`syntax error at or near "${tokens[index]!.value}"`, tokens[index]!.start + 1);
      index++;
      if (index >= tokens.length) throw syntaxError('syntax error at or near ")"', (tokens[index - 1]?.end ?? open.end) + 1);
    }
  }
  return options;
}

// --- a small lexer: enough of PostgreSQL's to find words, parentheses and statement ends ---------

const wordStart = /[A-Za-z_\u0080-\uffff]/;
const wordPart = /[A-Za-z0-9_$\u0080-\uffff]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const length = text.length;
  while (at < length) {
    const char = text[at]!;
    const next = text[at + 1];
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f') { at++; continue; }
    if (char === '-' && next === '-') {
      const end = text.indexOf('\n', at);
      at = end < 0 ? length : end + 1;
      continue;
    }
    if (char === '/' && next === '*') { at = skipBlockComment(text, at); continue; }
    if (char === "'" || ((char === 'e' || char === 'E') && next === "'")) {
      const escapes = char !== "'";
      const quote = escapes ? at + 1 : at;
      const { value, end } = readString(text, quote, escapes);
      tokens.push({ kind: 'string', value, start: at, end });
      at = end;
      continue;
    }
    if (char === '"') {
      const { value, end } = readQuoted(text, at);
      tokens.push({ kind: 'quoted', value, start: at, end });
      at = end;
      continue;
    }
    if (char === '$') {
      const dollar = readDollar(text, at);
      if (dollar !== null) {
        tokens.push({ kind: 'string', value: dollar.value, start: at, end: dollar.end });
        at = dollar.end;
        continue;
      }
    }
    if (wordStart.test(char)) {
      let end = at + 1;
      while (end < length && wordPart.test(text[end]!)) end++;
      tokens.push({ kind: 'word', value: text.slice(at, end).toLowerCase(), start: at, end });
      at = end;
      continue;
    }
    if (char >= '0' && char <= '9') {
      let end = at + 1;
      while (end < length && /[0-9.eE_]/.test(text[end]!)) end++;
      tokens.push({ kind: 'number', value: text.slice(at, end), start: at, end });
      at = end;
      continue;
    }
    tokens.push({ kind: 'punct', value: char, start: at, end: at + 1 });
    at++;
  }
  return tokens;
}

function unterminated(what: string, at: number): SqlError {
  return new SqlError(SqlState.syntaxError, `unterminated ${what}`, { position: at + 1 });
}

function skipBlockComment(text: string, start: number): number {
  let depth = 0;
  let at = start;
  while (at < text.length) {
    if (text.startsWith('/*', at)) { depth++; at += 2; continue; }
    if (text.startsWith('*/', at)) {
      at += 2;
      if (--depth === 0) return at;
      continue;
    }
    at++;
  }
  throw unterminated('/* comment', start);
}

function readString(text: string, quote: number, escapes: boolean): { value: string; end: number } {
  let value = '';
  let at = quote + 1;
  while (at < text.length) {
    const char = text[at]!;
    if (escapes && char === '\\' && at + 1 < text.length) {
      value += text[at + 1];
      at += 2;
      continue;
    }
    if (char === "'") {
      if (text[at + 1] === "'") { value += "'"; at += 2; continue; }
      return { value, end: at + 1 };
    }
    value += char;
    at++;
  }
  throw unterminated('quoted string', quote);
}

function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  let at = start + 1;
  while (at < text.length) {
    const char = text[at]!;
    if (char === '"') {
      if (text[at + 1] === '"') { value += '"'; at += 2; continue; }
      return { value, end: at + 1 };
    }
    value += char;
    at++;
  }
  throw unterminated('quoted identifier', start);
}

function readDollar(text: string, start: number): { value: string; end: number } | null {
  const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(start, start + 64));
  if (match === null) return null;
  const tag = match[0];
  const close = text.indexOf(tag, start + tag.length);
  if (close < 0) throw unterminated('dollar-quoted string', start);
  return { value: text.slice(start + tag.length, close), end: close + tag.length };
}
