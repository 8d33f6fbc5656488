// Starts the Sluice server under test from the built CLI on a data directory of its own, waits
// for its "sluice listening on HOST:PORT" line, and stops it on cleanup (or when asked, for a
// workload measured on a server of its own). A missing CLI or a
// server that exits before listening is a clear, fatal error.
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { connect, disconnect, type Target } from './target.js';
import { killAndWait, type ProcessSupervisor } from './processes.js';

const startTimeoutMs = 60_000;
const listeningPattern = /sluice listening on ([\d.]+):(\d+)/;
const outputTailChars = 2_000;

export interface SluiceServer {
  readonly target: Target;
  /** Stops the server (it is stopped on cleanup otherwise). */
  stop(): Promise<void>;
}

export async function startSluice(
  supervisor: ProcessSupervisor,
  workDir: string,
  repoRoot: string,
  args: readonly string[] = [],
): Promise<SluiceServer> {
  const cliPath = join(repoRoot, 'dist', 'src', 'cli.js');
  // bin/sluice runs the CLI as `npm start` does (with jemalloc where the machine has it) and execs
  // node, so the supervised process is the server itself.
  const launcher = join(repoRoot, 'bin', 'sluice');
  if (!existsSync(cliPath)) {
    throw new Error(
      `the Sluice CLI was not found at ${cliPath} (src/cli.ts missing or not built); ` +
        `run with --systems postgres to benchmark PostgreSQL alone`,
    );
  }
  const dataDir = mkdtempSync(join(workDir, 'sluice-'));
  const child = supervisor.start('sh', [
    launcher, 'serve', '--data', dataDir, '--host', '127.0.0.1', '--port', '0', ...args,
  ]);
  supervisor.onCleanup('stop Sluice', () => killAndWait(child));

  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not print "sluice listening on" within ${startTimeoutMs} ms`), startTimeoutMs);
    function fail(reason: string): void {
      clearTimeout(timer);
      reject(new Error(`Sluice server ${reason}; output:\n${output.slice(-outputTailChars)}`));
    }
    const onData = (text: string): void => {
      output += text;
      const match = listeningPattern.exec(output);
      if (match?.[2] !== undefined) {
        clearTimeout(timer);
        resolve(Number(match[2]));
      }
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.once('error', (error) => fail(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal}) before listening`));
  });
  // Keep draining output so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();

  const target: Target = {
    system: 'sluice',
    host: '127.0.0.1',
    port,
    user: 'bench',
    password: 'bench',
    database: 'sluice',
    version: 'unknown',
  };
  return { target: { ...target, version: await serverVersion(target) }, stop: () => killAndWait(child) };
}

async function serverVersion(target: Target): Promise<string> {
  const client = await connect(target);
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  } catch {
    return 'unknown';
  } finally {
    await disconnect(client);
  }
}
