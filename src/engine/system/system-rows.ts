// What row producers of system relations get, and how their rows become scan rows: a producer
// returns records keyed by column name; a column it leaves out reads as its type's "nothing"
// (in pg_catalog false, 0, or NULL; elsewhere NULL), which is what PostgreSQL shows for the
// features Sluice does not have.

import type { Value } from '../../common/types.js';
import type { SystemRelation } from '../../sql/system/system-relation.js';
import type { TableStorage } from '../../storage/table-storage.js';
import type { Settings } from '../settings.js';
import type { CatalogSnapshot } from './catalog-snapshot.js';
import type { SessionCatalogView } from './session-catalog-view.js';

export type SystemRecord = Readonly<Record<string, Value>>;

export interface SystemRowsContext {
  readonly view: SessionCatalogView;
  readonly snapshot: CatalogSnapshot;
  readonly settings: Settings;
  readonly storage: TableStorage;
  readonly processId: number;
  readonly applicationName: string;
  /** Maintenance state of the materialized views. */
  readonly views?: () => readonly ViewStatus[];
  /** Open subscriptions. */
  readonly subscriptions?: () => readonly SubscriptionStatus[];
  /** The last commit applied (sequence and time). */
  readonly applied?: () => { readonly sequence: bigint; readonly timestampMs: number };
}

import type { ViewStatus } from '../views/view-maintainer.js';
import type { SubscriptionStatus } from '../subscribe/subscription.js';

export type SystemRowProducer = (context: SystemRowsContext) => SystemRecord[];

function absentValue(relation: SystemRelation, index: number): Value {
  const type = relation.columns[index]?.type;
  // information_schema and sluice_catalog say "not applicable" with NULL; pg_catalog with false/0.
  if (relation.schema !== 'pg_catalog') return null;
  if (type === undefined || type.element !== undefined) return null;
  switch (type.name) {
    case 'bool': return false;
    case 'int2': case 'int4': case 'float4': case 'oid': case 'regproc': return 0;
    case 'int8': return 0n;
    default: return null;
  }
}

/** Records in the relation's column order, followed by the scan's hidden columns (NULL). */
export function toScanRows(relation: SystemRelation, records: readonly SystemRecord[]): Value[][] {
  const names = relation.columns.map((column) => column.name);
  return records.map((record) => {
    const row = names.map((name, i) => (Object.hasOwn(record, name) ? record[name] ?? null : absentValue(relation, i)));
    row.push(null, null, null);
    return row;
  });
}
