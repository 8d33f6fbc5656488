// insert_multirow: ingest through ordinary INSERT statements carrying 1000 rows each, the path
// applications without COPY take; the statements are built before the clock starts.
import { customerCountFor, defaultSeed, orderRow, orderValuesTuple } from '../harness/datagen.js';
import { createOrdersSql, dropTableQuietly, orderColumns } from '../harness/schema.js';
import { probeOrders, singleVariant } from './common.js';
import { elapsedMs, probeTable, type Workload } from './types.js';

export const rowsPerStatement = 1000;

export const insertMultirow: Workload = {
  name: 'insert_multirow',
  description:
    'Rows per second inserted with multi-row INSERT statements of 1000 rows each (simple query protocol, autocommit) into an orders table without indexes.',
  sizeDependent: false,
  variants: singleVariant,
  requires: (system) => probeOrders(system, 'log', [`INSERT INTO ${probeTable} VALUES ${probeTuples(2)}`]),
  async prepare(context) {
    const rows = context.settings.ingestRows;
    const statements = insertStatements('TABLE', rows);
    const client = await context.connect();
    const tables: string[] = [];
    return {
      warmups: 0,
      async run(index) {
        const table = `bench_insert_${index}`;
        tables.push(table);
        await dropTableQuietly(client, table);
        await client.query(createOrdersSql(context.system, table, 'log'));
        const started = performance.now();
        for (const statement of statements) await client.query(statement.replace('TABLE', table));
        const ms = elapsedMs(started);
        await dropTableQuietly(client, table);
        return { value: (rows / ms) * 1000, unit: 'rows/s', better: 'higher' };
      },
      async cleanup() {
        for (const table of tables) await dropTableQuietly(client, table);
      },
    };
  },
};

/** INSERT INTO <placeholder> statements for keys 1..rows, `rowsPerStatement` rows each. */
function insertStatements(placeholder: string, rows: number): string[] {
  const customers = customerCountFor(rows);
  const statements: string[] = [];
  for (let first = 1; first <= rows; first += rowsPerStatement) {
    const last = Math.min(rows, first + rowsPerStatement - 1);
    const tuples: string[] = [];
    for (let key = first; key <= last; key++) tuples.push(orderValuesTuple(orderRow(key, customers, defaultSeed)));
    statements.push(`INSERT INTO ${placeholder} (${orderColumns}) VALUES ${tuples.join(',')}`);
  }
  return statements;
}

function probeTuples(count: number): string {
  return Array.from({ length: count }, (_, i) => orderValuesTuple(orderRow(i + 2, 10, defaultSeed))).join(',');
}
