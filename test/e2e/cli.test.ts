// The `sluice serve` command's options: --cache-memory bounds the storage's caches (a quarter each),
// and a bad value is refused before the server starts.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, runCli, startProcess } from '../support/server-process.js';

const directories: string[] = [];
const dataDirectory = (): string => {
  const directory = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
  directories.push(directory);
  return directory;
};

afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

describe('sluice serve --cache-memory', () => {
  it.each([
    ['abc', 'must be a number of megabytes'],
    ['12 pages', 'must be a number of megabytes'],
    ['2MB', 'must be at least 4MB'],
    ['1024kB', 'must be at least 4MB'],
  ])('refuses %s', async (value, message) => {
    const { code, output } = await runCli(['serve', '--data', dataDirectory(), '--port', '0', '--cache-memory', value]);
    expect(code).toBe(2);
    expect(output).toContain(message);
  });

  it('bounds the row cache to a quarter of it', { timeout: 60_000 }, async () => {
    const { child, port } = await startProcess(dataDirectory(), ['--cache-memory', '8MB']);
    try {
      const client = await connect(port);
      await client.query('CREATE TABLE wide (k int PRIMARY KEY, v text NOT NULL)');
      // 24 statements of 1 000 rows of ~250 bytes: ~6 MB written through to the row cache.
      for (let batch = 0; batch < 24; batch++) {
        await client.query('INSERT INTO wide SELECT g, repeat(\'x\', 240) || g FROM generate_series($1::int, $1::int + 999) AS g', [batch * 1000]);
      }
      const { rows } = await client.query<{ row_cache_bytes: string }>('SELECT row_cache_bytes FROM sluice_catalog.server');
      const bytes = Number(rows[0]!.row_cache_bytes);
      expect(bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
      expect(bytes).toBeGreaterThan(1024 * 1024);
      expect((await client.query('SELECT count(*)::int AS n FROM wide')).rows[0].n).toBe(24_000);
      await client.end();
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
