// The trial behind copy_log and copy_pk: each run creates an empty orders table, times one
// COPY FROM STDIN of the generated rows (generation happens before the clock starts), and drops
// the table afterwards so runs do not see each other's data.
import { copyIn } from '../harness/copy-in.js';
import { createOrdersSql, dropTableQuietly, orderColumns, type OrdersLayout } from '../harness/schema.js';
import { requireRows } from './common.js';
import { elapsedMs, type Trial, type WorkloadContext } from './types.js';

export async function copyTrial(context: WorkloadContext, layout: OrdersLayout): Promise<Trial> {
  const rows = requireRows(context);
  const data = context.datasets.generated(rows);
  const client = await context.connect();
  const tables: string[] = [];
  return {
    warmups: 0,
    async run(index) {
      const table = `bench_copy_${layout}_${rows}_${index}`;
      tables.push(table);
      await dropTableQuietly(client, table);
      await client.query(createOrdersSql(context.system, table, layout));
      const started = performance.now();
      const copied = await copyIn(client, `COPY ${table} (${orderColumns}) FROM STDIN`, data.chunks);
      const ms = elapsedMs(started);
      if (copied !== rows) throw new Error(`COPY reported ${copied} rows, expected ${rows}`);
      await dropTableQuietly(client, table);
      return { value: (rows / ms) * 1000, unit: 'rows/s', better: 'higher' };
    },
    async cleanup() {
      for (const table of tables) await dropTableQuietly(client, table);
    },
  };
}
