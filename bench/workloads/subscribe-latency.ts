// subscribe_latency: how long after an INSERT a subscriber has the change, at a steady 1 000 and
// 50 000 rows/s. Sluice: SUBSCRIBE over the table; PostgreSQL: LISTEN, notified by an AFTER INSERT
// trigger (pg_notify per row). Measured two ways: from the moment the write is sent (the durable
// commit included) and from the moment the writer has its acknowledgement (the commit done), which
// is the delivery latency proper. The second can be negative for a row: the subscriber may have it
// before the writer reads its CommandComplete.
import { type WriteMode, createFeedTable, openWriters, percentile, subscribe, awaitArrivals, nowMicros, writePaced } from './change-feed.js';
import { runSeconds } from './common.js';
import { probeTable, type Workload, type WorkloadVariant } from './types.js';

interface LatencyVariant extends WorkloadVariant {
  readonly rowsPerSecond: number;
  readonly fraction: number;
  readonly mode: WriteMode;
  /** Where the clock starts: when the statement is sent, or when the writer is told it committed. */
  readonly from: 'send' | 'commit';
}

const table = 'bench_feed_latency';

export const subscribeLatency: Workload<LatencyVariant> = {
  name: 'subscribe_latency',
  description:
    'Milliseconds until a subscriber receives a written row, at a steady rate over 8 connections — INSERTs at 1 000 rows/s, COPY batches at 50 000 rows/s: Sluice SUBSCRIBE vs PostgreSQL LISTEN/NOTIFY fired by an AFTER INSERT trigger (p50 and p99 of every row of a run). "from send" starts the clock when the statement is sent, so the durable commit is included; "from commit" starts it when the writer receives the statement\'s acknowledgement (a row the subscriber had before that counts as negative).',
  sizeDependent: false,
  variants: [
    { label: 'p50 from send at 1 000 rows/s, INSERTs', rowsPerSecond: 1000, fraction: 0.5, mode: 'insert', from: 'send' },
    { label: 'p99 from send at 1 000 rows/s, INSERTs', rowsPerSecond: 1000, fraction: 0.99, mode: 'insert', from: 'send' },
    { label: 'p50 from send at 50 000 rows/s, COPY batches', rowsPerSecond: 50_000, fraction: 0.5, mode: 'copy', from: 'send' },
    { label: 'p99 from send at 50 000 rows/s, COPY batches', rowsPerSecond: 50_000, fraction: 0.99, mode: 'copy', from: 'send' },
    { label: 'p50 from commit at 1 000 rows/s, INSERTs', rowsPerSecond: 1000, fraction: 0.5, mode: 'insert', from: 'commit' },
    { label: 'p99 from commit at 1 000 rows/s, INSERTs', rowsPerSecond: 1000, fraction: 0.99, mode: 'insert', from: 'commit' },
    { label: 'p50 from commit at 50 000 rows/s, COPY batches', rowsPerSecond: 50_000, fraction: 0.5, mode: 'copy', from: 'commit' },
    { label: 'p99 from commit at 50 000 rows/s, COPY batches', rowsPerSecond: 50_000, fraction: 0.99, mode: 'copy', from: 'commit' },
  ],
  requires: (system) => system === 'sluice'
    ? [`CREATE TABLE ${probeTable} (a int)`, `DECLARE bench_probe_cursor CURSOR FOR SUBSCRIBE TO ${probeTable}`, 'CLOSE bench_probe_cursor']
    : [`CREATE TABLE ${probeTable} (a int)`, 'LISTEN bench_probe', 'UNLISTEN bench_probe'],
  async prepare(context, variant) {
    const client = await context.connect();
    await createFeedTable(client, context.system, table);
    const writers = await openWriters(context);
    let nextId = 0;
    return {
      warmups: 1,
      async run(index) {
        const fromSend: number[] = [];
        const arrivals = new Map<number, number>();
        const acks = new Map<number, number>();
        const subscriber = await subscribe(context, table, (id, sent) => {
          const now = nowMicros();
          fromSend.push((now - sent) / 1000);
          arrivals.set(id, now);
        });
        try {
          const sent = await writePaced(context, table, variant.rowsPerSecond, runSeconds(context, index), writers, nextId, variant.mode,
            (firstId, count, ackMicros) => { for (let n = 0; n < count; n++) acks.set(firstId + n, ackMicros); });
          nextId += sent;
          await awaitArrivals(() => fromSend.length, sent, 10_000);
        } finally {
          await subscriber.stop();
        }
        if (variant.from === 'send') return { value: percentile(fromSend, variant.fraction), unit: 'ms', better: 'lower' };
        const fromCommit: number[] = [];
        for (const [id, arrived] of arrivals) {
          const acked = acks.get(id);
          if (acked === undefined) throw new Error(`row ${id} arrived but its statement was never acknowledged`);
          fromCommit.push((arrived - acked) / 1000);
        }
        return { value: percentile(fromCommit, variant.fraction), unit: 'ms', better: 'lower' };
      },
      cleanup: async () => { await client.query(`DROP TABLE IF EXISTS ${table}`); },
    };
  },
};
