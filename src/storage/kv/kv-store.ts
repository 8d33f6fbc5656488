// The one RocksDB instance that holds every KV tablet of a server. Keys are namespaced by tablet:
//
//   [tabletId u32 BE][0x00]                   the tablet's metadata (applied log offset, row count)
//   [tabletId u32 BE][0x00][name…]            reserved for further per-tablet metadata
//   [tabletId u32 BE][0x00][0x01][indexId u32 BE]
//                                             marker: the tablet's entries of that index are built
//   [tabletId u32 BE][0x00][0x02]             the first tablet of a materialized view: how far the
//                                             view has read its inputs (view-maintainer.ts)
//   [tabletId u32 BE][0x01][encoded pk…]      one row (key-codec.ts encodes the pk, row-codec.ts the row)
//   [tabletId u32 BE][0x02][indexId u32 BE][indexed fields…][encoded pk…]
//                                             one secondary index entry (index-codec.ts)
//
// Invariants: the fifth byte separates metadata (0x00) from data (0x01), so no data key can equal
// or fall between metadata keys, and a tablet's rows are the contiguous range
// [tabletId][0x01] .. [tabletId][0x02), its index entries [tabletId][0x02] .. [tabletId][0x03).
// The metadata is written in the same atomic batch as the rows
// it describes, so after a crash it still describes exactly the rows RocksDB kept.

import { internalError, SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import { RocksStore, type StoreOptions } from '../rocks-store.js';
import { RowCache } from './row-cache.js';

const metaNamespace = 0x00;
const dataNamespace = 0x01;
const indexNamespace = 0x02;
const indexMarkerTag = 0x01;
const viewProgressTag = 0x02;
const metaFormat = 1;
const metaBytes = 1 + 8 + 8 + 8;

/** What a tablet's metadata key records. */
export interface KvTabletMeta {
  /** Log offset from which the rows are a replay (0, or the log end at the last TRUNCATE). */
  readonly baseOffset: bigint;
  /** Log offset after the last change record applied. */
  readonly appliedEnd: bigint;
  /** Rows in the tablet. */
  readonly rowCount: number;
}

export class KvStore {
  /** Stored rows of every tablet kept for point lookups; the tablets keep it coherent. */
  readonly rowCache: RowCache;

  private constructor(readonly rocks: RocksStore, rowCacheBytes: number) {
    this.rowCache = new RowCache(rowCacheBytes);
  }

  /**
   * Opens the store with `cacheBytes` for each of its caches: the row cache, RocksDB's block cache
   * and its write buffer (`options` may set the RocksDB ones apart).
   */
  static async open(directory: string, cacheBytes = limits.cacheMemoryBytesDefault / 4, options: StoreOptions = {}): Promise<KvStore> {
    return new KvStore(await RocksStore.open(directory, { writeBufferSize: cacheBytes, cacheSize: cacheBytes, ...options }), cacheBytes);
  }

  get location(): string {
    return this.rocks.location;
  }

  /** The 5-byte prefix of every data key of the tablet. */
  dataPrefix(tabletId: number): Buffer {
    return tabletPrefix(tabletId, dataNamespace);
  }

  /** The first key after every data key of the tablet. */
  dataEnd(tabletId: number): Buffer {
    return tabletPrefix(tabletId, dataNamespace + 1);
  }

  /** The tablet's rows and index entries: every key but its metadata. */
  rowsAndIndexesRange(tabletId: number): { gte: Buffer; lt: Buffer } {
    return { gte: tabletPrefix(tabletId, dataNamespace), lt: tabletPrefix(tabletId, indexNamespace + 1) };
  }

  metaKey(tabletId: number): Buffer {
    return tabletPrefix(tabletId, metaNamespace);
  }

  /** The 9-byte prefix of every entry of one secondary index in the tablet. */
  indexPrefix(tabletId: number, indexId: number): Buffer {
    return withIndexId(tabletPrefix(tabletId, indexNamespace), indexId);
  }

  /** The key that says the tablet's entries of an index are built (see index-build.ts). */
  indexMarkerKey(tabletId: number, indexId: number): Buffer {
    return withIndexId(Buffer.concat([tabletPrefix(tabletId, metaNamespace), Buffer.of(indexMarkerTag)]), indexId);
  }

  /** What a materialized view whose first tablet this is last recorded of its progress (opaque bytes). */
  readViewProgress(tabletId: number): Promise<Buffer | undefined> {
    return this.rocks.get(Buffer.concat([tabletPrefix(tabletId, metaNamespace), Buffer.of(viewProgressTag)]));
  }

  writeViewProgress(tabletId: number, progress: Buffer): Promise<void> {
    return this.rocks.write([{ type: 'put', key: Buffer.concat([tabletPrefix(tabletId, metaNamespace), Buffer.of(viewProgressTag)]), value: progress }]);
  }

  /** Ids of the indexes the tablet has markers for. */
  async indexMarkers(tabletId: number): Promise<number[]> {
    const prefix = Buffer.concat([tabletPrefix(tabletId, metaNamespace), Buffer.of(indexMarkerTag)]);
    const ids: number[] = [];
    for await (const [key] of this.rocks.scan({ gt: prefix, lt: Buffer.concat([tabletPrefix(tabletId, metaNamespace), Buffer.of(indexMarkerTag + 1)]) })) {
      if (key.byteLength === prefix.byteLength + 4) ids.push(key.readUInt32BE(prefix.byteLength));
    }
    return ids;
  }

  async readMeta(tabletId: number): Promise<KvTabletMeta | undefined> {
    const bytes = await this.rocks.get(this.metaKey(tabletId));
    if (bytes === undefined) return undefined;
    if (bytes.byteLength !== metaBytes || bytes[0] !== metaFormat) {
      throw new SqlError(SqlState.dataCorrupted, `corrupt metadata of KV tablet ${tabletId} (${bytes.byteLength} bytes)`);
    }
    const rowCount = bytes.readBigInt64BE(17);
    return { baseOffset: bytes.readBigInt64BE(1), appliedEnd: bytes.readBigInt64BE(9), rowCount: Number(rowCount) };
  }

  encodeMeta(meta: KvTabletMeta): Buffer {
    if (meta.rowCount < 0 || meta.appliedEnd < meta.baseOffset) throw internalError(`KV tablet metadata ${JSON.stringify({ ...meta, baseOffset: String(meta.baseOffset), appliedEnd: String(meta.appliedEnd) })}`);
    const bytes = Buffer.allocUnsafe(metaBytes);
    bytes[0] = metaFormat;
    bytes.writeBigInt64BE(meta.baseOffset, 1);
    bytes.writeBigInt64BE(meta.appliedEnd, 9);
    bytes.writeBigInt64BE(BigInt(meta.rowCount), 17);
    return bytes;
  }

  /**
   * Deletes the tablet's rows and index entries and writes `meta` (the rows first: a crash between
   * leaves no meta that lies). Without `meta` (DROP) the index markers go too; with it they stay:
   * an empty tablet's indexes are empty, so they remain built.
   */
  async resetTablet(tabletId: number, meta: KvTabletMeta | undefined): Promise<void> {
    await this.rocks.write([{ type: 'del', key: this.metaKey(tabletId) }]);
    await this.rocks.clear({ gte: this.dataPrefix(tabletId), lt: this.dataEnd(tabletId) });
    await this.rocks.clear({ gte: tabletPrefix(tabletId, indexNamespace), lt: tabletPrefix(tabletId, indexNamespace + 1) });
    if (meta === undefined) await this.rocks.clear({ gte: this.metaKey(tabletId), lt: this.dataPrefix(tabletId) });
    this.rowCache.clear();
    if (meta !== undefined) await this.rocks.write([{ type: 'put', key: this.metaKey(tabletId), value: this.encodeMeta(meta) }]);
  }

  close(): Promise<void> {
    return this.rocks.close();
  }
}

function withIndexId(prefix: Buffer, indexId: number): Buffer {
  if (!(Number.isInteger(indexId) && indexId >= 0 && indexId <= 0xffffffff)) throw internalError(`index id ${indexId}`);
  const key = Buffer.allocUnsafe(prefix.byteLength + 4);
  prefix.copy(key, 0);
  key.writeUInt32BE(indexId, prefix.byteLength);
  return key;
}

function tabletPrefix(tabletId: number, namespace: number): Buffer {
  if (!(Number.isInteger(tabletId) && tabletId >= 0 && tabletId <= 0xffffffff)) throw internalError(`KV tablet id ${tabletId}`);
  const prefix = Buffer.allocUnsafe(5);
  prefix.writeUInt32BE(tabletId, 0);
  prefix[4] = namespace;
  return prefix;
}
