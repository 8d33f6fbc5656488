// COPY FROM decoded on a worker thread: the connection's thread only reads CopyData and commits,
// while a worker decodes the input and builds what the sink commits (engine/copy-build.ts), so a
// bulk load uses two cores. One worker serves every COPY of the process, started by the first
// COPY that can use it and ended after copyWorkerIdleMs without one. A COPY that starts while the
// worker is starting holds its input until it is up, and decodes it on its own thread if CopyDone
// comes first (a short COPY waits for nothing). The protocol, main → worker: start, data (input,
// moved), end, abort; worker → main: ready, out (a product for the sink, its buffers moved),
// consumed (input decoded, for backpressure), finished (after the last out), failed (a SqlError).
// Invariants: a COPY's outputs reach its sink in the order they were made, all before finished;
// no more than copyWorkerInFlightBytesMax of a COPY's input waits on the worker; a COPY whose
// worker dies fails with an internal error, and the next COPY starts a new worker.

import { Worker, type MessagePort } from 'node:worker_threads';
import { SqlError, SqlState, asSqlError, internalError, type SqlErrorFields } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import type { ColumnDescription, CopyOptions } from '../session.js';
import { CopyDecoder, type FieldRowSink } from './copy-decoder.js';

/** When COPYs use the worker: `auto` as described above; `always` also waits for it to start; `off` never. */
export type CopyWorkerMode = 'auto' | 'always' | 'off';

/** What a worker builds from the rows of one COPY (opened from the sink's spec on the worker). */
export interface OffThreadBuild {
  readonly fieldRows: FieldRowSink | undefined;
  writeRows(rows: Value[][]): void;
  /** The products made so far, for the sink. */
  drain(): { readonly message: unknown; readonly transfer: ArrayBuffer[] }[];
  /** The rest, after the last row. */
  finish(): { readonly message: unknown; readonly transfer: ArrayBuffer[] }[];
}

type ToWorker =
  | { readonly t: 'start'; readonly id: number; readonly columns: readonly ColumnDescription[]; readonly options: CopyOptions; readonly timeZone: string; readonly spec: unknown }
  | { readonly t: 'data'; readonly id: number; readonly bytes: Uint8Array }
  | { readonly t: 'end'; readonly id: number }
  | { readonly t: 'abort'; readonly id: number };

type FromWorker =
  | { readonly t: 'ready' }
  | { readonly t: 'out'; readonly id: number; readonly message: unknown }
  /** `buffers`: input buffers decoded to the end, given back for reuse. */
  | { readonly t: 'consumed'; readonly id: number; readonly bytes: number; readonly buffers: ArrayBuffer[] }
  | { readonly t: 'finished'; readonly id: number }
  | { readonly t: 'failed'; readonly id: number; readonly code: string; readonly message: string; readonly fields: SqlErrorFields };

export class CopyWorkers {
  private worker: Worker | null = null;
  private ready = false;
  /** The worker could not start once: every COPY decodes on its own thread from then on. */
  private broken = false;
  private readonly copies = new Map<number, OffThreadCopy>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private readyWaiters: (() => void)[] = [];
  /** Input buffers (of copyWorkerMessageBytes) the worker gave back: fresh memory costs page faults. */
  private spareBuffers: ArrayBuffer[] = [];

  /** `script`: the worker's module (copy-worker.js); null: none, COPYs decode on their own threads. */
  constructor(private readonly script: URL | null, readonly mode: CopyWorkerMode = 'auto') {}

  /**
   * A COPY decoded on the worker (started if it is not running), whose outputs go to `receive` in
   * order; null if COPYs cannot use the worker (off, none, or it failed to start).
   */
  open(columns: readonly ColumnDescription[], options: CopyOptions, timeZone: string, spec: unknown, receive: (message: unknown) => void): OffThreadCopy | null {
    if (this.script === null || this.mode === 'off' || this.broken) return null;
    this.cancelIdleTimer();
    const worker = this.worker ?? this.spawn(this.script);
    const id = this.nextId++;
    const plainColumns = columns.map((column) => ({ name: column.name, type: column.type, tableOid: column.tableOid, columnNumber: column.columnNumber }));
    const copy = new OffThreadCopy(this, id, receive, this.mode === 'always', (message, transfer) => worker.postMessage(message, transfer));
    copy.startMessage = { t: 'start', id, columns: plainColumns, options, timeZone, spec };
    this.copies.set(id, copy);
    if (this.ready) copy.begin();
    return copy;
  }

  /** Resolves once the worker is up, or has failed to start. */
  whenReady(): Promise<void> {
    if (this.ready || this.broken || this.worker === null) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Ends the worker (COPYs still on it fail). */
  async close(): Promise<void> {
    this.cancelIdleTimer();
    const worker = this.worker;
    if (worker === null) return;
    this.lost(worker, new SqlError(SqlState.adminShutdown, 'terminating COPY: the server is shutting down'));
    await worker.terminate();
  }

  /** @internal An input buffer of copyWorkerMessageBytes, reused if one is spare. */
  inputBuffer(): Uint8Array {
    return new Uint8Array(this.spareBuffers.pop() ?? new ArrayBuffer(limits.copyWorkerMessageBytes));
  }

  /** @internal Input buffers the worker gave back. */
  giveBack(buffers: readonly ArrayBuffer[]): void {
    const kept = limits.copyWorkerInFlightBytesMax / limits.copyWorkerMessageBytes + 2;
    for (const buffer of buffers) {
      if (this.spareBuffers.length < kept && buffer.byteLength === limits.copyWorkerMessageBytes) this.spareBuffers.push(buffer);
    }
  }

  /** @internal A COPY is over (finished, failed or aborted). */
  forget(id: number): void {
    this.copies.delete(id);
    if (this.copies.size === 0 && this.worker !== null) {
      this.cancelIdleTimer();
      const worker = this.worker;
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        if (this.copies.size > 0 || this.worker !== worker) return;
        this.worker = null;
        this.ready = false;
        this.spareBuffers = [];
        void worker.terminate();
      }, limits.copyWorkerIdleMs);
      this.idleTimer.unref();
    }
  }

  private spawn(script: URL): Worker {
    const worker = new Worker(script);
    worker.unref();
    this.worker = worker;
    this.ready = false;
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    worker.on('error', (error) => this.lost(worker, internalError(`COPY worker failed: ${error.message}`)));
    worker.on('exit', (code) => this.lost(worker, internalError(`COPY worker exited with code ${code}`)));
    return worker;
  }

  private onMessage(message: FromWorker): void {
    if (message.t === 'ready') {
      this.ready = true;
      for (const copy of this.copies.values()) copy.begin();
      this.wakeReadyWaiters();
      return;
    }
    this.copies.get(message.id)?.onMessage(message);
  }

  /** The worker is gone: its COPYs fail (or, if it never started, decode on their own threads). */
  private lost(worker: Worker, error: SqlError): void {
    if (this.worker !== worker) return;
    const started = this.ready;
    this.worker = null;
    this.ready = false;
    if (!started) this.broken = true;
    const copies = [...this.copies.values()];
    this.copies.clear();
    for (const copy of copies) copy.workerLost(error);
    this.wakeReadyWaiters();
  }

  private wakeReadyWaiters(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const wake of waiters) wake();
  }

  private cancelIdleTimer(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}

/**
 * One COPY on the worker, driven by the connection: push() each CopyData payload, then end().
 * Either may hand the input back (decode it here instead): when CopyDone comes before the worker
 * is up, or when the worker could not start.
 */
export class OffThreadCopy {
  /** @internal */
  startMessage: ToWorker | null = null;
  private state: 'starting' | 'running' | 'ended' | 'over' = 'starting';
  /** Input not yet sent: full messages, then the one being filled. */
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private staging: Uint8Array | null = null;
  private stagedBytes = 0;
  /** Bytes sent and not yet decoded. */
  private inFlightBytes = 0;
  private failure: SqlError | null = null;
  /** Whether the worker never started, so the input held is the COPY's own again. */
  private handedBack = false;
  private wake: (() => void) | null = null;
  private finishedWaiter: { resolve(): void; reject(error: SqlError): void } | null = null;

  constructor(
    private readonly workers: CopyWorkers,
    private readonly id: number,
    private readonly receive: (message: unknown) => void,
    private readonly waitForStart: boolean,
    private readonly post: (message: ToWorker, transfer: ArrayBuffer[]) => void,
  ) {}

  /**
   * Takes one CopyData payload (copied: the caller may reuse it). Resolves at once unless too much
   * input waits; resolves with the input held so far (to decode here, with what follows) if the
   * COPY cannot use the worker after all.
   */
  async push(data: Uint8Array): Promise<Uint8Array[] | undefined> {
    this.throwIfFailed();
    this.stage(data);
    if (this.state === 'starting') {
      if (this.heldBytes + this.stagedBytes <= limits.copyWorkerStartingBytesMax) return undefined;
      await this.workers.whenReady();
      if (this.handedBack) return this.handBack();
      this.throwIfFailed();
      return undefined;
    }
    while (this.inFlightBytes > limits.copyWorkerInFlightBytesMax && this.failure === null) {
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
    this.throwIfFailed();
    return undefined;
  }

  /**
   * No more input. Resolves once the worker has made every output and the sink has them all, or
   * with the input (to decode here) if the worker is not up yet and the COPY does not wait for it.
   */
  async end(): Promise<Uint8Array[] | undefined> {
    this.throwIfFailed();
    if (this.state === 'starting') {
      if (this.waitForStart) await this.workers.whenReady();
      if (this.state === 'starting' || this.handedBack) return this.handBack();
    }
    this.throwIfFailed();
    this.sendStaged();
    this.state = 'ended';
    const finished = new Promise<void>((resolve, reject) => { this.finishedWaiter = { resolve, reject }; });
    this.post({ t: 'end', id: this.id }, []);
    await finished;
    return undefined;
  }

  /** The COPY failed or was cancelled here: the worker drops it. */
  abort(): void {
    if (this.state === 'over') return;
    if (this.state === 'running' || this.state === 'ended') this.post({ t: 'abort', id: this.id }, []);
    this.over();
  }

  /** @internal The worker is up: send the start and the input held. */
  begin(): void {
    if (this.state !== 'starting' || this.startMessage === null) return;
    this.state = 'running';
    this.post(this.startMessage, []);
    this.startMessage = null;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const bytes of held) this.send(bytes);
  }

  /** @internal */
  onMessage(message: FromWorker): void {
    if (this.state === 'over') return;
    switch (message.t) {
      case 'out':
        try {
          this.receive(message.message);
        } catch (thrown) {
          this.fail(asSqlError(thrown));
          this.post({ t: 'abort', id: this.id }, []);
        }
        return;
      case 'consumed':
        this.workers.giveBack(message.buffers);
        this.inFlightBytes -= message.bytes;
        if (this.inFlightBytes <= limits.copyWorkerInFlightBytesMax) this.wakeUp();
        return;
      case 'finished': {
        const waiter = this.finishedWaiter;
        this.over();
        waiter?.resolve();
        return;
      }
      case 'failed':
        this.fail(new SqlError(message.code, message.message, message.fields));
        return;
      case 'ready': return;
    }
  }

  /** @internal */
  workerLost(error: SqlError): void {
    if (this.state === 'starting') {
      this.handedBack = true;
      this.wakeUp();
      return;
    }
    this.fail(error);
  }

  private fail(error: SqlError): void {
    if (this.state === 'over') return;
    this.failure ??= error;
    const waiter = this.finishedWaiter;
    this.over();
    this.wakeUp();
    waiter?.reject(error);
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure;
  }

  private over(): void {
    this.state = 'over';
    this.held = [];
    this.staging = null;
    this.finishedWaiter = null;
    this.workers.forget(this.id);
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** The input held, for the caller to decode: the COPY is no longer the worker's. */
  private handBack(): Uint8Array[] {
    if (this.staging !== null && this.stagedBytes > 0) this.held.push(this.staging.subarray(0, this.stagedBytes));
    const held = this.held;
    this.over();
    return held;
  }

  /** Copies `data` into the message being filled, sending (or holding) full ones. */
  private stage(data: Uint8Array): void {
    let at = 0;
    while (at < data.byteLength) {
      if (this.staging === null) {
        this.staging = this.workers.inputBuffer();
        this.stagedBytes = 0;
      }
      const take = Math.min(data.byteLength - at, this.staging.byteLength - this.stagedBytes);
      this.staging.set(data.subarray(at, at + take), this.stagedBytes);
      this.stagedBytes += take;
      at += take;
      if (this.stagedBytes === this.staging.byteLength) this.sendStaged();
    }
  }

  private sendStaged(): void {
    const staging = this.staging;
    if (staging === null || this.stagedBytes === 0) return;
    const bytes = staging.subarray(0, this.stagedBytes);
    this.staging = null;
    this.stagedBytes = 0;
    if (this.state === 'starting') {
      this.held.push(bytes);
      this.heldBytes += bytes.byteLength;
    } else {
      this.send(bytes);
    }
  }

  private send(bytes: Uint8Array): void {
    this.inFlightBytes += bytes.byteLength;
    this.post({ t: 'data', id: this.id, bytes }, [bytes.buffer as ArrayBuffer]);
  }
}

// ---------------------------------------------------------------------------------------------
// The worker's side

/** Serves COPYs on a worker thread: decodes each one's input and runs its build (opened from its spec). */
export function serveCopyWorker(port: MessagePort, openBuild: (spec: unknown) => OffThreadBuild): void {
  const copies = new Map<number, { decoder: CopyDecoder; build: OffThreadBuild; input: Uint8Array[] }>();
  const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  /** Sends back what the decoder no longer reads of a COPY's input buffers. */
  const consumed = (id: number, copy: { decoder: CopyDecoder; input: Uint8Array[] }, bytes: number): void => {
    const done: ArrayBuffer[] = [];
    while (copy.input.length > 0 && !copy.decoder.holdsInput(copy.input[0]!.buffer)) done.push(copy.input.shift()!.buffer as ArrayBuffer);
    send({ t: 'consumed', id, bytes, buffers: done }, done);
  };
  const drain = (id: number, copy: { decoder: CopyDecoder; build: OffThreadBuild }, last: boolean): void => {
    const { decoder, build } = copy;
    for (let rows = decoder.takeRows(build.fieldRows); rows.length > 0; rows = decoder.takeRows(build.fieldRows)) build.writeRows(rows);
    for (const output of last ? build.finish() : build.drain()) send({ t: 'out', id, message: output.message }, output.transfer);
  };
  port.on('message', (message: ToWorker) => {
    const id = message.id;
    try {
      switch (message.t) {
        case 'start':
          copies.set(id, { decoder: new CopyDecoder(message.columns, message.options, message.timeZone), build: openBuild(message.spec), input: [] });
          return;
        case 'data': {
          const copy = copies.get(id);
          if (copy === undefined) return;
          copy.input.push(message.bytes);
          copy.decoder.push(message.bytes);
          drain(id, copy, false);
          consumed(id, copy, message.bytes.byteLength);
          return;
        }
        case 'end': {
          const copy = copies.get(id);
          if (copy === undefined) return;
          copies.delete(id);
          copy.decoder.end();
          drain(id, copy, true);
          send({ t: 'finished', id });
          return;
        }
        case 'abort':
          copies.delete(id);
          return;
      }
    } catch (thrown) {
      copies.delete(id);
      const error = asSqlError(thrown);
      send({ t: 'failed', id, code: error.code, message: error.message, fields: errorFields(error) });
    }
  });
  send({ t: 'ready' });
}

function errorFields(error: SqlError): SqlErrorFields {
  return {
    detail: error.detail, hint: error.hint, position: error.position, severity: error.severity, schema: error.schema,
    table: error.table, column: error.column, constraint: error.constraint, context: error.context,
  };
}
