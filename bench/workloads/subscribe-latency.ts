// subscribe_latency: how long after an INSERT is sent a subscriber has the change, at a steady
// 1 000 and 50 000 rows/s. Sluice: SUBSCRIBE over the table; PostgreSQL: LISTEN, notified by an
// AFTER INSERT trigger (pg_notify per row). Both include the durable commit.
import { type WriteMode, createFeedTable, openWriters, percentile, subscribe, awaitArrivals, nowMicros, writePaced } from './change-feed.js';
import { runSeconds } from './common.js';
import { probeTable, type Workload, type WorkloadVariant } from './types.js';

interface LatencyVariant extends WorkloadVariant {
  readonly rowsPerSecond: number;
  readonly fraction: number;
  readonly mode: WriteMode;
}

const table = 'bench_feed_latency';

export const subscribeLatency: Workload<LatencyVariant> = {
  name: 'subscribe_latency',
  description:
    'Milliseconds from sending a write to a subscriber receiving the row (the durable commit included), at a steady rate over 8 connections — INSERTs at 1 000 rows/s, COPY batches at 50 000 rows/s: Sluice SUBSCRIBE vs PostgreSQL LISTEN/NOTIFY fired by an AFTER INSERT trigger (p50 and p99 of every row of a run).',
  sizeDependent: false,
  variants: [
    { label: 'p50 at 1 000 rows/s, INSERTs', rowsPerSecond: 1000, fraction: 0.5, mode: 'insert' },
    { label: 'p99 at 1 000 rows/s, INSERTs', rowsPerSecond: 1000, fraction: 0.99, mode: 'insert' },
    { label: 'p50 at 50 000 rows/s, COPY batches', rowsPerSecond: 50_000, fraction: 0.5, mode: 'copy' },
    { label: 'p99 at 50 000 rows/s, COPY batches', rowsPerSecond: 50_000, fraction: 0.99, mode: 'copy' },
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
        const latencies: number[] = [];
        const subscriber = await subscribe(context, table, (sent) => { latencies.push((nowMicros() - sent) / 1000); });
        try {
          const sent = await writePaced(context, table, variant.rowsPerSecond, runSeconds(context, index), writers, nextId, variant.mode);
          nextId += sent;
          await awaitArrivals(() => latencies.length, sent, 10_000);
        } finally {
          await subscriber.stop();
        }
        return { value: percentile(latencies, variant.fraction), unit: 'ms', better: 'lower' };
      },
      cleanup: async () => { await client.query(`DROP TABLE IF EXISTS ${table}`); },
    };
  },
};
