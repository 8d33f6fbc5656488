// Pre-loaded tables that read workloads query, per target and data size. Generated COPY data
// is cached per size and shared by both targets (generation stays out of timed sections); a
// table is loaded at most once per (target, size), and a failed load is remembered so that
// later workloads fail fast instead of reloading millions of rows.
import type pg from 'pg';
import {
  customerCountFor,
  generateCustomers,
  generateNations,
  generateOrders,
  type CopyData,
  type OrdersData,
} from './datagen.js';
import {
  createAndCopy,
  createCustomerSql,
  createNationSql,
  createOrdersSql,
  customerColumns,
  dropTableQuietly,
  nationColumns,
  orderColumns,
} from './schema.js';
import { connect, disconnect, type SystemKind, type Target } from './target.js';
import { errorMessage } from './processes.js';

/** `orders`: no index (Sluice log table); `orders_pk`: primary key on o_orderkey. */
export type DatasetTable = 'orders' | 'orders_pk';

/** Generated data for one size, shared across targets. */
export class GeneratedData {
  private readonly orders = new Map<number, OrdersData>();

  ordersFor(rows: number): OrdersData {
    let data = this.orders.get(rows);
    if (data === undefined) {
      data = generateOrders(rows);
      this.orders.set(rows, data);
    }
    return data;
  }

  /** Frees the data for sizes other than `rows` (2 000 000 orders are ~200 MB of COPY text). */
  keepOnly(rows: number): void {
    for (const size of this.orders.keys()) if (size !== rows) this.orders.delete(size);
  }
}

export class TargetDatasets {
  private rows: number | undefined;
  private readonly loads = new Map<DatasetTable, Promise<void>>();

  constructor(
    private readonly target: Target,
    private readonly data: GeneratedData,
    private readonly log: (line: string) => void,
  ) {}

  /** Makes sure `table` holds exactly `rows` generated orders (and returns its expected data). */
  async ensure(table: DatasetTable, rows: number): Promise<OrdersData> {
    if (this.rows !== rows) await this.switchSize(rows);
    let load = this.loads.get(table);
    if (load === undefined) {
      load = this.load(table, rows);
      this.loads.set(table, load);
    }
    await load;
    return this.data.ordersFor(rows);
  }

  /** The generated orders data for `rows` (for workloads that load it themselves). */
  generated(rows: number): OrdersData {
    return this.data.ordersFor(rows);
  }

  /** Drops every loaded table (best effort). */
  async dropAll(): Promise<void> {
    if (this.loads.size === 0) return;
    const client = await connect(this.target);
    try {
      for (const table of [...this.loads.keys(), 'customer', 'nation']) await dropTableQuietly(client, table);
    } finally {
      await disconnect(client);
    }
    this.loads.clear();
  }

  private async switchSize(rows: number): Promise<void> {
    await this.dropAll().catch(() => undefined);
    this.rows = rows;
  }

  private async load(table: DatasetTable, rows: number): Promise<void> {
    const system = this.target.system;
    const started = performance.now();
    const client = await connect(this.target);
    try {
      await dropTableQuietly(client, table);
      const layout = table === 'orders' ? 'log' : 'pk';
      await createAndCopy(client, createOrdersSql(system, table, layout), table, orderColumns, this.data.ordersFor(rows));
      await afterLoad(client, system, table);
      if (table === 'orders') await this.loadCompanions(client, rows);
    } catch (error) {
      // Keep the SQLSTATE so that "feature not supported" still reads as n/a.
      const code = (error as { code?: unknown } | null)?.code;
      throw Object.assign(new Error(`loading ${table} (${rows} rows) failed: ${errorMessage(error)}`), { code });
    } finally {
      await disconnect(client);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    this.log(`  loaded ${table} with ${rows} rows into ${system} in ${seconds} s`);
  }

  /**
   * customer and nation complete the schema for join workloads. None of the current workloads
   * reads them, so a failure to load them is reported but does not fail the orders dataset.
   */
  private async loadCompanions(client: pg.Client, rows: number): Promise<void> {
    const companions: [string, string, string, CopyData][] = [
      ['customer', createCustomerSql, customerColumns, generateCustomers(customerCountFor(rows))],
      ['nation', createNationSql, nationColumns, generateNations()],
    ];
    for (const [table, createSql, columns, data] of companions) {
      try {
        await dropTableQuietly(client, table);
        await createAndCopy(client, createSql, table, columns, data);
        await afterLoad(client, this.target.system, table);
      } catch (error) {
        this.log(`  warning: loading ${table} into ${this.target.system} failed: ${errorMessage(error)}`);
      }
    }
  }
}

/**
 * PostgreSQL gets the VACUUM ANALYZE an operator runs after a bulk load (sets hint bits and
 * statistics, so the first measured scan does not pay for them); Sluice needs no such step.
 */
async function afterLoad(client: pg.Client, system: SystemKind, table: string): Promise<void> {
  if (system === 'postgres') await client.query(`VACUUM (ANALYZE) ${table}`);
}
