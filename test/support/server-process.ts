// A Sluice server in a child process (built CLI), for tests that kill it with SIGKILL.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';

const cli = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');

/** The `sluice` command run with `args`, to completion: its exit code and output. */
export function runCli(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Starts `sluice serve` on `dataDirectory` and an ephemeral port (and `args`); resolves once it listens. */
export function startProcess(dataDirectory: string, args: readonly string[] = []): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'serve', '--data', dataDirectory, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on [^:]+:(\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); if (process.env.SLUICE_TEST_SERVER_LOG) process.stderr.write(chunk); });
    child.on('exit', (code) => reject(new Error(`server exited with ${String(code)}: ${output}`)));
  });
}

/** A client of the server on `port` that ignores the connection's death (the server may be killed). */
export async function connect(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'crash', database: 'sluice' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
