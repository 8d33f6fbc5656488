// A running system under test: how to reach it over TCP and which SQL dialect it speaks.
// Both systems are reached the same way (node-postgres or pgbench over 127.0.0.1) so that
// client code is identical and only the server differs.
import pg from 'pg';

export type SystemKind = 'sluice' | 'postgres';

export const systemKinds: readonly SystemKind[] = ['sluice', 'postgres'];

export const systemTitles: Record<SystemKind, string> = {
  sluice: 'Sluice',
  postgres: 'PostgreSQL',
};

export interface Target {
  readonly system: SystemKind;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** Server version string as reported by the server, for the report. */
  readonly version: string;
}

const connectTimeoutMs = 10_000;

export function clientConfig(target: Target): pg.ClientConfig {
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionTimeoutMillis: connectTimeoutMs,
  };
}

/** Opens a node-postgres connection; errors on the idle connection are logged, not thrown. */
export async function connect(target: Target): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(target));
  client.on('error', (error) => {
    process.stderr.write(`${systemTitles[target.system]} connection error: ${error.message}\n`);
  });
  await client.connect();
  return client;
}

const disconnectGraceMs = 2_000;

/** Closes a connection; if a stuck server keeps it busy, destroys the socket instead. */
export async function disconnect(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = client.end().then(
    () => true,
    () => true,
  );
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), disconnectGraceMs);
  });
  const cleanly = await Promise.race([closed, timedOut]);
  clearTimeout(timer);
  if (!cleanly) (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
}
