// Shared helpers of the log tablet tests: temporary directories, a seeded random generator, random
// values for every storable type, a comparable form of Values, and frame positions in a segment.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '../../../src/common/decimal.js';
import type { DataType, Interval, Value } from '../../../src/common/types.js';
import { decodeFrameHeader, type FrameHeader } from '../../../src/storage/log/batch-frame.js';
import type { LogTablet, ReadOptions } from '../../../src/storage/log/log-tablet.js';

export async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-log-test-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** mulberry32: small, fast, reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const allTypes: readonly DataType[] = [
  { name: 'int8' }, { name: 'int4' }, { name: 'numeric', precision: 15, scale: 2 }, { name: 'date' }, { name: 'text' },
  { name: 'bool' }, { name: 'int2' }, { name: 'float4' }, { name: 'float8' }, { name: 'numeric' },
  { name: 'numeric', precision: 38, scale: 4 }, { name: 'varchar', precision: 20 }, { name: 'jsonb' }, { name: 'bytea' },
  { name: 'uuid' }, { name: 'timestamp' }, { name: 'timestamptz' }, { name: 'interval' },
];

const texts = ['', 'a', 'hello', 'héllo wörld', '日本語', '😀 emoji', 'x'.repeat(300), 'tab\there'];

export function randomValue(type: DataType, random: () => number, nullFraction = 0.1): Value {
  if (random() < nullFraction) return null;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const integer = (bound: number): number => Math.floor(random() * bound) - Math.floor(bound / 2);
  switch (type.name) {
    case 'bool': return random() < 0.5;
    case 'int2': return integer(65536);
    case 'int4': return integer(2 ** 32);
    case 'int8': return pick([0n, -1n, 9223372036854775807n, -9223372036854775808n, BigInt(integer(2 ** 52)) * 1000n]);
    case 'float4': return Math.fround(random() * 1000 - 500);
    case 'float8': return pick([random() * 1e6, -0.5, Number.NaN, Infinity, 1e-300]);
    case 'numeric': {
      if (type.precision === undefined) {
        return pick([Decimal.parse('12345678901234567890123456789012345678901234.5'), Decimal.parse('NaN'), Decimal.parse('-0.001'), Decimal.parse('7')]);
      }
      const scale = type.scale ?? 0;
      if (type.precision === 38) {
        return pick([new Decimal(10n ** 37n + 12345n, scale), new Decimal(-(10n ** 36n), scale), new Decimal(42n, scale), Decimal.parse('NaN'), Decimal.parse('-Infinity')]);
      }
      return new Decimal(BigInt(integer(2 * 10 ** 14)), scale);
    }
    case 'text': case 'varchar': return pick(texts);
    case 'jsonb': return pick(['{"a": 1}', '[]', '"é"']);
    case 'bytea': return pick([new Uint8Array([]), new Uint8Array([0, 255, 7]), new Uint8Array(40).fill(9)]);
    case 'uuid': return pick(['00000000-0000-0000-0000-000000000000', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'ffffffff-ffff-ffff-ffff-ffffffffffff']);
    case 'date': return pick([0, -719528, 8000 + integer(100), Infinity, -Infinity]);
    case 'timestamp': case 'timestamptz': return pick([0n, 1_700_000_000_000_000n, -62_135_596_800_000_000n, 9223372036854775807n]);
    case 'interval': return pick<Interval>([{ months: 1, days: -2, micros: 3n }, { months: -14, days: 0, micros: 86_400_000_000n * 40n }]);
    default: throw new Error(`no generator for ${type.name}`);
  }
}

/** Values in a form `toEqual` compares exactly (Decimal scale, NaN, -0 and bytes included). */
export function comparable(value: Value): unknown {
  if (value === null) return null;
  if (value instanceof Decimal) return `numeric:${value.toString()}`;
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'bigint') return `bigint:${value}`;
  if (typeof value === 'number') return Object.is(value, -0) ? 'number:-0' : `number:${value}`;
  if (typeof value === 'object' && !Array.isArray(value)) return `interval:${value.months}/${value.days}/${value.micros}`;
  return value;
}

export interface ReadRows {
  readonly rows: unknown[][];
  readonly batches: number;
  readonly offsets: bigint[];
}

/** All rows a read yields, as comparable values, with each row's offset. */
export async function readRows(tablet: LogTablet, fromOffset: bigint, options: ReadOptions = {}): Promise<ReadRows> {
  const rows: unknown[][] = [];
  const offsets: bigint[] = [];
  let batches = 0;
  for await (const batch of tablet.read(fromOffset, options)) {
    batches++;
    for (let row = 0; row < batch.recordCount; row++) {
      rows.push(batch.columns.map((column) => comparable(column[row] ?? null)));
      offsets.push(batch.baseOffset + BigInt(row));
    }
  }
  return { rows, batches, offsets };
}

export interface FramePosition {
  readonly position: number;
  readonly header: FrameHeader;
}

/** The frames of a segment file, walked by their headers. */
export async function framesOf(path: string): Promise<FramePosition[]> {
  const bytes = await readFile(path);
  const frames: FramePosition[] = [];
  let position = 0;
  while (position < bytes.byteLength) {
    const decoded = decodeFrameHeader(bytes, position);
    if (decoded.kind !== 'ok') break;
    frames.push({ position, header: decoded.header });
    position += decoded.header.frameLength;
  }
  return frames;
}

export async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.log')).sort().map((name) => join(dir, name));
}
