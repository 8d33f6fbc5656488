// The materialized views of the server: starts a maintainer for each view when the server starts
// (after the tablets are open) and when a view is created, and stops it when the view is dropped.
// Binding a view's definition again at start resolves its query against the current catalog.

import type { TableDef } from '../../common/catalog-model.js';
import { SqlError, SqlState } from '../../common/errors.js';
import type { TableReader } from '../../exec/batch/operator.js';
import { planView } from '../../exec/stream/view-plan.js';
import type { FunctionContext } from '../../functions/function.js';
import { bindStatement } from '../../sql/binder/statement-binder.js';
import type { LogicalPlan } from '../../sql/plan/logical-plan.js';
import type { ParseCache } from '../../sql/parse-cache.js';
import type { TableIndexes } from '../../storage/table-indexes.js';
import type { TableStorage } from '../../storage/table-storage.js';
import type { Catalog } from '../catalog.js';
import { serverVersion, sluiceVersion } from '../settings.js';
import { ViewMaintainer, type ViewStatus } from './view-maintainer.js';

export class ViewManager {
  private readonly maintainers = new Map<number, ViewMaintainer>();

  constructor(private readonly catalog: Catalog, private readonly storage: TableStorage, private readonly tables: TableReader,
    private readonly parseCache: ParseCache, private readonly indexes: TableIndexes) {}

  /** Starts every view of every database (at server start). */
  async startAll(): Promise<void> {
    for (const database of this.catalog.databases()) {
      for (const table of this.catalog.tables(database.oid)) {
        if (table.view === undefined) continue;
        try {
          await this.start(table);
        } catch (error) {
          console.error(`sluice: materialized view ${table.name} could not start: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }

  /** Starts maintaining a view: recompute, write the difference, then follow its inputs. */
  async start(view: TableDef): Promise<void> {
    if (view.view === undefined || this.maintainers.has(view.oid)) return;
    const database = this.catalog.databases().find((candidate) => candidate.oid === view.databaseOid);
    const searchPath = view.view.searchPath;
    const reader = this.catalog.reader(view.databaseOid, () => searchPath);
    const raw = this.parseCache.parse(view.view.definition)[0];
    if (raw === undefined) throw new SqlError(SqlState.internalError, `materialized view ${view.name} has no definition`);
    const bound = bindStatement(raw, reader, []).statement;
    if (bound.kind !== 'CreateMaterializedView') throw new SqlError(SqlState.internalError, `materialized view ${view.name} has a bad definition`);
    const plan = planView(bound.query.plan);
    const now = BigInt(Date.now()) * 1000n;
    const functions: FunctionContext = {
      database: database?.name ?? '', user: view.owner, schema: searchPath[0] ?? 'public',
      transactionTimestamp: now, statementTimestamp: now, setting: () => undefined,
      serverVersion: `PostgreSQL ${serverVersion} (Sluice ${sluiceVersion})`,
    };
    await this.storage.openTable(view);
    const maintainer = new ViewMaintainer(view, plan, joinPartOf(bound.query.plan), this.storage, this.catalog, functions, this.tables, this.indexes);
    this.maintainers.set(view.oid, maintainer);
    await maintainer.start();
    await maintainer.settled();
  }

  /** Restarts, so recomputes, the views that read any of the tables (retention deleted rows of them). */
  async recomputeReaders(tableOids: readonly number[]): Promise<void> {
    for (const [oid, maintainer] of [...this.maintainers]) {
      if (!tableOids.some((table) => maintainer.reads(table))) continue;
      await maintainer.settled();
      this.stop([oid]);
      const view = this.catalog.object(oid);
      if (view?.kind === 'table') await this.start(view);
    }
  }

  /** Stops the maintainers of views about to be dropped. */
  stop(oids: readonly number[]): void {
    for (const oid of oids) {
      this.maintainers.get(oid)?.stop();
      this.maintainers.delete(oid);
    }
  }

  /** Waits until every view has written the changes of the commits applied so far. */
  async settled(): Promise<void> {
    for (const maintainer of this.maintainers.values()) await maintainer.settled();
  }

  /** A view whose lookups need the secondary index `oid`, if any. */
  viewNeeding(oid: number): TableDef | undefined {
    for (const maintainer of this.maintainers.values()) if (maintainer.needsIndex(oid)) return maintainer.status().view;
    return undefined;
  }

  status(): ViewStatus[] {
    return [...this.maintainers.values()].map((maintainer) => maintainer.status());
  }

  stopAll(): void {
    this.stop([...this.maintainers.keys()]);
  }
}

/** The join (or single scan) under the view query's filters, projections and GROUP BY. */
function joinPartOf(plan: LogicalPlan): LogicalPlan {
  let node = plan;
  while (node.kind === 'Filter' || node.kind === 'Project' || node.kind === 'Aggregate') node = node.input;
  return node;
}
