// The column lists a log tablet stores, one per schema id, kept in a small sidecar file
// (`schemas.json`) so that every batch can be decoded with the columns it was written with.
// Invariant: schema ids only grow, and each newer schema extends the previous one by appending
// columns (ADD COLUMN is nullable and last), so column i means the same thing in every schema that
// has it and an older batch reads as NULL for columns added after it.

import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { notSupported, SqlError, SqlState } from '../../common/errors.js';
import { formatType, sameType, type DataType } from '../../common/types.js';

export interface LogColumn {
  readonly name: string;
  readonly type: DataType;
}

/** A TableSchema satisfies this; PK tables pass their columns with a leading `_change_type`. */
export interface LogSchema {
  readonly schemaId: number;
  readonly columns: readonly LogColumn[];
}

const fileName = 'schemas.json';

interface StoredSchemas {
  readonly schemas: readonly LogSchema[];
}

export class SchemaHistory {
  private readonly byId = new Map<number, LogSchema>();
  private newest: LogSchema | undefined;

  private constructor(private readonly dir: string, schemas: readonly LogSchema[]) {
    for (const schema of schemas) this.remember(schema);
  }

  static async load(dir: string): Promise<SchemaHistory> {
    let text: string;
    try {
      text = await readFile(join(dir, fileName), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new SchemaHistory(dir, []);
      throw error;
    }
    let stored: StoredSchemas;
    try {
      stored = JSON.parse(text) as StoredSchemas;
    } catch {
      throw new SqlError(SqlState.dataCorrupted, `log schema file ${join(dir, fileName)} is not valid JSON`);
    }
    return new SchemaHistory(dir, stored.schemas);
  }

  get latest(): LogSchema | undefined {
    return this.newest;
  }

  get(schemaId: number): LogSchema | undefined {
    return this.byId.get(schemaId);
  }

  /** Records `schema` if new (durably), after checking it extends the newest one. */
  async register(schema: LogSchema): Promise<void> {
    const known = this.byId.get(schema.schemaId);
    if (known !== undefined) {
      checkExtends(known, schema);
      if (known.columns.length !== schema.columns.length) {
        throw notSupported(`log schema ${schema.schemaId} was registered with ${known.columns.length} columns`);
      }
      return;
    }
    if (this.newest !== undefined) {
      if (schema.schemaId < this.newest.schemaId) throw notSupported(`log schema id ${schema.schemaId} is older than ${this.newest.schemaId}`);
      checkExtends(this.newest, schema);
    }
    this.remember(copySchema(schema));
    await this.persist();
  }

  private remember(schema: LogSchema): void {
    this.byId.set(schema.schemaId, schema);
    if (this.newest === undefined || schema.schemaId > this.newest.schemaId) this.newest = schema;
  }

  private async persist(): Promise<void> {
    const schemas = [...this.byId.values()].sort((a, b) => a.schemaId - b.schemaId);
    const path = join(this.dir, fileName);
    const temporary = `${path}.tmp`;
    await writeFile(temporary, JSON.stringify({ schemas } satisfies StoredSchemas));
    await syncPath(temporary);
    await rename(temporary, path);
    await syncPath(this.dir);
  }
}

function checkExtends(older: LogSchema, newer: LogSchema): void {
  if (newer.columns.length < older.columns.length) {
    throw notSupported(`log schema ${newer.schemaId} drops columns of schema ${older.schemaId}`);
  }
  older.columns.forEach((column, index) => {
    const other = newer.columns[index];
    if (other === undefined || !sameType(column.type, other.type)) {
      throw notSupported(
        `log schema ${newer.schemaId} changes column ${index + 1} (${column.name} ${formatType(column.type)}) of schema ${older.schemaId}`,
      );
    }
  });
}

function copySchema(schema: LogSchema): LogSchema {
  return { schemaId: schema.schemaId, columns: schema.columns.map((column) => ({ name: column.name, type: copyType(column.type) })) };
}

function copyType(type: DataType): DataType {
  return {
    name: type.name,
    ...(type.precision === undefined ? {} : { precision: type.precision }),
    ...(type.scale === undefined ? {} : { scale: type.scale }),
  };
}

/** fsync of a file or directory by path. */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
