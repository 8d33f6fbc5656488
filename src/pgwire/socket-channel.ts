// One connection's socket seen as a stream of frontend messages in and a buffer of backend
// messages out. Invariants: reading stops (socket paused) while more than
// connectionReceiveBufferBytesMax bytes wait unread and nobody is waiting for a message; writing
// waits for 'drain' once the socket holds more than connectionSendBufferBytesMax bytes; once the
// socket is closed or ended by us, output is discarded and nextMessage() returns null. A decoding
// failure is always FATAL: the byte stream cannot be trusted after it.

import type { Socket } from 'node:net';
import { SqlError, asSqlError } from '../common/errors.js';
import { limits } from '../common/limits.js';
import { FrontendDecoder, type FrontendMessage } from './frontend-decoder.js';
import { MessageWriter } from './message-writer.js';

/** Time a socket we ended may take to close before it is destroyed. */
const closeGraceMs = 5_000;

export class SocketChannel {
  readonly out = new MessageWriter();
  private readonly decoder = new FrontendDecoder();
  private inputEnded = false;
  private closed = false;
  private endedByUs = false;
  private waitingForData = false;
  private wake: (() => void) | null = null;
  private readonly closeListeners: (() => void)[] = [];

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => this.inputFinished());
    socket.on('error', () => undefined);
    socket.on('close', () => this.socketClosed());
  }

  /** True while the client can still receive what is written. */
  get isOpen(): boolean {
    return !this.closed && !this.endedByUs;
  }

  /** Called once when the socket closes (for any reason). */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** The next message, or null once the input is finished. Rejects with `signal.reason` on abort. */
  async nextMessage(signal?: AbortSignal): Promise<FrontendMessage | null> {
    for (;;) {
      const message = this.decodeNext();
      if (message !== null) return message;
      if (this.inputEnded || !this.isOpen) return null;
      if (signal?.aborted) throw asSqlError(signal.reason);
      await this.waitForData(signal);
    }
  }

  /**
   * A complete message already received, or null if none is (without waiting, unlike nextMessage:
   * null here does not mean the input ended).
   */
  bufferedMessage(): FrontendMessage | null {
    return this.isOpen ? this.decodeNext() : null;
  }

  /**
   * Writes the buffered output; a promise only when the socket's own buffer is over its limit and
   * the caller has to wait for it to drain.
   */
  flush(signal?: AbortSignal): Promise<void> | undefined {
    if (this.out.length === 0) return undefined;
    const bytes = this.out.take();
    if (!this.isOpen) return undefined;
    this.socket.write(bytes);
    if (this.socket.writableLength > limits.connectionSendBufferBytesMax) return this.drained(signal);
    return undefined;
  }

  /** Writes bytes that are not a typed message (the SSL refusal byte). */
  writeRaw(bytes: Buffer): void {
    if (this.isOpen) this.socket.write(bytes);
  }

  /** Writes what is buffered and closes our side without waiting for the client to read it; the
   * socket is destroyed if the client does not close it within the grace period. */
  async end(): Promise<void> {
    const bytes = this.out.take();
    if (this.endedByUs || this.closed) return;
    this.endedByUs = true;
    this.socket.end(bytes);
    setTimeout(() => this.socket.destroy(), closeGraceMs).unref();
    this.wakeReader();
  }

  destroy(): void {
    this.endedByUs = true;
    this.socket.destroy();
    this.wakeReader();
  }

  private decodeNext(): FrontendMessage | null {
    try {
      return this.decoder.next();
    } catch (thrown) {
      const error = asSqlError(thrown);
      this.inputEnded = true;
      throw new SqlError(error.code, error.message, { severity: 'FATAL' });
    }
  }

  private receive(chunk: Buffer): void {
    this.decoder.push(chunk);
    if (!this.waitingForData && this.decoder.bufferedBytes > limits.connectionReceiveBufferBytesMax) this.socket.pause();
    this.wakeReader();
  }

  private waitForData(signal: AbortSignal | undefined): Promise<void> {
    this.waitingForData = true;
    this.socket.resume();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        this.wake = null;
        this.waitingForData = false;
        resolve();
      };
      this.wake = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wakeReader(): void {
    this.wake?.();
  }

  private drained(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private inputFinished(): void {
    this.inputEnded = true;
    this.wakeReader();
  }

  private socketClosed(): void {
    this.closed = true;
    this.inputEnded = true;
    this.wakeReader();
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
