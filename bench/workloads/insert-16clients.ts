// insert_16clients: durable single-row INSERT transactions from 16 concurrent pgbench clients;
// with fsync on, the figure shows how well commits from many sessions share one flush (group commit).
import { runPgbench } from '../harness/pgbench.js';
import { createOrdersSql, dropTableQuietly } from '../harness/schema.js';
import { probeInsert, probeOrders, runSeconds, singleVariant } from './common.js';
import type { Workload } from './types.js';

const table = 'bench_insert_clients';
const clients = 16;
const script = [
  '\\set k random(1, 9000000000000000000)',
  '\\set c random(1, 150000)',
  `INSERT INTO ${table} VALUES (:k, :c, 123.45, '1996-06-15', 'O', '3-MEDIUM', 'one row per transaction');`,
  '',
].join('\n');

export const insert16Clients: Workload = {
  name: 'insert_16clients',
  description:
    'Single-row INSERT transactions per second (autocommit, fsync on) from 16 concurrent pgbench clients (-M prepared) into an orders table without indexes: durable commit latency amortised by group commit.',
  sizeDependent: false,
  variants: singleVariant,
  requires: (system) => probeOrders(system, 'log', [probeInsert]),
  async prepare(context) {
    const client = await context.connect();
    await dropTableQuietly(client, table);
    await client.query(createOrdersSql(context.system, table, 'log'));
    return {
      warmups: 1,
      async run(index) {
        const tps = await runPgbench(context.pgbench, context.target, {
          script,
          clients,
          seconds: runSeconds(context, index),
          mode: 'prepared',
        });
        return { value: tps, unit: 'tx/s', better: 'higher' };
      },
      cleanup: () => dropTableQuietly(client, table),
    };
  },
};
