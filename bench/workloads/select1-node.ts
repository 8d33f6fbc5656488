// select1_node: `SELECT 1` round trips per second from node-postgres over one connection, the
// figure an application in this runtime sees (client overhead included, same on both sides).
import type pg from 'pg';
import { runSeconds } from './common.js';
import type { Workload, WorkloadVariant } from './types.js';

interface NodeVariant extends WorkloadVariant {
  readonly prepared: boolean;
}

export const select1Node: Workload<NodeVariant> = {
  name: 'select1_node',
  description:
    'Round trips per second for `SELECT 1` issued back to back from node-postgres over one connection, as a simple query and as a named prepared statement.',
  sizeDependent: false,
  variants: [
    { label: 'node-postgres simple, 1 conn', prepared: false },
    { label: 'node-postgres prepared, 1 conn', prepared: true },
  ],
  requires: () => ['SELECT 1'],
  async prepare(context, variant) {
    const client = await context.connect();
    const query: pg.QueryConfig = variant.prepared ? { name: 'bench_select1', text: 'SELECT 1' } : { text: 'SELECT 1' };
    return {
      warmups: 1,
      async run(index) {
        const deadline = performance.now() + runSeconds(context, index) * 1000;
        const started = performance.now();
        let roundTrips = 0;
        while (performance.now() < deadline) {
          await client.query(query);
          roundTrips += 1;
        }
        const seconds = (performance.now() - started) / 1000;
        return { value: roundTrips / seconds, unit: 'ops/s', better: 'higher' };
      },
    };
  },
};
