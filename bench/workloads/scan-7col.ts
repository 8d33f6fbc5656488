// scan_7col: the same full scan as scan_1col but needing all seven columns (one max() each).
import { firstRow, probeOrders, requireRows, singleVariant, timedQueryTrial } from './common.js';
import { probeTable, type Workload } from './types.js';

export const allColumnsMaxSelect =
  'max(o_orderkey), max(o_custkey), max(o_totalprice), max(o_orderdate), max(o_orderstatus), ' +
  'max(o_orderpriority), max(o_comment)';

export const scan7Col: Workload = {
  name: 'scan_7col',
  description:
    'Milliseconds for a full scan computing max() of each of the seven orders columns; its ratio to scan_1col is the benefit of reading only the needed columns.',
  sizeDependent: true,
  variants: singleVariant,
  requires: (system) => probeOrders(system, 'log', [`SELECT ${allColumnsMaxSelect} FROM ${probeTable}`]),
  async prepare(context) {
    const rows = requireRows(context);
    await context.datasets.ensure('orders', rows);
    const client = await context.connect();
    return timedQueryTrial(client, `SELECT ${allColumnsMaxSelect} FROM orders`, (result) => {
      const values = firstRow(result);
      if (values.length !== 7) throw new Error(`expected 7 values, got ${values.length}`);
      if (String(values[0]) !== String(rows)) throw new Error(`max(o_orderkey) is ${String(values[0])}, expected ${rows}`);
    });
  },
};
