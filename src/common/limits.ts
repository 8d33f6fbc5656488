// Every bound of Sluice in one place, unit last. A limit reached is a clear error, never
// unbounded memory.

export const limits = {
  /** Largest frontend message accepted (PostgreSQL's own limit for most messages is 1 GiB). */
  /**
   * Bytes of one bucket's batches from which a COPY into a log table writes them ahead of its
   * commit, into files the commit renames into segments (log-stage.ts); a smaller COPY's batches
   * are appended by its commit, so small loads do not leave segments of their own.
   */
  copyStageFromBytes: 16 * 1024 * 1024,
  messageBytesMax: 64 * 1024 * 1024,
  /** Largest startup packet accepted; PostgreSQL uses 10 000. */
  startupMessageBytesMax: 10_000,
  /**
   * Bytes of the storage's bounded caches together (`sluice serve --cache-memory`): a quarter each
   * for the row cache, the log frame cache, RocksDB's block cache and its memtable (write buffer).
   */
  cacheMemoryBytesDefault: 256 * 1024 * 1024,
  /** The least --cache-memory accepted: 1 MiB for each of the four caches. */
  cacheMemoryBytesMin: 4 * 1024 * 1024,
  /**
   * Keys of one KV apply written through to the row cache; a larger apply (a bulk load) only drops
   * its keys from the cache, as caching them would cost more than it saves and evict what is hot.
   */
  kvRowCacheApplyKeysMax: 4096,
  /** Bytes of backend messages buffered for one connection before the server waits for the socket. */
  connectionSendBufferBytesMax: 1024 * 1024,
  /** Longest COPY FROM row the server buffers: a text/csv line (quoted newlines included) or a binary tuple. */
  copyRowBytesMax: 64 * 1024 * 1024,
  /** Input bytes of the rows handed to the engine in one COPY FROM batch (at most rowsPerBatchMax rows). */
  copyBatchBytesMax: 4 * 1024 * 1024,
  /** Records of recent commits kept in memory per log tablet for the subscriptions tailing it. */
  subscriptionTailRecordsMax: 16_384,
  /** Bytes a lagging subscription reads from one log tablet at a time. */
  subscriptionReadBytesMax: 1024 * 1024,
  /** Records of one commit a subscription nets out as a whole; larger commits stream in parts. */
  subscriptionCommitRecordsMax: 16_384,
  /** Rows a subscription buffers for its client before it stops reading its inputs. */
  subscriptionOutputRowsMax: 4096,
  /** Rows sent per batch when a portal has no row limit. */
  rowsPerBatchMax: 1024,
  /** Connections accepted at once. */
  connectionsMax: 1000,
  /** Sockets still in the startup phase (not yet a session), on top of connectionsMax. */
  startupConnectionsMax: 100,
  /** Time a new connection has to complete its startup packet (PostgreSQL: authentication_timeout). */
  startupPhaseMsMax: 60_000,
  /** Bytes of frontend messages buffered while a statement runs before the server stops reading. */
  connectionReceiveBufferBytesMax: 1024 * 1024,
  /** Backend bytes gathered while a portal runs before they are written to the socket. */
  sendChunkBytesMax: 256 * 1024,
  /** Parameters in one statement (the protocol field is an Int16). */
  parametersMax: 65_535,
  /** Statements in one simple-query message. */
  statementsPerQueryMax: 10_000,
  /** Nesting depth of expressions the binder walks. */
  expressionDepthMax: 1000,
  /** Prepared statements and portals one connection may hold. */
  preparedStatementsMax: 10_000,
  portalsMax: 10_000,
  /** Identifier length, as PostgreSQL's NAMEDATALEN - 1. */
  identifierBytesMax: 63,
  /** Buckets of one table. */
  bucketsMax: 1024,
  /** Columns of one table (PostgreSQL: 1600). */
  columnsMax: 1600,
  /** Longest text value. */
  textBytesMax: 256 * 1024 * 1024,
  /** numeric precision, as PostgreSQL. */
  numericPrecisionMax: 1000,
  /** Statements the server-wide parse cache keeps, and the longest query text it keeps. */
  parseCacheEntriesMax: 1024,
  parseCacheTextLengthMax: 4096,
  /** Records per log batch when one commit writes many rows to a tablet (it appends several batches). */
  commitAppendRecordsMax: 16_384,
  /** Groups one GROUP BY may hold in memory. */
  aggregateGroupsMax: 5_000_000,
  /** Rows a set-returning function in FROM (generate_series, unnest) may return. */
  functionScanRowsMax: 5_000_000,
  /** Rows one ORDER BY may hold in memory. */
  sortRowsMax: 5_000_000,
  /** How often log retention (log_ttl) runs. */
  retentionCheckIntervalMs: 60_000,
  /** Rows one statement (INSERT, COPY) may write; they are held until the statement commits. */
  statementWriteRowsMax: 5_000_000,
  /** varchar(n) length. */
  varcharLengthMax: 10_485_760,
  /** One stored log batch (frame) including header and IPC metadata. */
  logBatchBytesMax: 256 * 1024 * 1024,
  /** Records in one log batch. */
  logBatchRecordsMax: 1_048_576,
  /** Largest log segment size a table may configure (file positions are u32 in the indexes). */
  logSegmentBytesMax: 2 * 1024 * 1024 * 1024 - 1,
  /** Rows a join holds from its build (right) side. */
  joinBuildRowsMax: 5_000_000,
  /** Distinct rows one DISTINCT, UNION, INTERSECT or EXCEPT may remember. */
  distinctRowsMax: 5_000_000,
  /** Rows one run of an IN / ANY / ALL / ARRAY subquery may return. */
  subqueryRowsMax: 1_000_000,
  /** Results of a correlated subquery remembered per distinct set of outer values. */
  subqueryCacheEntriesMax: 10_000,
  /** Rows one WITH RECURSIVE query may produce in all its rounds. */
  recursiveRowsMax: 5_000_000,
} as const;
