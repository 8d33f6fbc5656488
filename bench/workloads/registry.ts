// All workloads in the order they run and appear in the report. Adding a workload means adding
// a file under bench/workloads/ and one line here.
import { copyLog } from './copy-log.js';
import { copyPk } from './copy-pk.js';
import { countStar } from './count-star.js';
import { insert16Clients } from './insert-16clients.js';
import { insertMultirow } from './insert-multirow.js';
import { limit10 } from './limit10.js';
import { pointLookup } from './point-lookup.js';
import { scan1Col } from './scan-1col.js';
import { scan7Col } from './scan-7col.js';
import { scanSum } from './scan-sum.js';
import { select1 } from './select1.js';
import { select1Node } from './select1-node.js';
import { subscribeFanout } from './subscribe-fanout.js';
import { subscribeLatency } from './subscribe-latency.js';
import { upsert } from './upsert.js';
import { viewMaintenance } from './view-maintenance.js';
import { viewMemory } from './view-memory.js';
import type { AnyWorkload } from './types.js';

export const workloads: readonly AnyWorkload[] = [
  select1,
  select1Node,
  insertMultirow,
  upsert,
  insert16Clients,
  copyLog,
  copyPk,
  pointLookup,
  scanSum,
  scan1Col,
  scan7Col,
  countStar,
  limit10,
  subscribeLatency,
  subscribeFanout,
  viewMaintenance,
  viewMemory,
];
