// limit10: time to first rows — a scan that must stop after ten rows instead of reading the table.
import { probeOrders, requireRows, singleVariant, timedQueryTrial } from './common.js';
import { probeTable, type Workload } from './types.js';

export const limit10: Workload = {
  name: 'limit10',
  description:
    'Milliseconds for `SELECT * FROM orders LIMIT 10`: whether a scan stops early, independent of table size.',
  sizeDependent: true,
  variants: singleVariant,
  requires: (system) => probeOrders(system, 'log', [`SELECT * FROM ${probeTable} LIMIT 10`]),
  async prepare(context) {
    await context.datasets.ensure('orders', requireRows(context));
    const client = await context.connect();
    return timedQueryTrial(client, 'SELECT * FROM orders LIMIT 10', (result) => {
      if (result.rows.length !== 10) throw new Error(`expected 10 rows, got ${result.rows.length}`);
    });
  },
};
