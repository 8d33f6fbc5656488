// Entry point of `npm run bench`: starts a Sluice server and a PostgreSQL server on temporary
// directories, runs the selected workloads against both, prints one comparison table and writes
// BENCHMARKS.md. Servers are always stopped and directories removed, also on error and Ctrl-C.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, usage, type BenchOptions } from './harness/args.js';
import { GeneratedData, TargetDatasets } from './harness/datasets.js';
import { describeMachine } from './harness/machine.js';
import { startPostgres } from './harness/postgres-server.js';
import { errorMessage, ProcessSupervisor } from './harness/processes.js';
import { renderReport, renderTable, withPruningRows } from './harness/report.js';
import { caseLabel, Runner, type ResultRow, type RunnerTarget } from './harness/runner.js';
import { startSluice, type SluiceServer } from './harness/sluice-server.js';
import { formatRows } from './harness/stats.js';
import { systemTitles, type SystemKind, type Target } from './harness/target.js';
import { workloads } from './workloads/registry.js';
import type { AnyWorkload, WorkloadVariant } from './workloads/types.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface BenchCase {
  readonly workload: AnyWorkload;
  readonly variant: WorkloadVariant;
  readonly rows: number | undefined;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function selectWorkloads(only: readonly string[]): AnyWorkload[] {
  if (only.length === 0) return [...workloads];
  const selected = workloads.filter((workload) =>
    only.some((name) => workload.name === name || workload.name.startsWith(`${name}_`)),
  );
  if (selected.length === 0) {
    throw new Error(`no workload matches --only ${only.join(',')}; known: ${workloads.map((w) => w.name).join(', ')}`);
  }
  return selected;
}

/**
 * Size-independent workloads first, then every size-dependent workload once per size, then the
 * workloads measured on a server of their own.
 */
function planCases(selected: readonly AnyWorkload[], sizes: readonly number[]): BenchCase[] {
  const expand = (workload: AnyWorkload, rows: number | undefined): BenchCase[] =>
    workload.variants.map((variant) => ({ workload, variant, rows }));
  const shared = selected.filter((workload) => workload.ownServer !== true);
  return [
    ...shared.filter((workload) => !workload.sizeDependent).flatMap((workload) => expand(workload, undefined)),
    ...sizes.flatMap((rows) => shared.filter((w) => w.sizeDependent).flatMap((workload) => expand(workload, rows))),
    ...selected.filter((workload) => workload.ownServer === true)
      .flatMap((workload) => (workload.sizeDependent ? [...sizes] : [undefined]).flatMap((rows) => expand(workload, rows))),
  ];
}

function installSignalHandlers(supervisor: ProcessSupervisor): void {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals, exitCode: number): void => {
    if (interrupted) process.exit(exitCode);
    interrupted = true;
    log(`\n${signal}: stopping servers and removing temporary directories…`);
    void supervisor.cleanup().finally(() => process.exit(exitCode));
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
}

/** The servers under test; the Sluice server can be replaced by a fresh one. */
class Targets {
  readonly entries: Partial<Record<SystemKind, RunnerTarget>> = {};
  private sluice: SluiceServer | undefined;

  constructor(private readonly supervisor: ProcessSupervisor, private readonly workDir: string, private readonly data: GeneratedData) {}

  /** Starts the servers; Sluice with `sluiceArgs` (those of the first workload when it has a server of its own). */
  async start(systems: readonly SystemKind[], sluiceArgs: readonly string[]): Promise<void> {
    for (const system of systems) {
      if (system === 'sluice') await this.startSluice(sluiceArgs);
      else this.add(await startPostgres(this.supervisor, this.workDir));
    }
  }

  /** Stops the Sluice server (its data directory goes with the run) and starts another with `args`. */
  async restartSluice(args: readonly string[]): Promise<void> {
    if (this.sluice === undefined) return;
    log(`stopping ${systemTitles.sluice} for a server of its own…`);
    await this.sluice.stop();
    await this.startSluice(args);
  }

  private async startSluice(args: readonly string[] = []): Promise<void> {
    log(`starting ${systemTitles.sluice}${args.length > 0 ? ` (${args.join(' ')})` : ''}…`);
    this.sluice = await startSluice(this.supervisor, this.workDir, repoRoot, args);
    this.add(this.sluice.target);
  }

  private add(target: Target): void {
    log(`  ${systemTitles[target.system]} ${target.version} listening on ${target.host}:${target.port}`);
    this.entries[target.system] = { target, datasets: new TargetDatasets(target, this.data, log) };
  }
}

async function benchmark(options: BenchOptions, supervisor: ProcessSupervisor, command: string): Promise<void> {
  const started = performance.now();
  const selected = selectWorkloads(options.only);
  const cases = planCases(selected, options.sizes);

  const workDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  chmodSync(workDir, 0o755); // the PostgreSQL OS user must reach its subdirectory
  supervisor.onCleanup('remove temporary directory', async () => rmSync(workDir, { recursive: true, force: true }));
  const scratchDir = join(workDir, 'scripts');
  mkdirSync(scratchDir);

  const data = new GeneratedData();
  const servers = new Targets(supervisor, workDir, data);
  const first = cases[0]?.workload;
  await servers.start(options.systems, first?.ownServer === true ? first.serverArgs ?? [] : []);
  const targets = servers.entries;
  const runner = new Runner(
    {
      runs: options.runs,
      stopping: () => supervisor.stopping,
      settings: { seconds: options.seconds, ingestRows: options.ingestRows },
      pgbench: { supervisor, scratchDir },
      log,
    },
    targets,
  );

  const results: ResultRow[] = [];
  for (const [index, benchCase] of cases.entries()) {
    const size = benchCase.rows === undefined ? '' : `, ${formatRows(benchCase.rows)}`;
    log(`[${index + 1}/${cases.length}] ${caseLabel(benchCase.workload, benchCase.variant)}${size}`);
    if (benchCase.rows !== undefined) data.keepOnly(benchCase.rows);
    // A server of its own: the first case is one already (it ran nothing before).
    if (benchCase.workload.ownServer === true && index > 0 && cases[index - 1]!.workload !== benchCase.workload) await servers.restartSluice(benchCase.workload.serverArgs ?? []);
    const row = await runner.runCase(benchCase.workload, benchCase.variant, benchCase.rows);
    supervisor.throwIfStopping(); // an interrupted case reports errors, not figures
    results.push(row);
  }
  for (const entry of Object.values(targets)) await entry.datasets.dropAll().catch(() => undefined);

  const rows = withPruningRows(results);
  process.stdout.write(`\n${renderTable(rows)}\n\n`);
  if (options.out !== undefined) {
    const outPath = isAbsolute(options.out) ? options.out : join(repoRoot, options.out);
    const versions: Partial<Record<SystemKind, string>> = {};
    for (const [system, entry] of Object.entries(targets)) versions[system as SystemKind] = entry.target.version;
    const report = renderReport({
      rows,
      workloads: selected,
      options,
      command,
      machine: describeMachine(repoRoot),
      versions,
      durationSeconds: (performance.now() - started) / 1000,
    });
    writeFileSync(outPath, report);
    log(`wrote ${outPath}`);
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let options: BenchOptions;
  try {
    options = parseArgs(args);
  } catch (error) {
    log(errorMessage(error));
    return 2;
  }
  if (options.help) {
    process.stdout.write(usage);
    return 0;
  }
  const supervisor = new ProcessSupervisor();
  installSignalHandlers(supervisor);
  const command = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  try {
    await benchmark(options, supervisor, command);
    return 0;
  } catch (error) {
    log(`benchmark failed: ${errorMessage(error)}`);
    return 1;
  } finally {
    await supervisor.cleanup();
  }
}

process.exitCode = await main();
