// A bounded cache of parsed statements by query text. Clients repeat the same statement text
// (simple-protocol loops, ORMs), and parsing in WebAssembly costs more than binding a small
// statement. Parsed statements are immutable, so one entry serves every session.

import { limits } from '../common/limits.js';
import { parseStatements } from './extension-front.js';
import type { RawStatement } from './parser.js';

export class ParseCache {
  private readonly entries = new Map<string, RawStatement[]>();

  parse(text: string): RawStatement[] {
    const cached = this.entries.get(text);
    if (cached !== undefined) {
      // Refresh its place so the least recently used entry is evicted first.
      this.entries.delete(text);
      this.entries.set(text, cached);
      return cached;
    }
    const statements = parseStatements(text);
    if (text.length <= limits.parseCacheTextLengthMax) {
      this.entries.set(text, statements);
      if (this.entries.size > limits.parseCacheEntriesMax) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    }
    return statements;
  }
}
