// copy_log: bulk-load throughput into an orders table without indexes (a Sluice log table).
import { copyTrial } from './copy-trial.js';
import { probeOrders, singleVariant } from './common.js';
import type { Workload } from './types.js';

export const copyLog: Workload = {
  name: 'copy_log',
  description:
    'Rows per second loaded with COPY FROM STDIN into an empty 7-column orders table without indexes (in Sluice a log table with 4 buckets).',
  sizeDependent: true,
  variants: singleVariant,
  requires: (system) => probeOrders(system, 'log'),
  prepare: (context) => copyTrial(context, 'log'),
};
