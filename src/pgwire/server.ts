// The TCP server: accepts sockets, gives each a Connection with its own process id and a random
// secret key, and routes CancelRequests to the connection they name. Invariants: at most
// connectionsMax sessions (more are refused with FATAL 53300) plus startupConnectionsMax sockets
// still in startup; a cancel needs both the process id and its secret; close() stops accepting,
// ends every connection with FATAL 57P01 and returns once every session is closed.

import { randomInt } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { SqlError, SqlState } from '../common/errors.js';
import { limits } from '../common/limits.js';
import { Connection } from './connection.js';
import type { SessionFactory } from './session.js';

export interface PgServerOptions {
  readonly host: string;
  readonly port: number;
  /** Sessions at once; defaults to limits.connectionsMax. */
  readonly connectionsMax?: number;
}

const processIdMax = 2_147_483_647;

export class PgServer {
  private readonly server: Server;
  private readonly connections = new Map<number, Connection>();
  private nextProcessId = randomInt(1, 1 << 20);
  private closing = false;

  constructor(private readonly factory: SessionFactory, private readonly options: PgServerOptions) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        if (address === null || typeof address === 'string') resolve({ host: this.options.host, port: this.options.port });
        else resolve({ host: address.address, port: address.port });
      });
    });
  }

  /** Stops accepting, ends every connection (FATAL 57P01) and waits for their sessions to close. */
  async close(): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const shutdown = new SqlError(SqlState.adminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' });
    await Promise.all([...this.connections.values()].map((connection) => connection.terminate(shutdown)));
    await stopped;
  }

  private accept(socket: Socket): void {
    if (this.closing || this.connections.size >= this.connectionsMax + limits.startupConnectionsMax) {
      socket.destroy();
      return;
    }
    const key = { processId: this.allocateProcessId(), secretKey: randomInt(-processIdMax - 1, processIdMax) };
    const connection = new Connection(socket, this.factory, key, {
      admit: () => !this.closing && this.admittedCount() < this.connectionsMax,
      cancelRequest: (processId, secretKey) => this.cancel(processId, secretKey),
    });
    this.connections.set(key.processId, connection);
    void connection.finished.finally(() => this.connections.delete(key.processId));
  }

  private get connectionsMax(): number {
    return this.options.connectionsMax ?? limits.connectionsMax;
  }

  private admittedCount(): number {
    let count = 0;
    for (const connection of this.connections.values()) if (connection.admitted) count++;
    return count;
  }

  private allocateProcessId(): number {
    for (;;) {
      const processId = this.nextProcessId;
      this.nextProcessId = processId >= processIdMax ? 1 : processId + 1;
      if (!this.connections.has(processId)) return processId;
    }
  }

  private cancel(processId: number, secretKey: number): void {
    const target = this.connections.get(processId);
    if (target !== undefined && target.key.secretKey === secretKey) target.cancelStatement();
  }
}
