// Shared by the materialized view tests: waiting until every view has caught up with its inputs,
// and writers that run a random workload of single statements and short transaction blocks.

import type pg from 'pg';

/** Waits until no view has pending commits, lags behind its inputs or has failed. */
export async function viewsCaughtUp(client: pg.Client, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await client.query('SELECT count(*)::int AS busy FROM sluice_catalog.materialized_views WHERE pending_commits > 0 OR commits_behind > 0 OR error IS NOT NULL');
    if (state.rows[0].busy === 0) return;
    if (Date.now() > deadline) throw new Error(`views did not catch up: ${JSON.stringify((await client.query('SELECT * FROM sluice_catalog.materialized_views')).rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Each writer runs `steps` times either one statement or, one time in three, a BEGIN ... COMMIT
 * block of one to three; all writers at once. `pick(n)` is the workload's seeded 0..n-1.
 */
export async function writeConcurrently(writers: readonly pg.Client[], steps: number, statement: () => string, pick: (n: number) => number):
  Promise<void> {
  await Promise.all(writers.map(async (writer) => {
    for (let step = 0; step < steps; step++) {
      if (pick(3) === 0) {
        await writer.query('BEGIN');
        for (let n = 1 + pick(3); n > 0; n--) await writer.query(statement());
        await writer.query('COMMIT');
      } else {
        await writer.query(statement());
      }
    }
  }));
}
