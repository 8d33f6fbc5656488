// Runs PostgreSQL's pgbench against a target over TCP with a custom script and returns its
// throughput ("tps = N (without initial connection time)"). pgbench is the same client for both
// systems, so its figures compare the servers, not two client implementations.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { postgresBinDir } from './postgres-server.js';
import type { ProcessSupervisor } from './processes.js';
import type { Target } from './target.js';

export type QueryMode = 'simple' | 'extended' | 'prepared';

export interface PgbenchRun {
  /** Script text; one transaction per execution of the script. */
  readonly script: string;
  readonly clients: number;
  readonly seconds: number;
  readonly mode: QueryMode;
  /** Script variables, passed with -D name=value. */
  readonly variables?: Readonly<Record<string, number | string>>;
}

export interface PgbenchEnvironment {
  readonly supervisor: ProcessSupervisor;
  readonly scratchDir: string;
}

const pgbenchThreadsMax = 2;
const exitGraceMs = 60_000;
const tpsPattern = /^tps = ([\d.]+)/m;
const failedPattern = /^number of failed transactions: (\d+)/m;
let scriptCounter = 0;

export async function runPgbench(env: PgbenchEnvironment, target: Target, run: PgbenchRun): Promise<number> {
  scriptCounter += 1;
  const scriptPath = join(env.scratchDir, `pgbench-${scriptCounter}.sql`);
  writeFileSync(scriptPath, run.script);
  const args = [
    '-n', '-f', scriptPath,
    '-c', String(run.clients), '-j', String(Math.min(pgbenchThreadsMax, run.clients)),
    '-T', String(run.seconds), '-M', run.mode,
    '-h', target.host, '-p', String(target.port), '-U', target.user,
  ];
  for (const [name, value] of Object.entries(run.variables ?? {})) args.push('-D', `${name}=${value}`);
  args.push(target.database);

  const result = await env.supervisor.run(join(postgresBinDir, 'pgbench'), args, {
    timeoutMs: run.seconds * 1000 + exitGraceMs,
    env: { ...process.env, PGPASSWORD: target.password },
  });
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.code !== 0) throw new Error(`pgbench exited with ${result.code ?? result.signal}: ${firstProblem(output)}`);
  const failed = Number(failedPattern.exec(output)?.[1] ?? '0');
  if (failed > 0) throw new Error(`pgbench reported ${failed} failed transactions`);
  const tps = tpsPattern.exec(output)?.[1];
  if (tps === undefined) throw new Error(`no "tps =" line in pgbench output: ${firstProblem(output)}`);
  return Number(tps);
}

/** The most telling line of pgbench output for an error cell. */
function firstProblem(output: string): string {
  const lines = output.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const problem = lines.find((line) => /error|abort|fatal|could not/i.test(line)) ?? lines[0] ?? '(no output)';
  return problem.replace(/^pgbench: /, '');
}
