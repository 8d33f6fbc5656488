// count_star: counting all rows, which needs no column values at all.
import { expectEqual, probeOrders, requireRows, singleValue, singleVariant, timedQueryTrial } from './common.js';
import { probeTable, type Workload } from './types.js';

export const countStar: Workload = {
  name: 'count_star',
  description: 'Milliseconds for `SELECT count(*) FROM orders` over the table without indexes.',
  sizeDependent: true,
  variants: singleVariant,
  requires: (system) => probeOrders(system, 'log', [`SELECT count(*) FROM ${probeTable}`]),
  async prepare(context) {
    const rows = requireRows(context);
    await context.datasets.ensure('orders', rows);
    const client = await context.connect();
    return timedQueryTrial(client, 'SELECT count(*) FROM orders', (result) =>
      expectEqual('count(*)', singleValue(result), rows),
    );
  },
};
