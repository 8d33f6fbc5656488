// The commit watermark: a commit sequence whose log batches, and those of every commit before it,
// are all fsynced. Recovery trusts every batch at or below it and checks the groups above it (see
// commit-pipeline.ts). It is written after every durability round but fsynced only when asked
// (before tablets are truncated or deleted, and at close): a watermark lost in an OS crash only
// makes recovery check more groups. It never runs ahead of the log, since it is written after
// the log's fsync.
//
// Stored in two fixed 32-byte slots written alternately, each with its own CRC, so a torn write of
// one slot always leaves the other, older, valid one.

import { open, type FileHandle } from 'node:fs/promises';
import { SqlError, SqlState } from '../../common/errors.js';
import { crc32c } from '../log/crc32c.js';

const slotBytes = 32;
const magic = 0x534c574d; // "SLWM"

interface Slot { readonly round: bigint; readonly sequence: bigint; readonly timestampMs: number }

function encodeSlot(slot: Slot): Buffer {
  const buffer = Buffer.alloc(slotBytes);
  buffer.writeUInt32BE(magic, 0);
  buffer.writeBigUInt64BE(slot.round, 4);
  buffer.writeBigUInt64BE(slot.sequence, 12);
  buffer.writeBigUInt64BE(BigInt(slot.timestampMs), 20);
  buffer.writeUInt32BE(crc32c(buffer.subarray(0, 28)), 28);
  return buffer;
}

function decodeSlot(buffer: Buffer): Slot | undefined {
  if (buffer.length < slotBytes || buffer.readUInt32BE(0) !== magic) return undefined;
  if (buffer.readUInt32BE(28) !== crc32c(buffer.subarray(0, 28))) return undefined;
  return { round: buffer.readBigUInt64BE(4), sequence: buffer.readBigUInt64BE(12), timestampMs: Number(buffer.readBigUInt64BE(20)) };
}

export class CommitWatermark {
  private constructor(private readonly file: FileHandle, private round: bigint, private current: bigint,
    private currentTimestampMs: number) {}

  static async open(path: string): Promise<CommitWatermark> {
    const file = await open(path, 'a+').then(async (handle) => {
      await handle.close();
      return open(path, 'r+');
    });
    const contents = Buffer.alloc(slotBytes * 2);
    const { bytesRead } = await file.read(contents, 0, contents.length, 0);
    const slots = [decodeSlot(contents.subarray(0, Math.min(bytesRead, slotBytes))),
      decodeSlot(contents.subarray(slotBytes, Math.max(slotBytes, bytesRead)))].filter((slot): slot is Slot => slot !== undefined);
    if (bytesRead > 0 && slots.length === 0) {
      await file.close();
      throw new SqlError(SqlState.dataCorrupted, `commit watermark ${path} is corrupt`);
    }
    const latest = slots.reduce<Slot>((best, slot) => (slot.round > best.round ? slot : best), { round: 0n, sequence: 0n, timestampMs: 0 });
    return new CommitWatermark(file, latest.round, latest.sequence, latest.timestampMs);
  }

  /** Highest durable commit sequence (0 when nothing was ever committed). */
  get sequence(): bigint {
    return this.current;
  }

  /** Commit timestamp of the watermark's commit: no batch above the watermark is older. */
  get timestampMs(): number {
    return this.currentTimestampMs;
  }

  /** Records a new watermark; with `durable`, fsyncs it before returning. */
  async advance(sequence: bigint, timestampMs: number, durable = true): Promise<void> {
    if (sequence <= this.current) {
      if (durable) await this.sync();
      return;
    }
    const round = this.round + 1n;
    const position = Number(round % 2n) * slotBytes;
    await this.file.write(encodeSlot({ round, sequence, timestampMs }), 0, slotBytes, position);
    this.round = round;
    this.current = sequence;
    this.currentTimestampMs = timestampMs;
    this.unsynced = true;
    if (durable) await this.sync();
  }

  private unsynced = false;

  /** Makes the last recorded watermark durable. */
  async sync(): Promise<void> {
    if (!this.unsynced) return;
    this.unsynced = false;
    await this.file.datasync();
  }

  async close(): Promise<void> {
    await this.sync();
    await this.file.close();
  }
}
