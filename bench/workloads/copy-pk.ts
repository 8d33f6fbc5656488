// copy_pk: bulk-load throughput into an orders table with a primary key (a Sluice KV table).
import { copyTrial } from './copy-trial.js';
import { probeOrders, singleVariant } from './common.js';
import type { Workload } from './types.js';

export const copyPk: Workload = {
  name: 'copy_pk',
  description:
    'Rows per second loaded with COPY FROM STDIN into an empty orders table with PRIMARY KEY (o_orderkey), keys arriving in ascending order (PostgreSQL maintains a B-tree, Sluice a KV table).',
  sizeDependent: true,
  variants: singleVariant,
  requires: (system) => probeOrders(system, 'pk'),
  prepare: (context) => copyTrial(context, 'pk'),
};
