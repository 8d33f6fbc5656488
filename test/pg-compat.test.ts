// Runs every sql-tests/pg_compat/*.slt file against Sluice and against a real PostgreSQL 15, under
// the simple and the extended query protocol: their expected results are PostgreSQL's own, so
// these files use plain tables only. PostgreSQL runs as the `postgres` OS user from a temporary
// data directory on an ephemeral port, one instance for this whole file. Without the binaries
// the PostgreSQL half is skipped (the Sluice half still runs). SLT_REWRITE=1 rewrites the
// expected results from PostgreSQL's simple-protocol run (never from Sluice's).

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSlt, rewriteSlt, runRecord, type Protocol, type SltOutcome } from './support/slt.js';
import { startTestServer, type TestServer } from './support/server.js';

const directory = join(import.meta.dirname, '..', 'sql-tests', 'pg_compat');
const files = readdirSync(directory).filter((name) => name.endsWith('.slt')).sort();
const binaries = '/usr/lib/postgresql/15/bin';
const havePostgres = existsSync(join(binaries, 'postgres')) && existsSync(join(binaries, 'initdb'));
const protocols: Protocol[] = ['simple', 'extended'];

async function runFile(client: pg.Client, file: string, protocol: Protocol, rewrite = false): Promise<string[]> {
  const outcomes: SltOutcome[] = [];
  const text = readFileSync(join(directory, file), 'utf8');
  for (const record of parseSlt(text)) outcomes.push(await runRecord(client, record, protocol));
  if (rewrite) writeFileSync(join(directory, file), rewriteSlt(text, outcomes));
  return outcomes.filter((outcome) => outcome.failure !== null)
    .map((outcome) => `${file}:${outcome.record.line}: ${outcome.record.sql}\n${outcome.failure ?? ''}`);
}

describe('pg_compat on Sluice', () => {
  for (const file of files) {
    for (const protocol of protocols) {
      describe(`${file} (${protocol})`, () => {
        let server: TestServer;
        beforeAll(async () => { server = await startTestServer(); });
        afterAll(async () => { await server.destroy(); });
        it('matches PostgreSQL\'s results', async () => {
          expect(await runFile(await server.client(), file, protocol)).toEqual([]);
        });
      });
    }
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function asPostgres(command: string, args: readonly string[]): void {
  execFileSync('runuser', ['-u', 'postgres', '--', join(binaries, command), ...args], { stdio: 'pipe' });
}

describe.skipIf(!havePostgres)('pg_compat on PostgreSQL 15', () => {
  let root = '';
  let port = 0;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sluice-pg15-'));
    chmodSync(root, 0o777);
    execFileSync('chown', ['postgres', root]);
    const data = join(root, 'data');
    asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    port = await freePort();
    asPostgres('pg_ctl', ['-D', data, '-l', join(root, 'log'), '-w', '-o',
      `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`, 'start']);
  }, 60_000);
  afterAll(() => {
    if (root === '') return;
    try { asPostgres('pg_ctl', ['-D', join(root, 'data'), '-m', 'immediate', '-w', 'stop']); } catch { /* not started */ }
    rmSync(root, { recursive: true, force: true });
  });

  files.forEach((file, fileIndex) => {
    for (const protocol of protocols) {
      it(`${file} (${protocol})`, async () => {
        const database = `compat_${fileIndex}_${protocol}`;
        const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${database}`);
        await admin.end();
        const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database });
        await client.connect();
        try {
          const rewrite = process.env.SLT_REWRITE === '1' && protocol === 'simple';
          expect(await runFile(client, file, protocol, rewrite)).toEqual([]);
        } finally {
          await client.end();
        }
      });
    }
  });
});

if (!havePostgres) {
  describe('pg_compat on PostgreSQL 15', () => {
    it.skip(`skipped: no PostgreSQL 15 binaries in ${binaries}`, () => undefined);
  });
}
