// scan_sum: a full scan aggregating one numeric column; checks the sum against the generator.
import { formatCents } from '../harness/datagen.js';
import { expectEqual, probeOrders, requireRows, singleValue, singleVariant, timedQueryTrial } from './common.js';
import { probeTable, type Workload } from './types.js';

export const scanSum: Workload = {
  name: 'scan_sum',
  description:
    'Milliseconds for `SELECT sum(o_totalprice) FROM orders` over the whole table without indexes: scan plus numeric aggregation.',
  sizeDependent: true,
  variants: singleVariant,
  requires: (system) => probeOrders(system, 'log', [`SELECT sum(o_totalprice) FROM ${probeTable}`]),
  async prepare(context) {
    const data = await context.datasets.ensure('orders', requireRows(context));
    const client = await context.connect();
    const expected = formatCents(data.totalPriceCentsSum);
    return timedQueryTrial(client, 'SELECT sum(o_totalprice) FROM orders', (result) =>
      expectEqual('sum(o_totalprice)', singleValue(result), expected),
    );
  },
};
