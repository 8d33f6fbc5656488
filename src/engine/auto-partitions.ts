// Automatic partitions (auto_partition = 'hour' | 'day' | 'month' | 'year'): partition values are
// the UTC time unit written as Fluss does (2026112213, 20261122, 202611, 2026). The server creates
// the current and the next `partition_precreate - 1` partitions ahead of time and drops partitions
// older than `partition_retention` units; rows for other values create their partition on first
// write.

import type { PartitionDef, TableDef } from '../common/catalog-model.js';
import type { TableStorage } from '../storage/table-storage.js';
import type { Catalog } from './catalog.js';

type Unit = 'hour' | 'day' | 'month' | 'year';

/** The partition value of the unit containing `time`, shifted by `offset` units. */
export function autoPartitionValue(unit: Unit, time: Date, offset = 0): string {
  const shifted = new Date(time.getTime());
  if (unit === 'hour') shifted.setUTCHours(shifted.getUTCHours() + offset);
  if (unit === 'day') shifted.setUTCDate(shifted.getUTCDate() + offset);
  if (unit === 'month') shifted.setUTCMonth(shifted.getUTCMonth() + offset, 1);
  if (unit === 'year') shifted.setUTCFullYear(shifted.getUTCFullYear() + offset, 0, 1);
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const year = pad(shifted.getUTCFullYear(), 4);
  const month = pad(shifted.getUTCMonth() + 1);
  const day = pad(shifted.getUTCDate());
  switch (unit) {
    case 'year': return year;
    case 'month': return `${year}${month}`;
    case 'day': return `${year}${month}${day}`;
    case 'hour': return `${year}${month}${day}${pad(shifted.getUTCHours())}`;
  }
}

export function autoPartitionName(table: TableDef, value: string): string {
  return `${table.name}_${value.replace(/[^A-Za-z0-9_]/g, '')}`;
}

/** Creates the partitions to precreate and drops those past retention; returns whether anything changed. */
export async function maintainAutoPartitions(catalog: Catalog, storage: TableStorage, tableOid: number, now = new Date()): Promise<boolean> {
  const dropped: PartitionDef[] = [];
  const changed = await catalog.change((edit) => {
    const table = catalog.object(tableOid);
    if (table?.kind !== 'table' || table.schema.options.autoPartition === undefined) return false;
    const { unit, precreate, retention } = table.schema.options.autoPartition;
    let partitions = [...table.partitions];
    if (retention !== undefined) {
      const oldest = autoPartitionValue(unit, now, -retention);
      const expired = partitions.filter((partition) => isAutoValue(partition.values[0], unit) && (partition.values[0] ?? '') < oldest);
      dropped.push(...expired);
      partitions = partitions.filter((partition) => !expired.includes(partition));
    }
    for (let offset = 0; offset < precreate; offset++) {
      const value = autoPartitionValue(unit, now, offset);
      if (partitions.some((partition) => partition.values[0] === value)) continue;
      partitions.push({
        id: edit.allocateOid(), name: autoPartitionName(table, value), values: [value], createdAtMs: now.getTime(),
        tabletIds: Array.from({ length: table.schema.options.buckets }, () => edit.allocateOid()),
      });
    }
    if (partitions.length === table.partitions.length && dropped.length === 0) return false;
    edit.put.push({ ...table, partitions });
    return true;
  });
  if (!changed) return false;
  const table = catalog.object(tableOid);
  if (table?.kind === 'table') await storage.openTable(table);
  await storage.dropTablets(dropped.flatMap((partition) => partition.tabletIds));
  return true;
}

function isAutoValue(value: string | undefined, unit: Unit): boolean {
  const digits = { hour: 10, day: 8, month: 6, year: 4 }[unit];
  return value !== undefined && value.length === digits && /^\d+$/.test(value);
}
