// The engine: owns the catalog (and, with storage, the tablets) and opens sessions for the wire
// layer. Implements the SessionFactory port.

import { SqlError, SqlState } from '../common/errors.js';
import type { Session, SessionFactory, StartupInfo } from '../pgwire/session.js';
import type { TableStorage } from '../storage/table-storage.js';
import type { Catalog } from './catalog.js';
import { StorageTableReader } from './table-reader.js';
import { TableIndexes } from '../storage/table-indexes.js';
import { maintainAutoPartitions } from './auto-partitions.js';
import type { TableDef } from '../common/catalog-model.js';
import { ParseCache } from '../sql/parse-cache.js';
import { EngineSession } from './session.js';
import { CommitFeed } from './subscribe/commit-feed.js';
import type { Subscription } from './subscribe/subscription.js';
import { ViewManager } from './views/view-manager.js';

export class Engine implements SessionFactory {
  private readonly sessions = new Set<EngineSession>();

  readonly tableReader: StorageTableReader;
  readonly parseCache = new ParseCache();
  /** Shares the tailing of new commits among subscriptions. */
  readonly feed: CommitFeed;
  /** Open subscriptions (sluice_catalog.subscriptions). */
  readonly subscriptions = new Set<Subscription>();
  /** Maintains the materialized views. */
  readonly views: ViewManager;
  /** Secondary indexes across tablets, and the key lookups delta joins use (storage/table-indexes.ts). */
  readonly indexes: TableIndexes;

  constructor(readonly catalog: Catalog, readonly storage: TableStorage) {
    this.indexes = new TableIndexes(storage);
    this.tableReader = new StorageTableReader(storage, this.indexes);
    this.feed = new CommitFeed(storage.pipeline);
    this.views = new ViewManager(catalog, storage, this.tableReader, this.parseCache, this.indexes);
  }

  /** Opens the tablets of every table in the catalog (recovering them). */
  async openTables(): Promise<void> {
    await this.storage.openTables(this.catalog.databases().flatMap((database) => this.catalog.tables(database.oid)));
    await this.views.startAll();
  }

  async open(startup: StartupInfo, processId: number): Promise<Session> {
    const database = this.catalog.database(startup.database);
    if (database === undefined) {
      throw new SqlError(SqlState.invalidCatalogName, `database "${startup.database}" does not exist`, { severity: 'FATAL' });
    }
    const settings = new Map(startup.settings);
    if (startup.applicationName !== '') settings.set('application_name', startup.applicationName);
    const session = new EngineSession(this, database, startup.user, settings, processId);
    this.sessions.add(session);
    return session;
  }

  /** Starts the periodic log-retention task; returns a function that stops it. */
  startRetention(intervalMs: number): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      const tables = this.catalog.databases().flatMap((database) => this.catalog.tables(database.oid));
      this.maintain(tables).catch((error: unknown) => {
        console.error('sluice: log retention failed:', error instanceof Error ? error.message : error);
      }).finally(() => { running = false; });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async maintain(tables: readonly TableDef[]): Promise<void> {
    for (const table of tables) {
      if (table.schema.options.autoPartition !== undefined) await maintainAutoPartitions(this.catalog, this.storage, table.oid);
    }
    const cut: TableDef[] = [];
    await this.storage.enforceRetention(tables, Date.now(), (table) => cut.push(table));
    // A view over a log table counts its rows; the ones retention deleted leave its query.
    if (cut.length > 0) await this.views.recomputeReaders(cut.map((table) => table.oid));
  }

  sessionClosed(session: EngineSession): void {
    this.sessions.delete(session);
  }

  /** Open sessions on a database, not counting `except`. */
  sessionsOn(databaseOid: number, except: EngineSession): number {
    let count = 0;
    for (const session of this.sessions) if (session !== except && session.database.oid === databaseOid) count++;
    return count;
  }
}
