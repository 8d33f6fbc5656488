// Runs workloads against targets and turns each (workload, variant, size, system) into a cell.
// A cell is a figure (median and min–max of the runs), "n/a" when the target lacks the
// capability (probe failed, or SQLSTATE 0A000 feature_not_supported), or "error: message" —
// never an exception that stops the run. Every connection a trial opens is closed at the end.
import type pg from 'pg';
import type { TargetDatasets } from './datasets.js';
import type { PgbenchEnvironment } from './pgbench.js';
import { errorMessage } from './processes.js';
import { summarize, type Summary } from './stats.js';
import { connect, disconnect, systemTitles, type SystemKind, type Target } from './target.js';
import {
  probeTable,
  type AnyWorkload,
  type BenchSettings,
  type Better,
  type Figure,
  type WorkloadContext,
  type WorkloadVariant,
} from '../workloads/types.js';

export type Cell =
  | { readonly kind: 'figure'; readonly summary: Summary; readonly unit: string; readonly better: Better }
  | { readonly kind: 'factor'; readonly value: number }
  | { readonly kind: 'na'; readonly reason: string }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'skipped' }
  | { readonly kind: 'none' };

export interface ResultRow {
  readonly workload: string;
  readonly label: string;
  readonly rows: number | undefined;
  readonly cells: Readonly<Record<SystemKind, Cell>>;
}

export interface RunnerTarget {
  readonly target: Target;
  readonly datasets: TargetDatasets;
}

export interface RunnerConfig {
  readonly runs: number;
  /** True once the run is being interrupted: no new cells start. */
  readonly stopping: () => boolean;
  readonly settings: BenchSettings;
  readonly pgbench: PgbenchEnvironment;
  readonly log: (line: string) => void;
}

const prepareTimeoutMs = 15 * 60_000;
const runTimeoutMs = 5 * 60_000;
const featureNotSupported = '0A000';
const syntaxOrAccessRuleClass = '42';

export class Runner {
  constructor(
    private readonly config: RunnerConfig,
    private readonly targets: Readonly<Partial<Record<SystemKind, RunnerTarget>>>,
  ) {}

  async runCase(workload: AnyWorkload, variant: WorkloadVariant, rows: number | undefined): Promise<ResultRow> {
    const cells: Record<SystemKind, Cell> = { sluice: { kind: 'skipped' }, postgres: { kind: 'skipped' } };
    for (const system of ['sluice', 'postgres'] as const) {
      const entry = this.targets[system];
      if (entry === undefined || this.config.stopping()) continue;
      const cell = await this.runCell(workload, variant, rows, entry);
      this.config.log(`  ${systemTitles[system]}: ${describeCell(cell)}`);
      cells[system] = cell;
    }
    return { workload: workload.name, label: caseLabel(workload, variant), rows, cells };
  }

  private async runCell(
    workload: AnyWorkload,
    variant: WorkloadVariant,
    rows: number | undefined,
    entry: RunnerTarget,
  ): Promise<Cell> {
    const probeFailure = await this.probe(workload, entry.target);
    if (probeFailure !== undefined) return probeFailure;
    const clients: pg.Client[] = [];
    const context: WorkloadContext = {
      target: entry.target,
      system: entry.target.system,
      rows,
      settings: this.config.settings,
      datasets: entry.datasets,
      pgbench: this.config.pgbench,
      connect: async () => {
        const client = await connect(entry.target);
        clients.push(client);
        return client;
      },
    };
    try {
      const trial = await withTimeout(workload.prepare(context, variant), prepareTimeoutMs, 'setup');
      try {
        for (let i = 0; i < trial.warmups; i++) await withTimeout(trial.run(-1 - i), runTimeoutMs, 'warm-up run');
        const figures: Figure[] = [];
        for (let i = 0; i < this.config.runs; i++) figures.push(await withTimeout(trial.run(i), runTimeoutMs, `run ${i + 1}`));
        return figureCell(figures);
      } finally {
        await trial.cleanup?.().catch(() => undefined);
      }
    } catch (error) {
      if (isFeatureNotSupported(error)) return { kind: 'na', reason: errorMessage(error) };
      return { kind: 'error', message: errorMessage(error) };
    } finally {
      await Promise.all(clients.map((client) => disconnect(client)));
    }
  }

  /** Runs the workload's probe statements; returns the cell to report if the target cannot run it. */
  private async probe(workload: AnyWorkload, target: Target): Promise<Cell | undefined> {
    let client: pg.Client | undefined;
    try {
      client = await connect(target);
      await dropProbeTable(client);
      for (const statement of workload.requires(target.system)) {
        try {
          await client.query(statement);
        } catch (error) {
          const message = `${errorMessage(error)} (probe: ${statement.slice(0, 80)})`;
          return isMissingCapability(error) ? { kind: 'na', reason: message } : { kind: 'error', message };
        }
      }
      return undefined;
    } catch (error) {
      return { kind: 'error', message: `cannot connect: ${errorMessage(error)}` };
    } finally {
      if (client !== undefined) {
        await dropProbeTable(client);
        await disconnect(client);
      }
    }
  }
}

export function caseLabel(workload: AnyWorkload, variant: WorkloadVariant): string {
  return variant.label === '' ? workload.name : `${workload.name} (${variant.label})`;
}

export function describeCell(cell: Cell): string {
  switch (cell.kind) {
    case 'figure': {
      const runs = cell.summary.runs.map((value) => value.toFixed(value >= 100 ? 0 : 2)).join(', ');
      return `median ${cell.summary.median.toFixed(2)} ${cell.unit} (runs: ${runs})`;
    }
    case 'factor':
      return `${cell.value.toFixed(2)}×`;
    case 'na':
      return `n/a (${cell.reason})`;
    case 'error':
      return `error: ${cell.message}`;
    case 'skipped':
      return 'skipped';
    case 'none':
      return '–';
    default:
      return assertNever(cell);
  }
}

function figureCell(figures: readonly Figure[]): Cell {
  const first = figures[0];
  if (first === undefined) return { kind: 'error', message: 'no runs' };
  return { kind: 'figure', summary: summarize(figures.map((f) => f.value)), unit: first.unit, better: first.better };
}

async function dropProbeTable(client: pg.Client): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${probeTable}`).catch(() => undefined);
}

function sqlState(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function isFeatureNotSupported(error: unknown): boolean {
  return sqlState(error) === featureNotSupported;
}

/**
 * A probe statement the target does not understand yet: feature not supported (0A000) or a
 * syntax / undefined-object error (class 42, e.g. a missing aggregate function). Anything else —
 * an internal error, a lost connection — is a failure and is reported as such.
 */
function isMissingCapability(error: unknown): boolean {
  const state = sqlState(error);
  return state === featureNotSupported || (state !== undefined && state.startsWith(syntaxOrAccessRuleClass));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
