// Runs the real psql client against a test server.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = ['/usr/lib/postgresql/15/bin/psql', '/usr/bin/psql'];
export const psqlPath = candidates.find((path) => existsSync(path)) ?? 'psql';

export interface PsqlResult { readonly stdout: string; readonly stderr: string; readonly code: number }

export function psql(port: number, args: readonly string[], input?: string): Promise<PsqlResult> {
  return new Promise((resolve) => {
    const child = execFile(psqlPath, ['-h', '127.0.0.1', '-p', String(port), '-U', 'tester', '-d', 'sluice', '-X', ...args],
      { env: { ...process.env, PGCONNECT_TIMEOUT: '10', PGAPPNAME: 'psql-test' }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1;
        resolve({ stdout, stderr, code });
      });
    if (input !== undefined) child.stdin?.end(input);
  });
}
