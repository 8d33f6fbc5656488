// A throwaway PostgreSQL 15 server for comparison: initdb + pg_ctl on a temporary directory,
// listening only on 127.0.0.1 (unix socket inside the directory), default durability settings
// (fsync and synchronous_commit on). PostgreSQL refuses to run as root, so when the harness
// runs as root the server runs as the unprivileged `postgres` OS user via runuser.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect, disconnect, type Target } from './target.js';
import { freePort } from './ports.js';
import type { ProcessSupervisor } from './processes.js';

export const postgresBinDir = '/usr/lib/postgresql/15/bin';
const serverUser = 'postgres';
const benchUser = 'bench';
const benchDatabase = 'bench';
const startTimeoutMs = 60_000;
const stopTimeoutMs = 60_000;

interface OsUser {
  readonly uid: number;
  readonly gid: number;
}

/** Starts the server and creates the benchmark database; stopped by the supervisor's cleanup. */
export async function startPostgres(supervisor: ProcessSupervisor, workDir: string): Promise<Target> {
  if (!existsSync(join(postgresBinDir, 'pg_ctl'))) {
    throw new Error(`PostgreSQL 15 not found in ${postgresBinDir} (apt-get install postgresql-15)`);
  }
  const runAs = serverOsUser();
  const dir = join(workDir, 'postgres');
  mkdirSync(dir, { mode: 0o700 });
  if (runAs !== undefined) chownSync(dir, runAs.uid, runAs.gid);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const port = await freePort();

  const tool = (name: string, args: string[]): [string, string[]] =>
    runAs === undefined
      ? [join(postgresBinDir, name), args]
      : ['runuser', ['-u', serverUser, '--', join(postgresBinDir, name), ...args]];

  const run = async (name: string, args: string[], timeoutMs: number): Promise<void> => {
    const [command, commandArgs] = tool(name, args);
    const result = await supervisor.run(command, commandArgs, { timeoutMs, cwd: dir });
    if (result.code !== 0) {
      throw new Error(`${name} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim()}`);
    }
  };

  await run('initdb', ['-D', dataDir, '-U', benchUser, '--auth=trust', '-E', 'UTF8', '--no-locale'], startTimeoutMs);
  // max_connections: the fan-out workload holds 100 subscribers and 8 writers at once.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  supervisor.onCleanup('stop PostgreSQL', async () => {
    if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
    await run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], stopTimeoutMs);
  });
  await run('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions, 'start'], startTimeoutMs);

  const admin: Target = {
    system: 'postgres',
    host: '127.0.0.1',
    port,
    user: benchUser,
    password: benchUser,
    database: 'postgres',
    version: '',
  };
  const client = await connect(admin);
  try {
    await client.query(`CREATE DATABASE ${benchDatabase}`);
    const version = await client.query<{ server_version: string }>('SHOW server_version');
    return { ...admin, database: benchDatabase, version: version.rows[0]?.server_version ?? 'unknown' };
  } finally {
    await disconnect(client);
  }
}

/** The OS user to run the server as: none when not root, else the `postgres` user. */
function serverOsUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', serverUser], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', serverUser], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      `running as root, but PostgreSQL cannot run as root and there is no '${serverUser}' OS user; ` +
        `create one (useradd --system ${serverUser}) or run the benchmark as an unprivileged user`,
    );
  }
}
