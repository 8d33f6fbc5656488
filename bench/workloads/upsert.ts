// upsert: insert-or-replace throughput on a primary-key table where half of each batch hits
// existing keys and half adds new ones. In Sluice a plain INSERT into a PK table is an upsert;
// PostgreSQL needs INSERT ... ON CONFLICT (o_orderkey) DO UPDATE.
import { customerCountFor, defaultSeed, orderRow, orderValuesTuple } from '../harness/datagen.js';
import { createOrdersSql, dropTableQuietly, orderColumns } from '../harness/schema.js';
import { copyIn } from '../harness/copy-in.js';
import { probeInsert, probeOrders, singleVariant } from './common.js';
import { rowsPerStatement } from './insert-multirow.js';
import type { SystemKind } from '../harness/target.js';
import { elapsedMs, probeTable, type Workload } from './types.js';

const table = 'bench_upsert';
const updatedColumns = orderColumns.split(', ').filter((column) => column !== 'o_orderkey');

export const upsert: Workload = {
  name: 'upsert',
  description:
    'Upserts per second in 1000-row statements against a primary-key orders table, half updating existing keys and half inserting new ones (Sluice: plain INSERT; PostgreSQL: INSERT ... ON CONFLICT DO UPDATE).',
  sizeDependent: false,
  variants: singleVariant,
  requires: (system) =>
    probeOrders(system, 'pk', [
      probeInsert,
      `${upsertPrefix(probeTable)} (1, 2, 2.00, '1995-01-02', 'F', '2-HIGH', 'again')${upsertSuffix(system)}`,
    ]),
  async prepare(context) {
    const batchRows = context.settings.ingestRows;
    const client = await context.connect();
    await dropTableQuietly(client, table);
    await client.query(createOrdersSql(context.system, table, 'pk'));
    const initial = context.datasets.generated(batchRows);
    await copyIn(client, `COPY ${table} (${orderColumns}) FROM STDIN`, initial.chunks);
    return {
      warmups: 0,
      async run(index) {
        // Run i upserts keys (i+1)·n/2+1 .. (i+1)·n/2+n: the table then holds keys up to (i+2)·n/2 + n/2,
        // so exactly half of every run's keys already exist.
        const firstKey = Math.floor(((index + 1) * batchRows) / 2) + 1;
        const statements = upsertStatements(context.system, firstKey, batchRows, index + 1);
        const started = performance.now();
        for (const statement of statements) await client.query(statement);
        const ms = elapsedMs(started);
        return { value: (batchRows / ms) * 1000, unit: 'upserts/s', better: 'higher' };
      },
      cleanup: () => dropTableQuietly(client, table),
    };
  },
};

function upsertPrefix(target: string): string {
  return `INSERT INTO ${target} (${orderColumns}) VALUES`;
}

function upsertSuffix(system: SystemKind): string {
  if (system === 'sluice') return '';
  const assignments = updatedColumns.map((column) => `${column} = EXCLUDED.${column}`).join(', ');
  return ` ON CONFLICT (o_orderkey) DO UPDATE SET ${assignments}`;
}

function upsertStatements(system: SystemKind, firstKey: number, rows: number, variant: number): string[] {
  const customers = customerCountFor(rows);
  const statements: string[] = [];
  const end = firstKey + rows;
  for (let first = firstKey; first < end; first += rowsPerStatement) {
    const last = Math.min(end - 1, first + rowsPerStatement - 1);
    const tuples: string[] = [];
    for (let key = first; key <= last; key++) tuples.push(orderValuesTuple(orderRow(key, customers, defaultSeed, variant)));
    statements.push(`${upsertPrefix(table)} ${tuples.join(',')}${upsertSuffix(system)}`);
  }
  return statements;
}
