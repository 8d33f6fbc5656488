// Deterministic, seeded data for the benchmark tables (a TPC-H-like subset: orders, customer,
// nation). Every row is a pure function of (seed, row number), so any slice of a table can be
// regenerated identically regardless of batching, and both servers receive the same bytes.
// Rows are produced as PostgreSQL COPY text (tab-separated; no value contains tab, newline or
// backslash) or as SQL VALUES tuples.

export const defaultSeed = 20240601;

export interface OrderRow {
  readonly orderKey: number;
  readonly custKey: number;
  readonly totalPriceCents: number;
  readonly orderDate: string;
  readonly orderStatus: string;
  readonly orderPriority: string;
  readonly comment: string;
}

const statuses = ['O', 'F', 'P'] as const;
const priorities = ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'] as const;
const segments = ['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'HOUSEHOLD', 'MACHINERY'] as const;
const words = [
  'furiously', 'quickly', 'carefully', 'blithely', 'slyly', 'final', 'pending', 'regular', 'express',
  'special', 'ironic', 'bold', 'even', 'silent', 'deposits', 'requests', 'packages', 'accounts',
  'theodolites', 'instructions', 'foxes', 'pinto', 'beans', 'asymptotes', 'dependencies', 'sleep',
  'haggle', 'nag', 'wake', 'use', 'cajole', 'detect', 'integrate', 'boost', 'among', 'above',
] as const;
export const nationNames = [
  'ALGERIA', 'ARGENTINA', 'BRAZIL', 'CANADA', 'EGYPT', 'ETHIOPIA', 'FRANCE', 'GERMANY', 'INDIA',
  'INDONESIA', 'IRAN', 'IRAQ', 'JAPAN', 'JORDAN', 'KENYA', 'MOROCCO', 'PERU', 'CHINA', 'ROMANIA',
  'SAUDI ARABIA', 'VIETNAM', 'RUSSIA', 'UNITED KINGDOM', 'UNITED STATES', 'MOZAMBIQUE',
] as const;
const nationRegions = [0, 1, 1, 1, 4, 0, 3, 3, 2, 2, 4, 4, 2, 4, 0, 0, 1, 2, 3, 4, 2, 3, 3, 1, 0] as const;

const orderDayCount = 2406; // 1992-01-01 .. 1998-08-02, as in TPC-H
const orderDates: readonly string[] = Array.from({ length: orderDayCount }, (_, day) =>
  new Date(Date.UTC(1992, 0, 1 + day)).toISOString().slice(0, 10),
);

/** Number of customers generated alongside `orderCount` orders (TPC-H ratio 1:10). */
export function customerCountFor(orderCount: number): number {
  return Math.max(10, Math.floor(orderCount / 10));
}

/** mulberry32 seeded from (seed, row): small, fast, and good enough for benchmark data. */
function rowRandom(seed: number, row: number): () => number {
  let state = (seed ^ Math.imul(row + 1, 0x9e3779b1)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function sentence(random: () => number, minChars: number, maxChars: number): string {
  const target = minChars + Math.floor(random() * (maxChars - minChars + 1));
  let text = pick(words, random);
  while (text.length < target) text += ' ' + pick(words, random);
  return text.slice(0, maxChars);
}

/** Order with key `orderKey` (1-based); `variant` changes the values but not the key. */
export function orderRow(orderKey: number, customerCount: number, seed: number, variant = 0): OrderRow {
  const random = rowRandom(seed + variant * 7919, orderKey);
  return {
    orderKey,
    custKey: 1 + Math.floor(random() * customerCount),
    totalPriceCents: 100_000 + Math.floor(random() * 49_900_000),
    orderDate: pick(orderDates, random),
    orderStatus: pick(statuses, random),
    orderPriority: pick(priorities, random),
    comment: sentence(random, 19, 78),
  };
}

export function formatCents(cents: number): string {
  const whole = Math.floor(cents / 100);
  const fraction = cents % 100;
  return `${whole}.${fraction < 10 ? '0' : ''}${fraction}`;
}

export function orderCopyLine(row: OrderRow): string {
  return `${row.orderKey}\t${row.custKey}\t${formatCents(row.totalPriceCents)}\t${row.orderDate}\t` +
    `${row.orderStatus}\t${row.orderPriority}\t${row.comment}\n`;
}

export function orderValuesTuple(row: OrderRow): string {
  return `(${row.orderKey},${row.custKey},${formatCents(row.totalPriceCents)},'${row.orderDate}',` +
    `'${row.orderStatus}','${row.orderPriority}','${row.comment}')`;
}

export function customerCopyLine(custKey: number, seed: number): string {
  const random = rowRandom(seed ^ 0x5bd1e995, custKey);
  const name = `Customer#${String(custKey).padStart(9, '0')}`;
  const nationKey = Math.floor(random() * nationNames.length);
  const balanceCents = Math.floor(random() * 1_099_999) - 99_999;
  const balance = balanceCents < 0 ? `-${formatCents(-balanceCents)}` : formatCents(balanceCents);
  return `${custKey}\t${name}\t${nationKey}\t${balance}\t${pick(segments, random)}\t${sentence(random, 29, 116)}\n`;
}

export function nationCopyLine(nationKey: number): string {
  const name = nationNames[nationKey] ?? 'UNKNOWN';
  return `${nationKey}\t${name}\t${nationRegions[nationKey] ?? 0}\t${name.toLowerCase()} nation\n`;
}

/** A table's COPY text split into chunks, plus what queries over it must return. */
export interface CopyData {
  readonly chunks: readonly Buffer[];
  readonly rowCount: number;
  readonly bytes: number;
}

export interface OrdersData extends CopyData {
  readonly totalPriceCentsSum: number;
}

const copyChunkBytes = 256 * 1024;

/** Accumulates COPY lines into fixed-size Buffers (cheap to send, no per-row allocation later). */
class ChunkBuilder {
  private readonly chunks: Buffer[] = [];
  private pending: string[] = [];
  private pendingChars = 0;
  private totalBytes = 0;

  add(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= copyChunkBytes) this.flush();
  }

  finish(rowCount: number): CopyData {
    this.flush();
    return { chunks: this.chunks, rowCount, bytes: this.totalBytes };
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const chunk = Buffer.from(this.pending.join(''), 'utf8');
    this.chunks.push(chunk);
    this.totalBytes += chunk.length;
    this.pending = [];
    this.pendingChars = 0;
  }
}

/** Orders with keys 1..count, in key order. */
export function generateOrders(count: number, seed = defaultSeed): OrdersData {
  const customers = customerCountFor(count);
  const builder = new ChunkBuilder();
  let sum = 0;
  for (let key = 1; key <= count; key++) {
    const row = orderRow(key, customers, seed);
    sum += row.totalPriceCents;
    builder.add(orderCopyLine(row));
  }
  return { ...builder.finish(count), totalPriceCentsSum: sum };
}

export function generateCustomers(count: number, seed = defaultSeed): CopyData {
  const builder = new ChunkBuilder();
  for (let key = 1; key <= count; key++) builder.add(customerCopyLine(key, seed));
  return builder.finish(count);
}

export function generateNations(): CopyData {
  const builder = new ChunkBuilder();
  for (let key = 0; key < nationNames.length; key++) builder.add(nationCopyLine(key));
  return builder.finish(nationNames.length);
}
