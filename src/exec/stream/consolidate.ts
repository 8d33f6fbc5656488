// Turns the output changes of one commit into what a subscriber sees: changes to the same row
// cancel out (a commit that inserts and deletes a row shows nothing), and where the output has a
// key, a retraction and an insert with the same key become update_before + update_after.
// Order: rows in the order their first change appeared; an update's two halves together.

import type { Value } from '../../common/types.js';
import { valueKey } from '../aggregate/accumulator.js';
import type { ChangeChunk, LabeledChange } from './change-chunk.js';

function rowId(row: readonly Value[], columns: readonly number[] | null): string {
  if (columns === null) return row.map((value) => valueKey(value)).join('\u0002');
  return columns.map((column) => valueKey(row[column] ?? null)).join('\u0002');
}

/** Net changes of a chunk, labeled. `key`: output positions identifying a row, or null. */
export function consolidate(chunk: ChangeChunk, key: readonly number[] | null): LabeledChange[] {
  const net = new Map<string, { row: Value[]; diff: number }>();
  for (let i = 0; i < chunk.rows.length; i++) {
    const row = chunk.rows[i]!;
    const id = rowId(row, null);
    const entry = net.get(id);
    if (entry === undefined) net.set(id, { row, diff: chunk.diffs[i]! });
    else entry.diff += chunk.diffs[i]!;
  }
  if (key === null) return label([...net.values()]);
  const byKey = new Map<string, { row: Value[]; diff: number }[]>();
  for (const entry of net.values()) {
    if (entry.diff === 0) continue;
    const id = rowId(entry.row, key);
    const list = byKey.get(id);
    if (list === undefined) byKey.set(id, [entry]);
    else list.push(entry);
  }
  const out: LabeledChange[] = [];
  for (const entries of byKey.values()) {
    const removed = expand(entries.filter((entry) => entry.diff < 0));
    const added = expand(entries.filter((entry) => entry.diff > 0));
    const pairs = Math.min(removed.length, added.length);
    for (let i = 0; i < pairs; i++) {
      out.push({ kind: 'update_before', row: removed[i]! });
      out.push({ kind: 'update_after', row: added[i]! });
    }
    for (let i = pairs; i < removed.length; i++) out.push({ kind: 'delete', row: removed[i]! });
    for (let i = pairs; i < added.length; i++) out.push({ kind: 'insert', row: added[i]! });
  }
  return out;
}

/** Changes as they are, without netting (inserts only, or a commit too large to net). */
export function label(entries: readonly { row: Value[]; diff: number }[]): LabeledChange[] {
  const out: LabeledChange[] = [];
  for (const { row, diff } of entries) {
    const kind = diff < 0 ? 'delete' : 'insert';
    for (let n = Math.abs(diff); n > 0; n--) out.push({ kind, row });
  }
  return out;
}

export function labelChunk(chunk: ChangeChunk): LabeledChange[] {
  return label(chunk.rows.map((row, i) => ({ row, diff: chunk.diffs[i]! })));
}

function expand(entries: readonly { row: Value[]; diff: number }[]): Value[][] {
  const rows: Value[][] = [];
  for (const { row, diff } of entries) for (let n = Math.abs(diff); n > 0; n--) rows.push(row);
  return rows;
}
