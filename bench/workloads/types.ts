// The contract every workload implements. A workload names what it measures, the probe SQL a
// target must accept for the workload to apply (otherwise the cell reads "n/a (not supported
// yet)"), and how to prepare and measure one trial. The runner owns repetition, statistics,
// timeouts and cleanup; a workload only returns one figure per run.
import type pg from 'pg';
import type { TargetDatasets } from '../harness/datasets.js';
import type { PgbenchEnvironment } from '../harness/pgbench.js';
import type { SystemKind, Target } from '../harness/target.js';

export type Better = 'higher' | 'lower';

export interface Figure {
  readonly value: number;
  /** e.g. "ops/s", "rows/s", "ms". */
  readonly unit: string;
  readonly better: Better;
}

export interface BenchSettings {
  /** Seconds each pgbench or timed-loop run lasts. */
  readonly seconds: number;
  /** Rows written by ingest workloads whose figure does not depend on table size. */
  readonly ingestRows: number;
}

export interface WorkloadContext {
  readonly target: Target;
  readonly system: SystemKind;
  /** Table size for size-dependent workloads; undefined for the others. */
  readonly rows: number | undefined;
  readonly settings: BenchSettings;
  readonly datasets: TargetDatasets;
  readonly pgbench: PgbenchEnvironment;
  /** Opens a connection that the runner closes when the trial ends, even on timeout. */
  connect(): Promise<pg.Client>;
}

/** A prepared trial: measured `runs` times after `warmups` unmeasured runs. */
export interface Trial {
  readonly warmups: number;
  run(index: number): Promise<Figure>;
  cleanup?(): Promise<void>;
}

export interface WorkloadVariant {
  /** Shown after the workload name, e.g. "pgbench simple, 16 conns". */
  readonly label: string;
}

export interface Workload<V extends WorkloadVariant = WorkloadVariant> {
  readonly name: string;
  /** One sentence on what the workload measures, for BENCHMARKS.md. */
  readonly description: string;
  /** Run once per configured data size (default 200 000 and 2 000 000 rows). */
  readonly sizeDependent: boolean;
  /**
   * Measured on a Sluice server started for it once the other workloads are done: its figures
   * are the server's own footprint, which the tables and caches of earlier workloads would grow.
   */
  readonly ownServer?: boolean;
  /** Options of `sluice serve` for that server of its own. */
  readonly serverArgs?: readonly string[];
  readonly variants: readonly V[];
  /** Statements that must succeed on the target; tables they create are named bench_probe. */
  requires(system: SystemKind): readonly string[];
  prepare(context: WorkloadContext, variant: V): Promise<Trial>;
}

/** Erases a workload's variant type for the registry (variants only flow back into it). */
export interface AnyWorkload {
  readonly name: string;
  readonly description: string;
  readonly sizeDependent: boolean;
  readonly ownServer?: boolean;
  readonly serverArgs?: readonly string[];
  readonly variants: readonly WorkloadVariant[];
  requires(system: SystemKind): readonly string[];
  prepare(context: WorkloadContext, variant: WorkloadVariant): Promise<Trial>;
}

export const probeTable = 'bench_probe';

export function elapsedMs(started: number): number {
  return performance.now() - started;
}
