// The PostgreSQL JDBC driver (pgjdbc) against a Sluice server: test/jdbc/JdbcProbe.java is compiled
// once and run in one JVM; it prints each DatabaseMetaData call, a plain query with its
// ResultSetMetaData (getColumns, getPrimaryKeys and getIndexInfo checked against PostgreSQL's answers), a PreparedStatement run past prepareThreshold (server-side prepare) and a
// setFetchSize read with autocommit off (portal suspension). Each section of its output is checked.
// Skips when java, javac or /usr/share/java/postgresql.jar is missing (.ci/run installs them).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);
const driverJar = '/usr/share/java/postgresql.jar';
const javaAvailable = existsSync('/usr/bin/java') && existsSync('/usr/bin/javac') && existsSync(driverJar);
if (!javaAvailable) console.warn(`jdbc.test.ts skipped: needs java, javac and ${driverJar} (apt-get install default-jdk-headless libpostgresql-jdbc-java)`);

let server: TestServer;
let classDirectory: string;
const sections = new Map<string, string>();

describe.skipIf(!javaAvailable)('JDBC (pgjdbc)', () => {
  beforeAll(async () => {
    server = await startTestServer();
    const client = await server.client();
    await client.query('CREATE TABLE orders (cust_key INT, order_key BIGINT, price NUMERIC(15,2), note VARCHAR(20), PRIMARY KEY (cust_key, order_key))');
    await client.query('CREATE INDEX orders_note ON orders (note)');
    await client.query("INSERT INTO orders VALUES (1,10,1.50,'a'),(1,11,2.00,'b'),(2,12,3.25,NULL),(1,13,4.00,'d'),(3,14,5.00,'e')");
    classDirectory = await mkdtemp(join(tmpdir(), 'sluice-jdbc-'));
    await run('javac', ['-d', classDirectory, 'test/jdbc/JdbcProbe.java']);
    const url = `jdbc:postgresql://127.0.0.1:${server.port}/sluice`;
    const { stdout } = await run('java', ['-cp', `${driverJar}:${classDirectory}`, 'JdbcProbe', url, 'tester'], { timeout: 60_000 });
    for (const section of stdout.split(/^== /m).slice(1)) {
      const newline = section.indexOf('\n');
      sections.set(section.slice(0, newline), section.slice(newline + 1));
    }
  }, 120_000);
  afterAll(async () => {
    await server?.destroy();
    if (classDirectory) await rm(classDirectory, { recursive: true, force: true });
  });

  const lines = (...rows: string[]): string => rows.map((row) => `${row}\n`).join('');

  it('reports the product, schemas and catalogs', () => {
    expect(sections.get('product')).toBe(lines('PostgreSQL true'));
    expect(sections.get('schemas')).toBe(lines('information_schema', 'pg_catalog', 'public', 'sluice_catalog', '(4 rows)'));
    expect(sections.get('schemas pattern')).toBe(lines('public', '(1 rows)'));
    expect(sections.get('catalogs')).toBe(lines('sluice', '(1 rows)'));
  });

  it('lists tables by type and by name pattern', () => {
    expect(sections.get('tables')).toBe(lines('public | orders | TABLE', '(1 rows)'));
    expect(sections.get('tables all')).toBe(lines(
      'public | orders_note | INDEX',
      'public | orders_pkey | INDEX',
      'public | orders | TABLE',
      '(3 rows)',
    ));
  });

  // Expected as PostgreSQL 15 answers pgjdbc for the same table (its getColumns query numbers the
  // columns with row_number() OVER (PARTITION BY attrelid ORDER BY attnum)).
  it('describes the columns (getColumns)', () => {
    expect(sections.get('columns')).toBe(lines(
      'cust_key | 4 | int4 | 10 | 0 | 0 | 1 | NO',
      'order_key | -5 | int8 | 19 | 0 | 0 | 2 | NO',
      'price | 2 | numeric | 15 | 2 | 1 | 3 | NO',
      'note | 12 | varchar | 20 | 0 | 1 | 4 | NO',
      '(4 rows)',
    ));
  });

  // pgjdbc expands pg_index.indkey with information_schema._pg_expandarray in its select list;
  // expected as PostgreSQL 15 answers for the same table.
  it('lists the primary key columns (getPrimaryKeys)', () => {
    expect(sections.get('primary keys')).toBe(lines(
      'orders | cust_key | 1 | orders_pkey',
      'orders | order_key | 2 | orders_pkey',
      '(2 rows)',
    ));
  });

  it('lists the indexes and their columns (getIndexInfo)', () => {
    expect(sections.get('index info')).toBe(lines(
      'orders | f | orders_pkey | 1 | cust_key',
      'orders | f | orders_pkey | 2 | order_key',
      'orders | t | orders_note | 1 | note',
      '(3 rows)',
    ));
  });

  it('reads the type cache and type info (array types by typinput = array_in)', () => {
    expect(sections.get('type info')).toBe(lines('rows>10 true int4 true text true'));
  });

  it('lists no foreign keys (Sluice has none) after reading max_index_keys', () => {
    expect(sections.get('imported keys')).toBe(lines('(0 rows)'));
    expect(sections.get('exported keys')).toBe(lines('(0 rows)'));
  });

  it('runs a plain query with ResultSetMetaData', () => {
    expect(sections.get('statement')).toBe(lines(
      'column cust_key int4 4',
      'column order_key int8 -5',
      'column price numeric 2',
      'column note varchar 12',
      '1 | 10 | 1.50 | a',
      '1 | 11 | 2.00 | b',
      '2 | 12 | 3.25 | null',
      '1 | 13 | 4.00 | d',
      '3 | 14 | 5.00 | e',
      '(5 rows)',
    ));
  });

  it('runs a PreparedStatement past prepareThreshold (server-side prepare)', () => {
    expect(sections.get('prepared')).toBe(lines(
      'round 0: 10=a 11=b 13=d',
      'round 1: 11=b 13=d',
      'round 2: 10=a 11=b 13=d',
      'round 3: 11=b 13=d',
      'round 4: 10=a 11=b 13=d',
      'round 5: 11=b 13=d',
    ));
  });

  it('pages a result with setFetchSize and autocommit off', () => {
    expect(sections.get('fetch size')).toBe(lines('keys: 10 11 12 13 14'));
  });
});
