// point_lookup: primary-key lookups of random existing keys from 8 concurrent pgbench clients
// with prepared statements — the KV read path (Sluice) against a B-tree index scan (PostgreSQL).
import { runPgbench } from '../harness/pgbench.js';
import { probeOrders, requireRows, runSeconds, singleVariant } from './common.js';
import { probeTable, type Workload } from './types.js';

const clients = 8;
const script = ['\\set k random(1, :rows)', 'SELECT * FROM orders_pk WHERE o_orderkey = :k;', ''].join('\n');

export const pointLookup: Workload = {
  name: 'point_lookup',
  description:
    'Lookups per second of one order by random existing primary key (`SELECT * FROM orders_pk WHERE o_orderkey = :k`), pgbench -M prepared with 8 clients.',
  sizeDependent: true,
  variants: singleVariant,
  requires: (system) => probeOrders(system, 'pk', [`SELECT * FROM ${probeTable} WHERE o_orderkey = 1`]),
  async prepare(context) {
    const rows = requireRows(context);
    await context.datasets.ensure('orders_pk', rows);
    return {
      warmups: 1,
      async run(index) {
        const tps = await runPgbench(context.pgbench, context.target, {
          script,
          clients,
          seconds: runSeconds(context, index),
          mode: 'prepared',
          variables: { rows },
        });
        return { value: tps, unit: 'lookups/s', better: 'higher' };
      },
    };
  },
};
