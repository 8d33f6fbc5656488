// scan_1col: a full scan that needs one narrow column; compared with scan_7col it shows how
// much a scan saves by reading only the columns a query uses (column pruning).
import { probeOrders, requireRows, singleVariant, timedQueryTrial } from './common.js';
import { probeTable, type Workload } from './types.js';

export const scan1Col: Workload = {
  name: 'scan_1col',
  description:
    'Milliseconds for `SELECT max(o_custkey) FROM orders`, a full scan that needs one 4-byte column of the seven.',
  sizeDependent: true,
  variants: singleVariant,
  requires: (system) => probeOrders(system, 'log', [`SELECT max(o_custkey) FROM ${probeTable}`]),
  async prepare(context) {
    await context.datasets.ensure('orders', requireRows(context));
    const client = await context.connect();
    return timedQueryTrial(client, 'SELECT max(o_custkey) FROM orders', (result) => {
      if (result.rows.length !== 1) throw new Error(`expected 1 row, got ${result.rows.length}`);
    });
  },
};
