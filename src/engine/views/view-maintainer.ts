// Keeps one materialized view up to date with a delta join. After every commit that changes one
// of its inputs is applied — and before the next commit is (a commit pipeline apply hook) — the
// maintainer computes the view's changes from the commit's changes alone:
//   Δ(A ⋈ B ⋈ ...) = Σ over non-empty sets S of changed inputs of (−1)^(|S|+1) · (Δ of S ⋈ the
//   others' current rows),
// where "current rows" are read from the other inputs' KV tablets by primary key or key prefix,
// as of exactly that commit. No join state is kept in memory; a GROUP BY above the join keeps only
// its per-group aggregate state. The view's changes are written to its own primary-key table as
// later commits, in order, by one writer (so it also has a changelog and can be subscribed to);
// a view with a target table writes the same changes there, in the same commit, as partial updates.
// A view with a LEFT JOIN (a rooted join, see view-plan.ts) is maintained root row by root row
// instead: the commit's changes name the root rows they can affect (a root row changed, or reached
// from a changed row of another input by lookups toward the root); each such root row's joined rows
// are computed as of before the commit (the current rows with the commit's changes undone) and as of
// after it, and the difference goes on. A root row without a match on a LEFT JOIN's right side
// keeps NULLs there, so a match appearing or disappearing moves the row between the two forms.
// A new view without GROUP BY is filled as its query's rows stream out, in commits of their own,
// without holding the view in memory.
// Restarts: before each write of the view, the maintainer records (beside the view's first tablet)
// how far it has read each input — the log end offset of every input tablet — as of the view's rows
// before the write and as of the write, and its own log end offsets before the write. At start, the
// view's log ends say which holds: if no log grew, the write did not become durable and the rows
// are the view as of the first positions; if they grew, the write did (a commit is durable
// whole or not at all) and the rows are the view as of the second. The inputs' changes since then
// are read back from their logs and maintained as one commit against the inputs' rows now: nothing
// is lost or applied twice, and the work is that of the changes missed. When that cannot be known
// (no record, a write whose starting point was unknown, an input's log cut by retention or
// TRUNCATE) and for views with GROUP BY (whose aggregate state lives in memory), the view is
// recomputed in batch while no commit is in flight and the difference from its stored rows is
// written first.

import type { TableDef } from '../../common/catalog-model.js';
import { SqlError, SqlState } from '../../common/errors.js';
import type { Value } from '../../common/types.js';
import { buildOperator } from '../../exec/batch/build.js';
import type { ExecContext, TableReader } from '../../exec/batch/operator.js';
import { valueKey } from '../../exec/aggregate/accumulator.js';
import type { CompiledExpr } from '../../exec/expr/compile.js';
import { compileExpr } from '../../exec/expr/compile.js';
import type { ChangeChunk } from '../../exec/stream/change-chunk.js';
import { consolidate } from '../../exec/stream/consolidate.js';
import { StreamPipeline } from '../../exec/stream/pipeline.js';
import { fixedColumns, lookupPath, viewNeedsIndex, type LookupPath, type ViewInput, type ViewPlan } from '../../exec/stream/view-plan.js';
import type { TableIndexes } from '../../storage/table-indexes.js';
import type { FunctionContext } from '../../functions/function.js';
import type { LogicalPlan } from '../../sql/plan/logical-plan.js';
import { optimize } from '../../sql/optimizer/optimize.js';
import type { AppendedBatch, ApplyHook, CommitInfo } from '../../storage/commit/commit-pipeline.js';
import { ChangeType } from '../../storage/kv/change-batch.js';
import type { LogTablet } from '../../storage/log/log-tablet.js';
import type { TableStorage } from '../../storage/table-storage.js';
import type { Catalog } from '../catalog.js';
import { commitWrites, planRows, type TabletWrite } from '../write-executor.js';
import { WriteRouter } from '../write-router.js';

/** A partially joined row: the joined-row array (unfilled inputs NULL) and its multiplicity. */
interface Partial { readonly row: Value[]; readonly diff: number }

/** An input row (scan layout) as it was before a commit and as it is after it (null: absent). */
interface RowChange { readonly before: Value[] | null; after: Value[] | null }

/** Which rows a rooted-join lookup sees: as of before the commit, after it, or both (a superset, to find affected rows). */
type RowState = 'before' | 'after' | 'either';

export interface ViewStatus {
  readonly view: TableDef;
  /** Source commits applied to the view's inputs whose view changes are not yet written. */
  readonly pendingCommits: number;
  /** Commit time of the oldest source commit not yet reflected in the view, or null. */
  readonly oldestPendingMs: number | null;
  readonly lastSourceSequence: bigint;
  /** Input change records (all input tablets) after those the view's written rows reflect. */
  readonly recordsBehind: bigint;
  /** How the view was brought up to date when maintenance (re)started (see the file comment). */
  readonly startedFrom: 'fill' | 'progress' | 'recompute';
  /** Why maintenance stopped, if it did. */
  readonly error: string | null;
}

export class ViewMaintainer {
  private readonly pipeline: StreamPipeline;
  private readonly condition: CompiledExpr | null;
  /** Rooted joins: each input's compiled ON condition, and the filter inside the join tree. */
  private readonly onConditions: (CompiledExpr | null)[];
  private readonly rootedFilter: CompiledExpr | null;
  private readonly width: number;
  private readonly routers: WriteRouter[];
  /** Input indexes each input table's log tablets feed. */
  private readonly inputsOfLog = new Map<LogTablet, number[]>();
  private readonly hook: ApplyHook = (info, batches) => this.applied(info, batches);
  /** View writes waiting to be committed, in order, with the source commit (time, input positions) they reflect. */
  private queue: { changes: Map<string, Value[] | null>; sourceMs: number; sequence: bigint; positions: ReadonlyMap<number, bigint> }[] = [];
  /** Input log tablets by tablet id, and the end offset of each as of the last source commit heard of. */
  private readonly tabletOfLog = new Map<LogTablet, number>();
  private positions = new Map<number, bigint>();
  /** The positions as of the last source commit wholly maintained (its changes, if any, queued). */
  private maintained: ReadonlyMap<number, bigint> = new Map();
  /** The input positions the view's written rows reflect; null when unknown (before a recompute is written). */
  private written: ReadonlyMap<number, bigint> | null = null;
  private startedFrom: ViewStatus['startedFrom'] = 'recompute';
  private progressWrites: Promise<void> = Promise.resolve();
  /** Input change records heard since the last progress record (see applied). */
  private recordsSinceProgress = 0;
  private writing: Promise<void> | null = null;
  /** View rows waiting in `queue`; above queuedRowsHigh new commits wait until the writer is below queuedRowsLow. */
  private queuedRows = 0;
  /** The writer loop runs (see writeQueued). */
  private writerActive = false;
  private lastSource = 0n;
  private stopped = false;
  /** liveInput's answer per input, for the table definition it was made from. */
  private readonly liveInputs = new Map<number, { table: TableDef; input: ViewInput }>();
  failure: SqlError | null = null;

  constructor(private readonly view: TableDef, private readonly plan: ViewPlan, private readonly joinPart: LogicalPlan,
    private readonly storage: TableStorage, private readonly catalog: Catalog, private readonly functions: FunctionContext,
    private readonly tables: TableReader, private readonly indexes: TableIndexes) {
    this.pipeline = new StreamPipeline(plan.stream, functions, []);
    this.condition = plan.condition === null ? null : compileExpr(plan.condition, functions);
    this.onConditions = (plan.rooted?.steps ?? []).map((step) => (step?.on == null ? null : compileExpr(step.on, functions)));
    this.rootedFilter = plan.rooted?.filter == null ? null : compileExpr(plan.rooted.filter, functions);
    this.width = plan.inputs.reduce((sum, input) => sum + input.width, 0);
    this.routers = plan.inputs.map((input) => new WriteRouter(input.table));
    this.mapTablets();
  }

  private mapTablets(): void {
    this.inputsOfLog.clear();
    this.tabletOfLog.clear();
    this.plan.inputs.forEach((input, index) => {
      for (const tablet of this.storage.allTablets(this.current(input.table))) {
        this.tabletOfLog.set(tablet.log, tablet.tabletId);
        const list = this.inputsOfLog.get(tablet.log) ?? [];
        list.push(index);
        this.inputsOfLog.set(tablet.log, list);
      }
    });
  }

  private current(table: TableDef): TableDef {
    const found = this.catalog.object(table.oid);
    return found?.kind === 'table' ? found : table;
  }

  /**
   * Brings the view up to date while no commit is in flight — by the inputs' changes since its
   * recorded progress, or by recomputing it — and starts following its inputs' commits.
   */
  async start(): Promise<void> {
    await this.storage.pipeline.exclusive(async () => {
      this.positions = this.inputEnds();
      this.maintained = this.positions;
      this.lastSource = this.storage.pipeline.appliedCommit.sequence;
      if (!this.pipeline.stateful && await this.storedEmpty()) {
        this.startedFrom = 'fill';
        await this.fill();
        // The fill's own commits ran inside the exclusive section, without apply hooks.
        this.lastSource = this.storage.pipeline.appliedCommit.sequence;
        await this.recordProgress(this.positions, this.positions);
        this.written = this.positions;
      } else if (!this.pipeline.stateful && await this.resume()) {
        this.startedFrom = 'progress';
      } else {
        this.startedFrom = 'recompute';
        const changes = await this.recomputedChanges();
        if (changes.size > 0) this.enqueue(changes, Date.now(), this.lastSource);
        else {
          await this.recordProgress(this.positions, this.positions);
          this.written = this.positions;
        }
      }
      this.storage.pipeline.addApplyHook(this.hook);
    });
  }

  /** The difference between the view recomputed in batch and its stored rows. */
  private async recomputedChanges(): Promise<Map<string, Value[] | null>> {
    const computed = await this.recompute();
    const stored = await this.storedRows();
    const changes = new Map<string, Value[] | null>();
    for (const [key, row] of computed) {
      const old = stored.get(key);
      if (old === undefined || !sameValues(old, row)) changes.set(key, row);
    }
    for (const [key, row] of stored) if (!computed.has(key)) changes.set(key, keyOnly(row));
    return changes;
  }

  /** Each input tablet's log end offset now, by tablet id. */
  private inputEnds(): Map<number, bigint> {
    const ends = new Map<number, bigint>();
    for (const [log, tabletId] of this.tabletOfLog) ends.set(tabletId, log.endOffset);
    return ends;
  }

  /**
   * Records, before a write of the view (and whenever the view is up to date at start), the input
   * positions its rows reflect now (`from`, null if unknown) and will reflect once the write is
   * durable (`to`), with the view's log ends now. Not synced: RocksDB keeps it across a crash of
   * the process; after a crash of the machine an older record whose log ends no longer tell may be
   * found, and the view is then recomputed.
   */
  private recordProgress(from: ReadonlyMap<number, bigint> | null, to: ReadonlyMap<number, bigint>): Promise<void> {
    // One at a time, in order: a record written late must not replace a newer one.
    const record = this.progressWrites.then(() => this.writeProgress(from, to));
    this.progressWrites = record.catch(() => undefined);
    this.recordsSinceProgress = 0;
    return record;
  }

  private async writeProgress(from: ReadonlyMap<number, bigint> | null, to: ReadonlyMap<number, bigint>): Promise<void> {
    const tablets = this.storage.allTablets(this.view);
    if (tablets.length === 0) return;
    const entries = (positions: ReadonlyMap<number, bigint>): [number, string][] => [...positions].map(([tabletId, offset]) => [tabletId, String(offset)]);
    const progress: StoredProgress = {
      format: progressFormat,
      from: from === null ? null : entries(from),
      to: entries(to),
      view: tablets.map((tablet) => [tablet.tabletId, String(tablet.log.endOffset)]),
    };
    await this.storage.writeViewProgress(tablets[0]!.tabletId, Buffer.from(JSON.stringify(progress)));
  }

  /**
   * Maintains the inputs' changes since the positions the stored rows reflect (see the file
   * comment) as one commit, if the record tells them and every input log still holds the changes
   * after them. False otherwise.
   */
  private async resume(): Promise<boolean> {
    const tablets = this.storage.allTablets(this.view);
    const bytes = tablets.length === 0 ? undefined : await this.storage.readViewProgress(tablets[0]!.tabletId);
    if (bytes === undefined) return false;
    let progress: StoredProgress;
    try {
      progress = JSON.parse(bytes.toString('utf8')) as StoredProgress;
    } catch {
      return false;
    }
    if (progress.format !== progressFormat) return false;
    const ends = new Map(progress.view.map(([tabletId, offset]) => [tabletId, BigInt(offset)]));
    if (ends.size !== tablets.length || tablets.some((tablet) => !ends.has(tablet.tabletId) || tablet.log.endOffset < ends.get(tablet.tabletId)!)) return false;
    const grew = tablets.some((tablet) => tablet.log.endOffset > ends.get(tablet.tabletId)!);
    const reflected = grew ? progress.to : progress.from;
    if (reflected === null) return false;
    const from = new Map(reflected.map(([tabletId, offset]) => [tabletId, BigInt(offset)]));
    const reads: { log: LogTablet; from: bigint }[] = [];
    for (const [log, tabletId] of this.tabletOfLog) {
      const offset = from.get(tabletId) ?? 0n;
      if (offset > log.endOffset || (offset < log.startOffset && offset < log.endOffset)) return false;
      if (offset < log.endOffset) reads.push({ log, from: offset });
    }
    this.written = from;
    const batches: AppendedBatch[] = [];
    for (const { log, from: offset } of reads) {
      for await (const read of log.read(offset)) {
        batches.push({ log, baseOffset: read.baseOffset, batch: { rowCount: read.recordCount, columns: read.columns } });
      }
    }
    if (batches.length > 0) {
      const records = batches.reduce((sum, appended) => sum + appended.batch.rowCount, 0);
      console.error(`sluice: materialized view ${this.view.name} resumes from its recorded progress: ${records} input change records to catch up on`);
    }
    if (batches.length > 0) await this.maintain({ sequence: this.lastSource, timestampMs: Date.now() }, batches);
    if (this.queue.length === 0) {
      await this.recordProgress(this.positions, this.positions);
      this.written = this.positions;
    }
    return true;
  }

  /** Whether the view reads table `oid`. */
  reads(oid: number): boolean {
    return this.plan.inputs.some((input) => input.table.oid === oid);
  }

  /** Whether the view's lookups need the secondary index `oid` (the indexes its inputs have now considered). */
  needsIndex(oid: number): boolean {
    return viewNeedsIndex({ ...this.plan, inputs: this.plan.inputs.map((_, input) => this.liveInput(input)) }, oid);
  }

  /** An input with the secondary indexes its table has now (indexes come and go while the view runs). */
  private liveInput(input: number): ViewInput {
    const spec = this.plan.inputs[input]!;
    const table = this.current(spec.table);
    const cached = this.liveInputs.get(input);
    if (cached !== undefined && cached.table === table) return cached.input;
    const columns = table.schema.columns;
    const live: ViewInput = {
      ...spec,
      indexes: (table.indexes ?? []).map((index) => ({
        oid: index.oid, name: index.name, columns: index.columns.map((name) => columns.findIndex((column) => column.name === name)),
      })),
    };
    this.liveInputs.set(input, { table, input: live });
    return live;
  }

  stop(): void {
    this.stopped = true;
    this.storage.pipeline.removeApplyHook(this.hook);
    this.queue = [];
    this.queuedRows = 0;
    this.storage.pipeline.release(this);
  }

  status(): ViewStatus {
    const oldest = this.queue[0];
    let recordsBehind = 0n;
    for (const [log, tabletId] of this.tabletOfLog) {
      const behind = log.endOffset - (this.written?.get(tabletId) ?? 0n);
      if (behind > 0n) recordsBehind += behind;
    }
    return {
      view: this.view, pendingCommits: this.queue.length, oldestPendingMs: oldest?.sourceMs ?? null, lastSourceSequence: this.lastSource,
      recordsBehind, startedFrom: this.startedFrom, error: this.failure?.message ?? null,
    };
  }

  /** Waits until every queued view write is committed. */
  async settled(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  private keyOf(row: readonly Value[]): string {
    return this.plan.key.map((position) => valueKey(row[position] ?? null)).join('\u0002');
  }

  /** The view's rows computed in batch from its inputs, by key. */
  private async recompute(): Promise<Map<string, Value[]>> {
    const context = this.execContext();
    const result = new Map<string, Value[]>();
    const take = (chunk: ChangeChunk): void => {
      for (const row of chunk.rows) result.set(this.keyOf(row), row);
    };
    for await (const batch of buildOperator(optimize(this.joinPart)).execute(context)) {
      const chunk = { rows: batch, diffs: batch.map(() => 1) };
      if (this.pipeline.stateful) this.pipeline.load(chunk);
      else take(this.pipeline.push(chunk));
    }
    if (this.pipeline.stateful) take(this.pipeline.current());
    return result;
  }

  /** Whether the view's table has no rows (a view just created). */
  private async storedEmpty(): Promise<boolean> {
    for await (const batch of this.storage.scanKv(this.view, this.storage.allTablets(this.view), new AbortController().signal, { limit: 1 })) {
      if (batch.length > 0) return false;
    }
    return true;
  }

  /**
   * Fills an empty view without GROUP BY as its rows stream out of the batch query, a commit per
   * fillRowsPerCommit rows, while no other commit runs (so the inputs hold still): memory stays
   * that of the query, not of the view.
   */
  private async fill(): Promise<void> {
    let pending = new Map<string, Value[] | null>();
    for await (const batch of buildOperator(optimize(this.joinPart)).execute(this.execContext())) {
      const output = this.pipeline.push({ rows: batch, diffs: batch.map(() => 1) });
      for (const row of output.rows) pending.set(this.keyOf(row), row);
      if (pending.size >= fillRowsPerCommit) {
        await this.writeChanges(pending, true);
        pending = new Map();
      }
    }
    if (pending.size > 0) await this.writeChanges(pending, true);
  }

  private async storedRows(): Promise<Map<string, Value[]>> {
    const rows = new Map<string, Value[]>();
    const width = this.view.schema.columns.length;
    for await (const batch of this.storage.scanKv(this.view, this.storage.allTablets(this.view), new AbortController().signal)) {
      for (const row of batch) {
        const values = row.slice(0, width);
        rows.set(this.keyOf(values), values);
      }
    }
    return rows;
  }

  private execContext(): ExecContext {
    return { params: [], functions: this.functions, signal: new AbortController().signal, tables: this.tables };
  }

  /** The apply hook: the view's changes from one applied commit, read as of that commit. */
  private async applied(info: CommitInfo, batches: readonly AppendedBatch[]): Promise<void> {
    if (this.stopped || this.failure !== null) return;
    let moved: Map<number, bigint> | null = null;
    for (const appended of batches) {
      const tabletId = this.tabletOfLog.get(appended.log);
      if (tabletId === undefined) continue;
      moved ??= new Map(this.positions);
      moved.set(tabletId, appended.baseOffset + BigInt(appended.batch.rowCount));
      this.recordsSinceProgress += appended.batch.rowCount;
    }
    if (moved !== null) this.positions = moved;
    try {
      await this.maintain(info, batches);
      this.maintained = this.positions;
      if (this.queue.length === 0) {
        this.written = this.maintained;
        // Changes that leave the view as it is move no write's record along; without this, a
        // restart would read them all back.
        if (this.recordsSinceProgress >= progressEveryRecords) await this.recordProgress(this.written, this.written);
      }
    } catch (error) {
      // The view can no longer follow its inputs; it says so in sluice_catalog.materialized_views
      // and is recomputed at the next start.
      this.failure = error instanceof SqlError ? error : new SqlError('XX000', String(error));
      console.error(`sluice: maintaining materialized view ${this.view.name} failed: ${this.failure.message}`);
    }
  }

  private async maintain(info: CommitInfo, batches: readonly AppendedBatch[]): Promise<void> {
    if (this.plan.rooted !== null) {
      await this.maintainRooted(info, batches);
      return;
    }
    const deltas = new Map<number, Partial[]>();
    for (const appended of batches) {
      const inputs = this.inputsOfLog.get(appended.log);
      if (inputs === undefined) continue;
      for (const input of inputs) {
        const list = deltas.get(input) ?? [];
        this.decode(input, appended, list);
        deltas.set(input, list);
      }
    }
    this.lastSource = info.sequence;
    if (deltas.size === 0) return;
    const joined: ChangeChunk = { rows: [], diffs: [] };
    const changed = [...deltas.keys()];
    for (let mask = 1; mask < 1 << changed.length; mask++) {
      const set = changed.filter((_, bit) => (mask & (1 << bit)) !== 0);
      const sign = set.length % 2 === 1 ? 1 : -1;
      for (const partial of await this.joinTerm(set, deltas)) {
        if (this.condition !== null && this.condition(partial.row, []) !== true) continue;
        joined.rows.push(partial.row);
        joined.diffs.push(sign * partial.diff);
      }
    }
    this.emit(info, joined);
  }

  /** Runs the joined rows' changes through the stream nodes above the join and queues the view's changes. */
  private emit(info: CommitInfo, joined: ChangeChunk): void {
    const output = this.pipeline.push(joined);
    const flushed = this.pipeline.flush();
    const all: ChangeChunk = { rows: [...output.rows, ...flushed.rows], diffs: [...output.diffs, ...flushed.diffs] };
    const changes = new Map<string, Value[] | null>();
    for (const change of consolidate(all, this.plan.key)) {
      const key = this.keyOf(change.row);
      if (change.kind === 'insert' || change.kind === 'update_after') changes.set(key, change.row);
      else if (change.kind === 'delete') changes.set(key, keyOnly(change.row));
    }
    if (changes.size > 0) this.enqueue(changes, info.timestampMs, info.sequence);
  }

  // ---- rooted joins (views with a LEFT JOIN) ---------------------------------------------------

  private async maintainRooted(info: CommitInfo, batches: readonly AppendedBatch[]): Promise<void> {
    const changes = new Map<number, Map<string, RowChange>>();
    for (const appended of batches) {
      for (const input of this.inputsOfLog.get(appended.log) ?? []) {
        const changed = changes.get(input) ?? new Map<string, RowChange>();
        this.decodeChanges(input, appended, changed);
        changes.set(input, changed);
      }
    }
    this.lastSource = info.sequence;
    if (changes.size === 0) return;
    const roots = await this.affectedRoots(changes);
    const before: Value[][] = [];
    const after: Value[][] = [];
    for (const change of roots.values()) {
      if (change.before !== null) before.push(change.before);
      if (change.after !== null) after.push(change.after);
    }
    const removed = await this.expandRooted(before, 'before', changes);
    const added = await this.expandRooted(after, 'after', changes);
    this.emit(info, { rows: [...added, ...removed], diffs: [...added.map(() => 1), ...removed.map(() => -1)] });
  }

  /** Each changed row of an input by primary key: its first record's row before, its last record's row after. */
  private decodeChanges(input: number, appended: AppendedBatch, into: Map<string, RowChange>): void {
    const spec = this.plan.inputs[input]!;
    const columns = appended.batch.columns;
    const tableWidth = spec.table.schema.columns.length;
    for (let i = 0; i < appended.batch.rowCount; i++) {
      const code = Number(columns[0]![i]);
      const row = new Array<Value>(spec.width).fill(null);
      for (let c = 0; c < tableWidth; c++) row[c] = columns[c + 1]?.[i] ?? null;
      const id = this.rowId(input, row);
      let change = into.get(id);
      if (change === undefined) {
        const existed = code !== ChangeType.insert;
        change = { before: existed ? row : null, after: existed ? row : null };
        into.set(id, change);
      }
      if (code === ChangeType.insert || code === ChangeType.updateAfter) change.after = row;
      else if (code === ChangeType.delete) change.after = null;
    }
  }

  private rowId(input: number, row: readonly Value[]): string {
    return this.plan.inputs[input]!.keyColumns.map((column) => valueKey(row[column] ?? null)).join('\u0002');
  }

  /** The root rows whose joined rows the changes can alter, each as before and after the commit. */
  private async affectedRoots(changes: ReadonlyMap<number, ReadonlyMap<string, RowChange>>): Promise<Map<string, RowChange>> {
    const rootChanges = changes.get(0);
    const roots = new Map<string, RowChange>(rootChanges ?? []);
    const inputs = this.plan.inputs;
    for (const [input, changed] of changes) {
      if (input === 0) continue;
      let partials: Value[][] = [];
      for (const change of changed.values()) {
        for (const image of change.before === change.after ? [change.after] : [change.before, change.after]) {
          if (image === null) continue;
          const row = new Array<Value>(this.width).fill(null);
          for (let c = 0; c < image.length; c++) row[inputs[input]!.offset + c] = image[c] ?? null;
          partials.push(row);
        }
      }
      const visited = new Set([input]);
      for (const next of this.plan.rooted!.towardRoot[input]!) {
        const fixed = fixedColumns(next, visited, this.plan.edges);
        partials = await this.extendRooted(partials, next, fixed, this.pathInto(next, fixed), 'either', changes, 'inner', null);
        visited.add(next);
      }
      for (const partial of partials) {
        const root = partial.slice(0, inputs[0]!.width);
        const id = this.rowId(0, root);
        if (!roots.has(id)) roots.set(id, { before: root, after: root });
      }
    }
    return roots;
  }

  /** The joined rows of root rows as of before or after the commit: each join in FROM order, by lookups. */
  private async expandRooted(roots: readonly Value[][], state: 'before' | 'after', changes: ReadonlyMap<number, ReadonlyMap<string, RowChange>>):
    Promise<Value[][]> {
    const rooted = this.plan.rooted!;
    let partials = roots.map((root) => {
      const row = new Array<Value>(this.width).fill(null);
      for (let c = 0; c < root.length; c++) row[c] = root[c] ?? null;
      return row;
    });
    const visited = new Set([0]);
    for (let input = 1; input < this.plan.inputs.length && partials.length > 0; input++) {
      const step = rooted.steps[input]!;
      const fixed = fixedColumns(input, visited, this.plan.edges);
      partials = await this.extendRooted(partials, input, fixed, this.pathInto(input, fixed), state, changes, step.kind,
        this.onConditions[input] ?? null);
      visited.add(input);
    }
    return this.rootedFilter === null ? partials : partials.filter((row) => this.rootedFilter!(row, []) === true);
  }

  /**
   * Joins each partial row with the input's rows (as of `state`) whose columns equal the fixed ones
   * and that pass `on`; on a left join a row without any keeps NULLs for the input.
   */
  private async extendRooted(partials: readonly Value[][], input: number, fixed: ReadonlyMap<number, { input: number; column: number }>,
    path: LookupPath, state: RowState, changes: ReadonlyMap<number, ReadonlyMap<string, RowChange>>, kind: 'inner' | 'left',
    on: CompiledExpr | null): Promise<Value[][]> {
    const spec = this.plan.inputs[input]!;
    const sources = path.columns.map((column) => fixed.get(column)!);
    const idOf = (values: readonly Value[]): string => values.map((value) => valueKey(value)).join('\u0002');
    const valuesOf = (row: readonly Value[]): Value[] => sources.map((source) => row[this.plan.inputs[source.input]!.offset + source.column] ?? null);
    const wanted = new Map<string, Value[]>();
    for (const partial of partials) {
      const values = valuesOf(partial);
      if (!values.some((value) => value === null)) wanted.set(idOf(values), values);
    }
    const current = await this.lookup(this.current(spec.table), input, path, [...wanted.values()]);
    const seen = new Map<string, Value[][]>();
    const rowsFor = (values: readonly Value[]): Value[][] => {
      const id = idOf(values);
      let rows = seen.get(id);
      if (rows === undefined) {
        rows = this.rowsAsOf(current.get(id) ?? [], input, path, values, state, changes.get(input));
        seen.set(id, rows);
      }
      return rows;
    };
    const out: Value[][] = [];
    for (const partial of partials) {
      const values = valuesOf(partial);
      let matched = false;
      if (!values.some((value) => value === null)) {
        for (const candidate of rowsFor(values)) {
          const row = partial.slice();
          for (let c = 0; c < spec.width; c++) row[spec.offset + c] = candidate[c] ?? null;
          // `on` holds every equality of the join, also those the lookup's key or index prefix did not cover.
          if (on !== null && on(row, []) !== true) continue;
          out.push(row);
          matched = true;
        }
      }
      if (!matched && kind === 'left') out.push(partial);
    }
    return out;
  }

  /** An input's rows for one lookup as of `state`: the current rows with the commit's changes undone for 'before'. */
  private rowsAsOf(rows: readonly Value[][], input: number, path: LookupPath, values: readonly Value[], state: RowState,
    changed: ReadonlyMap<string, RowChange> | undefined): Value[][] {
    if (changed === undefined || state === 'after') return [...rows];
    const out = state === 'before' ? rows.filter((row) => !changed.has(this.rowId(input, row))) : [...rows];
    for (const change of changed.values()) {
      if (change.before === null || (state === 'either' && change.before === change.after)) continue;
      if (path.columns.every((column, index) => valueKey(change.before![column] ?? null) === valueKey(values[index] ?? null))) out.push(change.before);
    }
    return out;
  }

  private pathInto(input: number, fixed: ReadonlyMap<number, unknown>): LookupPath {
    const path = lookupPath(this.liveInput(input), fixed);
    if (path === null) throw new SqlError('XX000', `internal error (a bug in Sluice): no lookup path into ${this.plan.inputs[input]!.table.name}`);
    return path;
  }

  /** A change record of an input as a partial joined row with its multiplicity. */
  private decode(input: number, appended: AppendedBatch, into: Partial[]): void {
    const spec = this.plan.inputs[input]!;
    const columns = appended.batch.columns;
    const tableWidth = spec.table.schema.columns.length;
    // A primary-key table's log starts with the change type; a log table's records are all appends.
    const changeTypes = spec.keyColumns.length > 0 ? columns[0]! : null;
    const first = changeTypes === null ? 0 : 1;
    for (let i = 0; i < appended.batch.rowCount; i++) {
      const code = changeTypes === null ? ChangeType.insert : Number(changeTypes[i]);
      const row = new Array<Value>(this.width).fill(null);
      for (let c = 0; c < tableWidth; c++) row[spec.offset + c] = columns[c + first]?.[i] ?? null;
      into.push({ row, diff: code === ChangeType.insert || code === ChangeType.updateAfter ? 1 : -1 });
    }
  }

  /**
   * One term of the delta join: the changes of the inputs in `set` joined with each other in memory
   * and with the current rows of the other inputs, reached by key lookups.
   */
  private async joinTerm(set: readonly number[], deltas: ReadonlyMap<number, Partial[]>): Promise<Partial[]> {
    const start = set[0]!;
    let partials = deltas.get(start)!.map((partial) => ({ row: [...partial.row], diff: partial.diff }));
    const visited = new Set([start]);
    const inputs = this.plan.inputs;
    while (visited.size < inputs.length && partials.length > 0) {
      let next = -1;
      for (let candidate = 0; candidate < inputs.length && next < 0; candidate++) {
        if (visited.has(candidate) || !set.includes(candidate)) continue;
        if (fixedColumns(candidate, visited, this.plan.edges).size > 0) next = candidate;
      }
      for (let candidate = 0; candidate < inputs.length && next < 0; candidate++) {
        if (visited.has(candidate) || set.includes(candidate)) continue;
        if (lookupPath(this.liveInput(candidate), fixedColumns(candidate, visited, this.plan.edges)) !== null) next = candidate;
      }
      if (next < 0) throw new SqlError('XX000', `internal error (a bug in Sluice): view ${this.view.name} cannot reach all its inputs`);
      const fixed = fixedColumns(next, visited, this.plan.edges);
      partials = set.includes(next)
        ? this.extendWithDeltas(partials, next, fixed, deltas.get(next) ?? [])
        : await this.extendByLookup(partials, next, fixed);
      visited.add(next);
    }
    return partials;
  }

  private extendWithDeltas(partials: readonly Partial[], input: number, fixed: ReadonlyMap<number, { input: number; column: number }>,
    changes: readonly Partial[]): Partial[] {
    const spec = this.plan.inputs[input]!;
    const out: Partial[] = [];
    const byKey = new Map<string, Partial[]>();
    const entries = [...fixed];
    for (const change of changes) {
      const key = entries.map(([column]) => valueKey(change.row[spec.offset + column] ?? null)).join('\u0002');
      const list = byKey.get(key) ?? [];
      list.push(change);
      byKey.set(key, list);
    }
    for (const partial of partials) {
      const key = entries.map(([, source]) => valueKey(partial.row[this.plan.inputs[source.input]!.offset + source.column] ?? null)).join('\u0002');
      for (const change of byKey.get(key) ?? []) {
        const row = [...partial.row];
        for (let c = 0; c < spec.width; c++) row[spec.offset + c] = change.row[spec.offset + c] ?? null;
        out.push({ row, diff: partial.diff * change.diff });
      }
    }
    return out;
  }

  /** Joins each partial row with the input's current rows, found by key, key prefix or index. */
  private async extendByLookup(partials: readonly Partial[], input: number, fixed: ReadonlyMap<number, { input: number; column: number }>): Promise<Partial[]> {
    const spec = this.plan.inputs[input]!;
    const table = this.current(spec.table);
    const path = lookupPath(this.liveInput(input), fixed);
    if (path === null) throw new SqlError('XX000', `internal error (a bug in Sluice): no lookup path into ${table.name}`);
    const sources = path.columns.map((column) => fixed.get(column)!);
    const idOf = (values: readonly Value[]): string => values.map((value) => valueKey(value)).join('\u0002');
    const valuesOf = (partial: Partial): Value[] => sources.map((source) => partial.row[this.plan.inputs[source.input]!.offset + source.column] ?? null);
    const wanted = new Map<string, Value[]>();
    for (const partial of partials) {
      const values = valuesOf(partial);
      if (!values.some((value) => value === null)) wanted.set(idOf(values), values);
    }
    const found = await this.lookup(table, input, path, [...wanted.values()]);
    const out: Partial[] = [];
    for (const partial of partials) {
      for (const match of found.get(idOf(valuesOf(partial))) ?? []) {
        const row = [...partial.row];
        for (let c = 0; c < match.length; c++) row[spec.offset + c] = match[c] ?? null;
        out.push({ row, diff: partial.diff });
      }
    }
    return out;
  }

  /** Current rows (scan layout, _bucket NULL) by key, key prefix or index prefix, read from RocksDB. */
  private async lookup(table: TableDef, input: number, path: LookupPath, keys: readonly Value[][]): Promise<Map<string, Value[][]>> {
    const found = new Map<string, Value[][]>();
    if (keys.length === 0) return found;
    const schema = table.schema;
    const width = schema.columns.length;
    const idOf = (values: readonly Value[]): string => values.map((value) => valueKey(value)).join('\u0002');
    const scanRow = (row: readonly Value[]): Value[] => [...row.slice(0, width), null, null, null];
    if (path.kind === 'key' && path.columns.length === schema.primaryKey.length) {
      const router = this.routers[input]!;
      const tablets = this.storage.allTablets(table);
      const byBucket = new Map<number, Value[][]>();
      for (const key of keys) {
        const row = new Array<Value>(width).fill(null);
        path.columns.forEach((column, i) => { row[column] = key[i] ?? null; });
        const bucket = router.bucketOfRow(row);
        const list = byBucket.get(bucket) ?? [];
        list.push(key);
        byBucket.set(bucket, list);
      }
      await Promise.all([...byBucket].map(async ([bucket, bucketKeys]) => {
        const kv = tablets[bucket]?.kv;
        if (kv === null || kv === undefined) return;
        const rows = await kv.getManyCached(bucketKeys);
        rows.forEach((row, index) => { if (row !== undefined) found.set(idOf(bucketKeys[index]!), [scanRow(row)]); });
      }));
      return found;
    }
    const rows = path.kind === 'key' ? await this.indexes.lookupManyByKeyPrefix(table, keys) : await this.indexes.lookupManyByIndex(table, path.oid, keys);
    keys.forEach((key, index) => found.set(idOf(key), rows[index]!.map(scanRow)));
    return found;
  }

  private enqueue(changes: Map<string, Value[] | null>, sourceMs: number, sequence: bigint): void {
    this.queue.push({ changes, sourceMs, sequence, positions: this.positions });
    this.queuedRows += changes.size;
    if (this.queuedRows > queuedRowsHigh) this.storage.pipeline.hold(this);
    if (this.writerActive) return;
    this.writerActive = true;
    const writing: Promise<void> = this.writeQueued().finally(() => { if (this.writing === writing) this.writing = null; });
    this.writing = writing;
  }

  /**
   * Commits queued view changes in order; changes queued meanwhile go together in the next commit.
   * The writer stops in the same synchronous step in which it finds the queue empty, so a change
   * queued a moment later always starts a new writer and never waits unwritten.
   */
  private async writeQueued(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0 || this.stopped) {
        this.writerActive = false;
        return;
      }
      // Queued commits go together up to writeRowsPerCommit rows (at least one commit): a view
      // that has fallen behind catches up in commits of a bounded size, so the memory a write
      // needs does not grow with how far behind it is.
      let takenRows = 0;
      let takenCount = 0;
      while (takenCount < this.queue.length && (takenCount === 0 || takenRows + this.queue[takenCount]!.changes.size <= writeRowsPerCommit)) {
        takenRows += this.queue[takenCount]!.changes.size;
        takenCount++;
      }
      const taken = this.queue.slice(0, takenCount);
      const merged = new Map<string, Value[] | null>();
      for (const { changes } of taken) for (const [key, row] of changes) merged.set(key, row);
      try {
        const reflects = taken[taken.length - 1]!.positions;
        await this.recordProgress(this.written, reflects);
        await this.writeChanges(merged, false);
        this.written = reflects;
        this.queue = this.queue.slice(taken.length);
        if (this.queue.length === 0) this.written = this.maintained;
        this.queuedRows = this.queue.reduce((sum, entry) => sum + entry.changes.size, 0);
        if (this.queuedRows < queuedRowsLow) this.storage.pipeline.release(this);
      } catch (error) {
        this.failure = error instanceof SqlError ? error : new SqlError('XX000', String(error));
        console.error(`sluice: maintaining materialized view ${this.view.name} failed: ${this.failure.message}`);
        this.queue = [];
        this.queuedRows = 0;
        this.storage.pipeline.release(this);
        this.writerActive = false;
        return;
      }
    }
  }

  /** Commits view changes by key (a row, or a key-only row for a delete), with its target's partial updates. */
  private async writeChanges(changes: ReadonlyMap<string, Value[] | null>, insideExclusive: boolean): Promise<void> {
    const view = this.current(this.view);
    const upserts: Value[][] = [];
    const deletes: Value[][] = [];
    for (const row of changes.values()) {
      if (row === null) continue;
      if (isKeyOnly(row)) deletes.push(row.slice(1));
      else upserts.push(row);
    }
    const services = { catalog: this.catalog, storage: this.storage };
    const targetColumns = view.schema.columns.map((_, index) => index);
    const writes = [
      ...(deletes.length === 0 ? [] : await planRows(services, { table: view, partition: null, targetColumns, onConflict: 'delete', rows: deletes })),
      ...(upserts.length === 0 ? [] : await planRows(services, { table: view, partition: null, targetColumns, onConflict: 'upsert', rows: upserts })),
      ...await this.targetWrites(view, upserts, deletes),
    ];
    await commitWrites(this.storage, writes, insideExclusive ? 'exclusive' : 'maintenance');
  }

  /**
   * The same changes as partial updates of the view's target table, if it has one (in the same
   * commit): an upsert sets the view's columns of the key's row, a delete sets them to NULL.
   */
  private async targetWrites(view: TableDef, upserts: readonly Value[][], deletes: readonly Value[][]): Promise<TabletWrite[]> {
    const oid = view.view?.target;
    if (oid === undefined || (upserts.length === 0 && deletes.length === 0)) return [];
    const target = this.catalog.object(oid);
    if (target?.kind !== 'table') throw new SqlError(SqlState.undefinedTable, `the target table of materialized view ${view.name} no longer exists`);
    const positions = view.schema.columns.map((column) => target.schema.columns.findIndex((candidate) => candidate.name === column.name));
    const missing = positions.findIndex((position) => position < 0);
    if (missing >= 0) throw new SqlError(SqlState.undefinedColumn, `column "${view.schema.columns[missing]!.name}" no longer exists in "${target.name}"`);
    const width = target.schema.columns.length;
    const place = (row: readonly Value[]): Value[] => {
      const out = new Array<Value>(width).fill(null);
      positions.forEach((position, index) => { out[position] = row[index] ?? null; });
      return out;
    };
    const services = { catalog: this.catalog, storage: this.storage };
    const base = { table: target, partition: null, targetColumns: positions };
    return [
      ...(deletes.length === 0 ? [] : await planRows(services, { ...base, onConflict: 'retract', rows: deletes.map(place) })),
      ...(upserts.length === 0 ? [] : await planRows(services, { ...base, onConflict: 'upsert', rows: upserts.map(place) })),
    ];
  }
}

const deleted = Symbol('deleted');

/**
 * A view's recorded progress: input tablet → log offset, as of its rows before a write (null:
 * unknown) and after it; view tablet → its log end before the write.
 */
interface StoredProgress {
  readonly format: number;
  readonly from: readonly (readonly [number, string])[] | null;
  readonly to: readonly (readonly [number, string])[];
  readonly view: readonly (readonly [number, string])[];
}

const progressFormat = 2;

/** Input change records after which a view with nothing to write records its progress anyway. */
const progressEveryRecords = 50_000;

/**
 * Backpressure: when this many view rows wait to be written, new commits of other writers are held
 * back until fewer than queuedRowsLow do, so a view that cannot keep up slows its sources instead
 * of buffering without bound.
 */
const queuedRowsHigh = 50_000;
const queuedRowsLow = 25_000;

/** View rows one maintenance write takes from the queue at most (unless one source commit alone has more). */
const writeRowsPerCommit = 25_000;

/** Rows per commit while a new view is filled. */
const fillRowsPerCommit = 20_000;

/** A view row that stands for a delete of its key (marked by a leading sentinel). */
function keyOnly(row: readonly Value[]): Value[] {
  return [deleted as unknown as Value, ...row];
}

function isKeyOnly(row: readonly Value[]): boolean {
  return (row[0] as unknown) === deleted;
}

function sameValues(a: readonly Value[], b: readonly Value[]): boolean {
  return a.length === b.length && a.every((value, index) => valueKey(value) === valueKey(b[index] ?? null));
}
