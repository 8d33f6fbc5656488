// sluice_catalog: Sluice's own system views over its storage layout.

import { systemRelation as relation, type SystemRelation } from './system-relation.js';

export const sluiceCatalogRelations: readonly SystemRelation[] = [
  // One row per bucket tablet: offsets are the log's retained start and visible end; rows is the
  // live row count (KV rows of a primary-key table, retained records of a log table).
  relation('sluice_catalog', 'buckets', 13_101, 'v', `table_schema name, table_name name, partition_name name,
    bucket int4, tablet_id int8, start_offset int8, end_offset int8, rows int8`),
];
