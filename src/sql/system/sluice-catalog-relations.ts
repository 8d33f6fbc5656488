// sluice_catalog: Sluice's own system views over its storage layout.

import { systemRelation as relation, type SystemRelation } from './system-relation.js';

export const sluiceCatalogRelations: readonly SystemRelation[] = [
  // One row per bucket tablet: offsets are the log's retained start and visible end; rows is the
  // live row count (KV rows of a primary-key table, retained records of a log table).
  relation('sluice_catalog', 'buckets', 13_101, 'v', `table_schema name, table_name name, partition_name name,
    bucket int4, tablet_id int8, start_offset int8, end_offset int8, rows int8`),
  // One row per materialized view: how far its maintenance is behind its inputs. pending_commits
  // counts input commits whose view changes are not written yet; lag_ms is the age of the oldest;
  // commits_behind counts commits applied since the last one the view has taken in; records_behind
  // counts the input change records (in offsets, over all input buckets) after those its written
  // rows reflect; started_from says how the view was brought up to date when the server started
  // (fill: a new view; progress: the inputs' changes since its recorded progress; recompute).
  relation('sluice_catalog', 'materialized_views', 13_102, 'v', `view_schema name, view_name name,
    pending_commits int8, lag_ms int8, last_input_commit int8, commits_behind int8, records_behind int8, started_from text, error text`),
  // One row per open subscription (SUBSCRIBE, a subscription cursor, COPY (SUBSCRIBE ...)):
  // records_behind counts records committed to its table that it has not read yet.
  relation('sluice_catalog', 'subscriptions', 13_104, 'v', `pid int4, table_schema name, table_name name,
    records_behind int8, rows_queued int8, rows_sent int8, started_at timestamptz`),
  // The server process: its memory (resident set and JavaScript heap after the last collection).
  relation('sluice_catalog', 'server', 13_103, 'v', `pid int4, rss_bytes int8, heap_used_bytes int8, heap_total_bytes int8, external_bytes int8, rocksdb_memtable_bytes int8, rocksdb_table_readers_bytes int8, rocksdb_block_cache_bytes int8, row_cache_bytes int8, log_frame_cache_bytes int8, uptime_ms int8`),
];
