// Starts a real Sluice server for a test: 127.0.0.1, an ephemeral port, a fresh temporary data
// directory that is removed afterwards.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startServer, type RunningServer } from '../../src/main.js';

export interface TestServer {
  readonly host: string;
  readonly port: number;
  readonly dataDirectory: string;
  /** A connected node-postgres client (closed by stop()). */
  client(options?: Partial<pg.ClientConfig>): Promise<pg.Client>;
  /** Stops the server, keeping the data directory (for restart tests). */
  stop(): Promise<void>;
  /** Starts again on the same data directory. */
  restart(): Promise<void>;
  /** Stops and removes the data directory. */
  destroy(): Promise<void>;
}

export async function startTestServer(existingDirectory?: string): Promise<TestServer> {
  const dataDirectory = existingDirectory ?? (await mkdtemp(join(tmpdir(), 'sluice-test-')));
  let running: RunningServer | undefined = await startServer({ dataDirectory, host: '127.0.0.1', port: 0 });
  const clients: pg.Client[] = [];
  const server: TestServer = {
    get host() { return running?.host ?? '127.0.0.1'; },
    get port() { return running?.port ?? 0; },
    dataDirectory,
    async client(options = {}) {
      const client = new pg.Client({ host: server.host, port: server.port, user: 'tester', database: 'sluice', ...options });
      client.on('error', () => undefined);
      await client.connect();
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
      await running?.stop();
      running = undefined;
    },
    async restart() {
      await server.stop();
      running = await startServer({ dataDirectory, host: '127.0.0.1', port: 0 });
    },
    async destroy() {
      await server.stop();
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
  return server;
}
