// COPY ... FROM STDIN through node-postgres' own connection (the CopyIn sub-protocol): a
// Submittable that sends the COPY statement, streams prepared CopyData chunks with
// backpressure, and ends with CopyDone. Avoids a dependency on pg-copy-streams.
import type { Duplex } from 'node:stream';
import type pg from 'pg';

/** The parts of pg's internal Connection this module uses (missing from @types/pg). */
interface CopyConnection extends pg.Connection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

interface CommandComplete {
  readonly text: string;
}

class CopyFromStdin implements pg.Submittable {
  readonly done: Promise<number>;
  private resolve!: (rows: number) => void;
  private reject!: (error: Error) => void;
  private failed = false;
  private rowCount = 0;

  constructor(
    private readonly sql: string,
    private readonly chunks: readonly Buffer[],
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: pg.Connection): void {
    connection.query(this.sql);
  }

  handleCopyInResponse(connection: pg.Connection): void {
    this.stream(connection as CopyConnection).catch((error: unknown) => this.fail(error));
  }

  handleCommandComplete(message: CommandComplete): void {
    const match = /^COPY (\d+)/.exec(message.text);
    this.rowCount = match?.[1] === undefined ? 0 : Number(match[1]);
  }

  handleError(error: Error): void {
    this.fail(error);
  }

  handleReadyForQuery(): void {
    if (!this.failed) this.resolve(this.rowCount);
  }

  // Responses that a COPY statement does not produce; present because pg may call them.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private async stream(connection: CopyConnection): Promise<void> {
    const socket = connection.stream;
    for (const chunk of this.chunks) {
      if (this.failed) return;
      connection.sendCopyFromChunk(chunk);
      if (socket.writableNeedDrain) await drained(socket);
    }
    if (!this.failed) connection.endCopyFrom();
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Waits until the socket can take more data; rejects if it closes first. */
function drained(socket: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error): void => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = (): void => settle();
    const onClose = (): void => settle(new Error('connection closed during COPY'));
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
}

/** Runs `COPY table (...) FROM STDIN` with the given COPY-text chunks; returns rows copied. */
export function copyIn(client: pg.Client, sql: string, chunks: readonly Buffer[]): Promise<number> {
  return client.query(new CopyFromStdin(sql, chunks)).done;
}
