// subscribe_fanout: 100 subscribers on one table while rows are inserted at a steady rate; the
// figure is the rows delivered per second to all subscribers together (each gets every row), and
// a run fails unless every subscriber has every row within a second of the last write.
import { createFeedTable, openWriters, subscribe, awaitArrivals, writePaced } from './change-feed.js';
import { runSeconds } from './common.js';
import { probeTable, type Workload, type WorkloadVariant } from './types.js';

interface FanoutVariant extends WorkloadVariant {
  readonly subscribers: number;
  readonly rowsPerSecond: number;
}

const table = 'bench_feed_fanout';

export const subscribeFanout: Workload<FanoutVariant> = {
  name: 'subscribe_fanout',
  description:
    'Rows per second delivered in total to 100 concurrent subscribers of one table (every subscriber receives every row; the run fails unless all have every row within 1 s of the last write), inserts paced over 8 connections: Sluice SUBSCRIBE vs PostgreSQL LISTEN/NOTIFY from an AFTER INSERT trigger.',
  sizeDependent: false,
  variants: [
    { label: '100 subscribers, 500 rows/s in', subscribers: 100, rowsPerSecond: 500 },
    { label: '100 subscribers, 2 000 rows/s in', subscribers: 100, rowsPerSecond: 2000 },
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
        let received = 0;
        const subscribers = [];
        for (let n = 0; n < variant.subscribers; n++) subscribers.push(await subscribe(context, table, () => { received++; }));
        const started = performance.now();
        let writeSeconds = 0;
        try {
          const sent = await writePaced(context, table, variant.rowsPerSecond, runSeconds(context, index), writers, nextId);
          writeSeconds = (performance.now() - started) / 1000;
          nextId += sent;
          // Sustained: every subscriber has every row within a second of the last write.
          await awaitArrivals(() => received, sent * variant.subscribers, 1_000);
        } finally {
          await Promise.all(subscribers.map((subscriber) => subscriber.stop()));
        }
        return { value: received / writeSeconds, unit: 'rows/s', better: 'higher' };
      },
      cleanup: async () => { await client.query(`DROP TABLE IF EXISTS ${table}`); },
    };
  },
};
