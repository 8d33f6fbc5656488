// Reads the rows of one table (all its partitions and buckets, or one partition), or its
// changelog. Output row: the table's columns in order, then the hidden columns named in
// `scanColumns` of the binder (see table-binder.ts for the layout).
import type { PartitionDef, TableDef } from '../../common/catalog-model.js';
import type { ScanAccess } from './scan-access.js';

export interface LogicalScan {
  readonly kind: 'Scan';
  readonly table: TableDef;
  /** Only this partition (the relation was named by its partition name), or all. */
  readonly partition: PartitionDef | null;
  /** Read the changelog (`t$changelog`) instead of the table's current rows. */
  readonly changelog: boolean;
  /**
   * Positions (in the scan row layout) the query uses; the others may be left NULL. Absent: all.
   * Log reads decode only the columns asked for (column pruning).
   */
  readonly columns?: readonly number[];
  /** The query needs at most this many rows (a LIMIT directly above); the scan may stop there. */
  readonly rowLimit?: number;
  /** Key ranges, partitions, buckets and offsets the read is narrowed to (from WHERE). Absent: all. */
  readonly access?: ScanAccess;
}
