// Runs every sql-tests/**/*.slt file against a fresh server, once under the simple and once under
// the extended query protocol. SLT_REWRITE=1 rewrites expected results from the simple run.

import { readFileSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSlt, rewriteSlt, runRecord, type Protocol, type SltOutcome } from './support/slt.js';
import { startTestServer, type TestServer } from './support/server.js';

const root = join(import.meta.dirname, '..', 'sql-tests');

function sltFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return name === 'pg_compat' ? [] : sltFiles(path);
    return name.endsWith('.slt') ? [path] : [];
  });
}

for (const file of sltFiles(root)) {
  for (const protocol of ['simple', 'extended'] as Protocol[]) {
    describe(`${relative(root, file)} (${protocol})`, () => {
      let server: TestServer;
      beforeAll(async () => { server = await startTestServer(); });
      afterAll(async () => { await server.destroy(); });

      it('matches expected results', async () => {
        const text = readFileSync(file, 'utf8');
        const client = await server.client();
        const outcomes: SltOutcome[] = [];
        for (const record of parseSlt(text)) outcomes.push(await runRecord(client, record, protocol));
        if (process.env.SLT_REWRITE === '1' && protocol === 'simple') writeFileSync(file, rewriteSlt(text, outcomes));
        const failures = outcomes.filter((outcome) => outcome.failure !== null)
          .map((outcome) => `${relative(root, file)}:${outcome.record.line}: ${outcome.record.sql}\n${outcome.failure ?? ''}`);
        expect(failures).toEqual([]);
      });
    });
  }
}
