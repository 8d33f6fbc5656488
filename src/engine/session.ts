// One client session: binds and runs statements, tracks the transaction block and the session's
// settings. Implements the wire layer's Session port; knows nothing of bytes or messages.

import type { DatabaseDef } from '../common/catalog-model.js';
import { SqlError, SqlState, notSupported, unreachable } from '../common/errors.js';
import { Types, type DataType, type Value } from '../common/types.js';
import type { FunctionContext } from '../functions/function.js';
import { buildOperator, buildResultOperator } from '../exec/batch/build.js';
import type {
  ColumnDescription, CopyInSink, Notice, ParsedStatement, PreparedStatement, RowCursor, Session, StatementOutcome, TransactionStatus,
} from '../pgwire/session.js';
import type {
  BoundAddColumn, BoundCopyFrom, BoundCreatePartition, BoundCreateTable, BoundDropTables, BoundInsert, BoundStatement, BoundTransaction,
} from '../sql/bound-statement.js';
import type { ExecContext } from '../exec/batch/operator.js';
import { commitWrites, planInsert, planModify, planRows, tooManyRows, widenRows, type TabletWrite } from './write-executor.js';
import { LogCopySink, logCopyApplies } from './log-copy-sink.js';
import { PkCopySink, pkCopyApplies } from './pk-copy-sink.js';
import { limits } from '../common/limits.js';
import { bindStatement } from '../sql/binder/statement-binder.js';
import type { CatalogReader } from '../sql/catalog-reader.js';
import type { RawStatement } from '../sql/parser.js';
import * as ddl from './ddl.js';
import { maintainAutoPartitions } from './auto-partitions.js';
import type { Engine } from './engine.js';
import { BatchRowCursor, staticCursor } from './row-cursor.js';
import { Settings, serverVersion, sluiceVersion } from './settings.js';
import { SessionCursors } from './cursors.js';
import { planStream } from '../exec/stream/stream-plan.js';
import { Subscription } from './subscribe/subscription.js';
import type { BoundCreateMaterializedView, BoundDeclareCursor, BoundDropIndexes, BoundFetch, BoundSubscribe } from '../sql/bound-statement.js';
import { SessionCatalogView } from './system/session-catalog-view.js';
import { isCatalogOidType } from '../functions/catalog-casts.js';
import { castValue } from '../functions/resolve.js';
import { SystemTableReader } from './system/system-table-reader.js';

interface EngineParsedStatement extends ParsedStatement {
  readonly raw: RawStatement | null;
}

interface EnginePreparedStatement extends PreparedStatement {
  readonly parsed: EngineParsedStatement;
  readonly bound: BoundStatement | null;
  readonly catalogVersion: number;
  /** The session settings' version it was bound under. */
  readonly settingsVersion: number;
  readonly hints: readonly (DataType | null)[];
}

type BlockState = 'none' | 'open' | 'failed';

const nowMicros = (): bigint => BigInt(Date.now()) * 1000n;

/** version()'s answer. */
const versionText = `PostgreSQL ${serverVersion} (Sluice ${sluiceVersion}) on ${process.arch}-${process.platform}, compiled by Node.js ${process.version}, 64-bit`;

export class EngineSession implements Session {
  private block: BlockState = 'none';
  private transactionStart: bigint | null = null;
  private notices: Notice[] = [];
  /** Writes of the open transaction block, committed together at COMMIT. */
  private pendingWrites: TabletWrite[] = [];
  private readonly cursors = new SessionCursors();
  /**
   * Queries bound without type hints, by parsed statement (the parse cache hands out the same one
   * for the same text): a simple-protocol query repeated is bound once while the catalog and the
   * session's settings stay as they were.
   */
  private readonly boundQueries = new WeakMap<RawStatement, EnginePreparedStatement>();
  private readonly catalogReader: CatalogReader;
  /** pg_catalog's view of the catalog, and the table reader that serves system relations from it. */
  private readonly catalogView: SessionCatalogView;
  private readonly tables: SystemTableReader;
  readonly settings: Settings;

  constructor(
    private readonly engine: Engine,
    readonly database: DatabaseDef,
    readonly user: string,
    startupSettings: ReadonlyMap<string, string>,
    readonly processId: number,
  ) {
    this.settings = new Settings(startupSettings, user);
    this.catalogReader = engine.catalog.reader(database.oid, () => this.searchPath());
    this.catalogView = new SessionCatalogView(engine.catalog, database, user, () => this.searchPath());
    this.tables = new SystemTableReader(engine.tableReader, () => ({
      view: this.catalogView, snapshot: this.catalogView.snapshot(), settings: this.settings, storage: engine.storage,
      processId, applicationName: this.settings.get('application_name') ?? '',
      views: () => engine.views.status(), applied: () => engine.storage.pipeline.appliedCommit,
      subscriptions: () => [...engine.subscriptions].map((subscription) => subscription.status()),
    }));
  }

  get transactionStatus(): TransactionStatus {
    return this.block === 'none' ? 'I' : this.block === 'open' ? 'T' : 'E';
  }

  parameterStatus(): ReadonlyMap<string, string> {
    return this.settings.reported();
  }

  parse(text: string): ParsedStatement[] {
    const statements = this.engine.parseCache.parse(text);
    if (statements.length === 0) {
      const empty: EngineParsedStatement = { text: '', isEmpty: true, raw: null };
      return [empty];
    }
    return statements.map((raw): EngineParsedStatement => ({ text: raw.text, isEmpty: false, raw }));
  }

  async prepare(statement: ParsedStatement, parameterTypeHints: readonly (DataType | null)[]): Promise<PreparedStatement> {
    const parsed = statement as EngineParsedStatement;
    const raw = parsed.raw;
    if (raw === null || parameterTypeHints.length > 0) return this.bind(parsed, parameterTypeHints);
    const known = this.boundQueries.get(raw);
    if (known !== undefined && known.catalogVersion === this.engine.catalog.version && known.settingsVersion === this.settings.version) {
      return known;
    }
    const prepared = this.bind(parsed, parameterTypeHints);
    if (prepared.bound?.kind === 'Query') this.boundQueries.set(raw, prepared);
    return prepared;
  }

  private bind(parsed: EngineParsedStatement, hints: readonly (DataType | null)[]): EnginePreparedStatement {
    const catalogVersion = this.engine.catalog.version;
    const settingsVersion = this.settings.version;
    if (parsed.raw === null) {
      return { parsed, bound: null, catalogVersion, settingsVersion, hints, parameterTypes: [], columns: null };
    }
    const streaming = this.settings.get('execution.runtime_mode') === 'streaming';
    const { statement, parameterTypes } = bindStatement(parsed.raw, this.catalogReader, hints, this.settings.get('timezone') ?? 'UTC', { streaming });
    const columns = statement.kind === 'Fetch' && !statement.move ? this.cursors.get(statement.name).columns
      : withCatalogNames(outputColumns(statement), () => this.functionContext());
    return { parsed, bound: statement, catalogVersion, settingsVersion, hints, parameterTypes, columns };
  }

  async execute(prepared: PreparedStatement, parameters: readonly Value[], signal: AbortSignal): Promise<StatementOutcome> {
    let statement = prepared as EnginePreparedStatement;
    if (statement.bound === null) return { kind: 'empty' };
    if (this.block === 'failed' && !endsFailedBlock(statement.bound)) {
      throw new SqlError(SqlState.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    if (statement.catalogVersion !== this.engine.catalog.version) statement = this.rebind(statement);
    const bound = statement.bound;
    if (bound === null) return { kind: 'empty' };
    return this.run(bound, parameters, signal, statement.columns);
  }

  /** A prepared statement bound against an older catalog is bound again; its result shape may not change. */
  private rebind(statement: EnginePreparedStatement): EnginePreparedStatement {
    const fresh = this.bind(statement.parsed, statement.parameterTypes);
    if (JSON.stringify(fresh.columns) !== JSON.stringify(statement.columns)) {
      throw new SqlError(SqlState.featureNotSupported, 'cached plan must not change result type');
    }
    return fresh;
  }

  private async run(bound: BoundStatement, parameters: readonly Value[], signal: AbortSignal,
    columns: readonly ColumnDescription[] | null): Promise<StatementOutcome> {
    refuseViewWrites(bound);
    switch (bound.kind) {
      case 'Query': {
        const operator = buildResultOperator(bound.plan);
        const batches = operator.execute(this.execContext(parameters, signal));
        return { kind: 'rows', columns: columns ?? [], cursor: new BatchRowCursor(batches, (n) => `SELECT ${n}`) };
      }
      case 'Insert': return this.insert(bound, parameters, signal, columns);
      case 'Subscribe': {
        const subscription = await this.subscribe(bound, parameters);
        if (bound.copy !== null) return { kind: 'copyOut', columns: bound.columns.map((column) => ({ ...column })), options: bound.copy, cursor: subscription };
        return { kind: 'rows', columns: columns ?? [], cursor: subscription };
      }
      case 'DeclareCursor': return this.declareCursor(bound, parameters);
      case 'Fetch': return this.fetch(bound);
      case 'ClosePortal':
        await this.cursors.close(bound.name);
        return { kind: 'command', tag: bound.name === null ? 'CLOSE CURSOR ALL' : 'CLOSE CURSOR' };
      case 'CopyFrom': return this.copyFrom(bound);
      case 'Update':
      case 'Delete': {
        const planned = await planModify(this.engine, bound, this.execContext(parameters, signal));
        if (this.block === 'open') this.pendingWrites.push(...planned.writes);
        else await commitWrites(this.engine.storage, planned.writes);
        return { kind: 'command', tag: `${bound.kind === 'Update' ? 'UPDATE' : 'DELETE'} ${planned.count}` };
      }
      case 'Truncate':
        this.refuseInBlock('TRUNCATE');
        for (const table of bound.tables) await this.engine.storage.truncate(table);
        return { kind: 'command', tag: 'TRUNCATE TABLE' };
      case 'CopyTo': {
        const batches = buildOperator(bound.plan).execute(this.execContext(parameters, signal));
        const cursor = new BatchRowCursor(batches, (n) => `COPY ${n}`);
        return { kind: 'copyOut', columns: bound.columns.map((column) => ({ ...column })), options: bound.options, cursor };
      }
      case 'Show': return this.show(bound.name, columns ?? []);
      case 'Explain':
        return { kind: 'rows', columns: columns ?? [], cursor: staticCursor(bound.lines.map((line) => [line]), () => 'EXPLAIN') };
      case 'Set': return this.set(bound.name, bound.value, bound.local);
      case 'ResetAll': this.settings.resetAll(); return { kind: 'command', tag: 'RESET' };
      case 'Transaction': return { kind: 'command', tag: await this.transaction(bound) };
      case 'Discard':
        if (this.block !== 'none') throw new SqlError(SqlState.activeSqlTransaction, 'DISCARD ALL cannot run inside a transaction block');
        if (bound.what === 'all') this.settings.resetAll();
        return { kind: 'command', tag: `DISCARD ${bound.what.toUpperCase()}` };
      case 'NoOp': return { kind: 'command', tag: bound.tag };
      case 'CreateTable':
      case 'CreatePartition':
      case 'DropTables':
      case 'AddColumn':
        return this.command(this.tableDdl(bound));
      case 'CreateIndex':
        return this.command(ddl.createIndex(this.ddlContext(), bound, this.indexBuilder()));
      case 'DropIndexes':
        this.refuseDropOfViewIndexes(bound);
        return this.command(ddl.dropIndexes(this.ddlContext(), bound, this.indexBuilder()));
      case 'CreateMaterializedView': return this.command(this.createMaterializedView(bound));
      case 'CreateSchema': return this.command(ddl.createSchema(this.ddlContext(), bound));
      case 'DropSchemas': return this.command(ddl.dropSchemas(this.ddlContext(), bound));
      case 'CreateDatabase':
        this.refuseInBlock('CREATE DATABASE');
        return this.command(ddl.createDatabase(this.ddlContext(), bound));
      case 'DropDatabase':
        this.refuseInBlock('DROP DATABASE');
        return this.command(ddl.dropDatabase(this.ddlContext(), bound));
      default:
        return unreachable(bound, 'statement');
    }
  }

  /** Creates the view's table, then fills it from a recomputation and starts maintaining it. */
  /** An index a materialized view looks its inputs up by cannot go while the view exists. */
  private refuseDropOfViewIndexes(bound: BoundDropIndexes): void {
    for (const target of bound.targets) {
      const view = this.engine.views.viewNeeding(target.indexOid);
      if (view === undefined) continue;
      const table = this.engine.catalog.object(target.tableOid);
      const index = table?.kind === 'table' ? (table.indexes ?? []).find((candidate) => candidate.oid === target.indexOid) : undefined;
      const name = index?.name ?? String(target.indexOid);
      throw new SqlError(SqlState.dependentObjectsStillExist, `cannot drop index ${name} because other objects depend on it`,
        { detail: `materialized view ${view.name} looks up ${table?.name ?? 'its input'} by index ${name}`, hint: `Drop materialized view ${view.name} first.` });
    }
  }

  private async createMaterializedView(bound: BoundCreateMaterializedView): Promise<string> {
    const view = await ddl.createMaterializedView(this.ddlContext(), bound, this.searchPath());
    if (view === null) return 'CREATE MATERIALIZED VIEW';
    try {
      await this.engine.views.start(view);
    } catch (error) {
      this.engine.views.stop([view.oid]);
      await ddl.dropTables(this.ddlContext(), { kind: 'DropTables', targets: [{ tableOid: view.oid, partitionId: null }], views: true });
      await this.engine.storage.dropTablets(view.tabletIds);
      throw error;
    }
    return 'CREATE MATERIALIZED VIEW';
  }

  /** Starts a continuous query: plans it for streaming (0A000 if it cannot be maintained) and sets its start point. */
  private async subscribe(bound: BoundSubscribe, parameters: readonly Value[]): Promise<Subscription> {
    const plan = planStream(bound.query.plan);
    const catalog = this.engine.catalog;
    const oid = plan.source.table.oid;
    const subscriptions = this.engine.subscriptions;
    const subscription = await Subscription.open({
      processId: this.processId,
      closed: (closing) => subscriptions.delete(closing),
      storage: this.engine.storage,
      feed: this.engine.feed,
      table: () => { const object = catalog.object(oid); return object?.kind === 'table' ? object : undefined; },
      functions: this.functionContext(),
      params: parameters,
    }, plan, bound.options, bound.query.columns.length);
    subscriptions.add(subscription);
    return subscription;
  }

  private async declareCursor(bound: BoundDeclareCursor, parameters: readonly Value[]): Promise<StatementOutcome> {
    const query = bound.query;
    if (query.kind === 'Query' && !bound.hold && this.block === 'none') {
      throw new SqlError(SqlState.noActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
    }
    const controller = new AbortController();
    if (query.kind === 'Subscribe') {
      const subscription = await this.subscribe(query, parameters);
      const columns = query.columns.map((column) => ({ ...column }));
      try {
        this.cursors.add({ name: bound.name, columns, rows: subscription, subscription, closesWithBlock: this.block !== 'none' && !bound.hold, controller });
      } catch (error) {
        await subscription.close();
        throw error;
      }
    } else {
      const batches = buildOperator(query.plan).execute(this.execContext(parameters, controller.signal));
      const rows = new BatchRowCursor(batches, (n) => `SELECT ${n}`);
      this.cursors.add({ name: bound.name, columns: query.columns.map((column) => ({ ...column })), rows, subscription: null, closesWithBlock: !bound.hold, controller });
    }
    return { kind: 'command', tag: 'DECLARE CURSOR' };
  }

  private fetch(bound: BoundFetch): StatementOutcome {
    const cursor = this.cursors.get(bound.name);
    const rows = this.cursors.fetch(cursor, bound.count, bound.timeoutMs, bound.move ? 'MOVE' : 'FETCH');
    if (bound.move) return { kind: 'rows', columns: [], cursor: discardRows(rows) };
    return { kind: 'rows', columns: cursor.columns, cursor: rows };
  }

  private execContext(parameters: readonly Value[], signal: AbortSignal): ExecContext {
    return { params: parameters, functions: this.functionContext(), signal, tables: this.tables };
  }

  private indexBuilder(): ddl.IndexBuilder {
    const indexes = this.engine.indexes;
    return { build: (table, index) => indexes.create(table, index), drop: (table, indexOid) => indexes.drop(table, indexOid) };
  }

  /** DDL on tables changes the catalog, then opens, evolves or drops the tablets it concerns. */
  private async tableDdl(bound: BoundCreateTable | BoundCreatePartition | BoundDropTables | BoundAddColumn): Promise<string> {
    const context = this.ddlContext();
    const storage = this.engine.storage;
    switch (bound.kind) {
      case 'CreateTable': {
        const tag = await ddl.createTable(context, bound);
        const created = this.catalogReader.relation(bound.schemaName, bound.name);
        if (created !== undefined) {
          await storage.openTable(created.table);
          await maintainAutoPartitions(this.engine.catalog, storage, created.table.oid);
        }
        return tag;
      }
      case 'CreatePartition': {
        const tag = await ddl.createPartition(context, bound);
        const parent = this.engine.catalog.object(bound.parentOid);
        if (parent?.kind === 'table') await storage.openTable(parent);
        return tag;
      }
      case 'AddColumn': {
        const tag = await ddl.addColumn(context, bound);
        const table = this.engine.catalog.object(bound.tableOid);
        if (table?.kind === 'table') await storage.evolveTable(table);
        return tag;
      }
      case 'DropTables': {
        const tabletIds = bound.targets.flatMap((target) => {
          const table = this.engine.catalog.object(target.tableOid);
          if (table?.kind !== 'table') return [];
          if (target.partitionId === null) return [...table.tabletIds, ...table.partitions.flatMap((partition) => partition.tabletIds)];
          return table.partitions.find((partition) => partition.id === target.partitionId)?.tabletIds ?? [];
        });
        this.engine.views.stop(bound.targets.filter((target) => target.partitionId === null).map((target) => target.tableOid));
        const tag = await ddl.dropTables(context, bound);
        await storage.dropTablets(tabletIds);
        return tag;
      }
      default:
        return unreachable(bound, 'table DDL');
    }
  }

  private async insert(bound: BoundInsert, parameters: readonly Value[], signal: AbortSignal,
    columns: readonly ColumnDescription[] | null): Promise<StatementOutcome> {
    const planned = await planInsert(this.engine, bound, this.execContext(parameters, signal));
    let count = planned.count;
    if (this.block === 'open') this.pendingWrites.push(...planned.writes);
    else {
      const inserted = await commitWrites(this.engine.storage, planned.writes);
      if (bound.onConflict === 'nothing') count = inserted;
    }
    const tag = `INSERT 0 ${count}`;
    if (planned.returning === null) return { kind: 'command', tag };
    return { kind: 'rows', columns: columns ?? [], cursor: staticCursor(planned.returning, () => tag) };
  }

  /** COPY FROM STDIN: rows arrive decoded; they are written as one statement at CopyDone. */
  private copyFrom(bound: BoundCopyFrom): StatementOutcome {
    const rows: Value[][] = [];
    const columns = bound.targetColumns.map((index) => {
      const column = bound.table.schema.columns[index];
      return { name: column?.name ?? '', type: column?.type ?? Types.text, tableOid: bound.table.oid, columnNumber: index + 1 };
    });
    if (this.block === 'none' && logCopyApplies(bound)) return { kind: 'copyIn', columns, options: bound.options, sink: new LogCopySink(this.engine, bound), relationName: bound.table.name };
    if (this.block === 'none' && pkCopyApplies(bound)) return { kind: 'copyIn', columns, options: bound.options, sink: new PkCopySink(this.engine, bound), relationName: bound.table.name };
    const sink: CopyInSink = {
      writeRows: async (batch) => {
        if (rows.length + batch.length > limits.statementWriteRowsMax) throw tooManyRows();
        for (const row of batch) rows.push(row);
      },
      finish: async () => {
        const full = widenRows(bound.table, bound.targetColumns, rows);
        const onConflict = bound.table.schema.primaryKey.length > 0 ? 'upsert' : 'append';
        const writes = await planRows(this.engine, { table: bound.table, partition: bound.partition, targetColumns: bound.targetColumns, onConflict, rows: full });
        if (this.block === 'open') this.pendingWrites.push(...writes);
        else await commitWrites(this.engine.storage, writes);
        return `COPY ${full.length}`;
      },
      abort: async () => { rows.length = 0; },
    };
    return { kind: 'copyIn', columns, options: bound.options, sink, relationName: bound.partition?.name ?? bound.table.name };
  }

  private async command(tag: Promise<string>): Promise<StatementOutcome> {
    return { kind: 'command', tag: await tag };
  }

  private refuseInBlock(what: string): void {
    if (this.block !== 'none') throw new SqlError(SqlState.activeSqlTransaction, `${what} cannot run inside a transaction block`);
  }

  private show(name: string, columns: readonly ColumnDescription[]): StatementOutcome {
    const rows: Value[][] = name === 'all' ? this.settings.all() : [[this.showValue(name)]];
    return { kind: 'rows', columns, cursor: staticCursor(rows, () => 'SHOW') };
  }

  private showValue(name: string): string {
    if (name === 'timezone' || name === 'time zone') return this.settings.show('timezone');
    if (name === 'transaction_isolation' || name === 'transaction isolation level') return 'serializable';
    if (name === 'session_authorization' || name === 'session authorization') return this.user;
    return this.settings.show(name);
  }

  private set(name: string, value: string | null, local: boolean): StatementOutcome {
    const canonical = name === 'time zone' ? 'timezone' : name;
    if (local && this.block === 'none') {
      this.notices.push({ severity: 'WARNING', code: '25P01', message: 'SET LOCAL can only be used in transaction blocks' });
      return { kind: 'command', tag: 'SET' };
    }
    this.settings.set(canonical, value, local, this.block !== 'none');
    return { kind: 'command', tag: value === null ? 'RESET' : 'SET' };
  }

  private async transaction(statement: BoundTransaction): Promise<string> {
    switch (statement.action) {
      case 'begin':
        if (this.block !== 'none') {
          this.notices.push({ severity: 'WARNING', code: '25001', message: 'there is already a transaction in progress' });
        } else {
          this.block = 'open';
          this.transactionStart = nowMicros();
        }
        return 'BEGIN';
      case 'commit': {
        const failed = this.block === 'failed';
        if (this.block === 'none') this.notices.push({ severity: 'WARNING', code: '25P01', message: 'there is no transaction in progress' });
        const writes = failed ? [] : this.pendingWrites;
        this.endBlock();
        await commitWrites(this.engine.storage, writes);
        return failed ? 'ROLLBACK' : 'COMMIT';
      }
      case 'rollback':
        if (this.block === 'none') this.notices.push({ severity: 'WARNING', code: '25P01', message: 'there is no transaction in progress' });
        this.endBlock();
        return 'ROLLBACK';
      case 'savepoint':
      case 'release':
      case 'rollbackTo':
        return this.savepoint(statement);
      default:
        return unreachable(statement.action, 'transaction action');
    }
  }

  private savepoint(statement: BoundTransaction): string {
    const word = statement.action === 'savepoint' ? 'SAVEPOINT' : statement.action === 'release' ? 'RELEASE' : 'ROLLBACK';
    if (this.block === 'none') {
      throw new SqlError(SqlState.noActiveSqlTransaction, `${word === 'ROLLBACK' ? 'ROLLBACK TO SAVEPOINT' : word} can only be used in transaction blocks`);
    }
    if (statement.action !== 'savepoint') throw notSupported('savepoints are not supported yet');
    return word;
  }

  private endBlock(): void {
    void this.cursors.endBlock();
    this.block = 'none';
    this.pendingWrites = [];
    this.transactionStart = null;
    this.settings.endTransaction();
  }

  statementFailed(_error: SqlError): void {
    if (this.block === 'open') this.block = 'failed';
  }

  sync(): Promise<void> | undefined {
    // Implicit transactions have nothing to commit until writes exist; settings persist.
    return undefined;
  }

  takeNotices(): Notice[] {
    const notices = this.notices;
    this.notices = [];
    return notices;
  }

  async close(): Promise<void> {
    this.endBlock();
    await this.cursors.close(null);
    this.engine.sessionClosed(this);
  }

  searchPath(): string[] {
    const raw = this.settings.get('search_path') ?? 'public';
    return raw.split(',').map((part) => part.trim().replace(/^"(.*)"$/, '$1')).map((part) => (part === '$user' ? this.user : part))
      .filter((part) => part !== '');
  }

  private functionContext(): FunctionContext {
    const statementTimestamp = nowMicros();
    const settings = this.settings;
    const reader = this.catalogReader;
    return {
      database: this.database.name,
      user: this.user,
      get schema() { return reader.searchPath()[0] ?? ''; },
      transactionTimestamp: this.transactionStart ?? statementTimestamp,
      statementTimestamp,
      setting: (name) => settings.get(name),
      catalog: this.catalogView,
      serverVersion: versionText,
    };
  }

  private ddlContext(): ddl.DdlContext {
    return {
      catalog: this.engine.catalog,
      databaseOid: this.database.oid,
      user: this.user,
      notice: (notice) => this.notices.push(notice),
      sessionsOn: (databaseOid) => this.engine.sessionsOn(databaseOid, this),
    };
  }
}

function endsFailedBlock(statement: BoundStatement): boolean {
  return statement.kind === 'Transaction' && (statement.action === 'commit' || statement.action === 'rollback' || statement.action === 'rollbackTo');
}

/** A materialized view's rows change only through its maintenance. */
function refuseViewWrites(bound: BoundStatement): void {
  const tables = bound.kind === 'Insert' || bound.kind === 'Update' || bound.kind === 'Delete' || bound.kind === 'CopyFrom' ? [bound.table]
    : bound.kind === 'Truncate' ? bound.tables : [];
  const view = tables.find((table) => table.view !== undefined);
  if (view !== undefined) throw new SqlError(SqlState.wrongObjectType, `cannot change materialized view "${view.name}"`);
}

/** MOVE: the rows are read and dropped; the tag counts them. */
function discardRows(rows: RowCursor): RowCursor {
  return {
    async next(maxRows, signal) {
      for (;;) {
        const result = await rows.next(maxRows, signal);
        if (result.done) return { rows: [], done: true };
      }
    },
    commandTag: () => rows.commandTag(),
    close: () => rows.close(),
  };
}

/** Columns of reg* types (regclass, regnamespace, regrole) print the catalog object's name, as PostgreSQL's output functions do. */
function withCatalogNames(columns: ColumnDescription[] | null, context: () => FunctionContext): ColumnDescription[] | null {
  if (columns === null) return null;
  return columns.map((column) => {
    if (!isCatalogOidType(column.type)) return column;
    const type = column.type;
    return { ...column, textOutput: (value: Value) => String(castValue(value, type, Types.text, 'explicit', context())) };
  });
}

/** The RowDescription of a bound statement, or null for statements that return no rows. */
function outputColumns(statement: BoundStatement): ColumnDescription[] | null {
  switch (statement.kind) {
    case 'Query': return statement.columns.map((column) => ({ ...column }));
    case 'Subscribe': return statement.copy === null ? statement.columns.map((column) => ({ ...column })) : null;
    case 'Explain': return [{ name: 'QUERY PLAN', type: Types.text, tableOid: 0, columnNumber: 0 }];
    case 'Insert': return statement.returning === null ? null : statement.returning.columns.map((column) => ({ ...column }));
    case 'Show':
      if (statement.name === 'all') {
        return ['name', 'setting', 'description'].map((name) => ({ name, type: Types.text, tableOid: 0, columnNumber: 0 }));
      }
      return [{ name: statement.name, type: Types.text, tableOid: 0, columnNumber: 0 }];
    default:
      return null;
  }
}
