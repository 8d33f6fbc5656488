// Composition root: configuration → storage → catalog → engine → wire server. The only module
// that knows every layer; everything else receives its dependencies through constructors.

import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { Catalog } from './engine/catalog.js';
import { Engine } from './engine/engine.js';
import { PgServer } from './pgwire/server.js';
import { initParser } from './sql/parser.js';
import { limits } from './common/limits.js';
import { startIdleMemoryRelease } from './common/idle-memory.js';
import { CatalogStore } from './storage/catalog-store.js';
import { TableStorage } from './storage/table-storage.js';

export interface ServerConfig {
  readonly dataDirectory: string;
  readonly host: string;
  readonly port: number;
  /** Bytes of the storage's bounded caches together (default limits.cacheMemoryBytesDefault). */
  readonly cacheBytes?: number;
}

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  await initParser();
  await mkdir(config.dataDirectory, { recursive: true });
  const catalogStore = await CatalogStore.open(join(config.dataDirectory, 'catalog'));
  let server: PgServer | undefined;
  let storage: TableStorage | undefined;
  try {
    const catalog = await Catalog.open(catalogStore);
    storage = await TableStorage.open(config.dataDirectory, { cacheBytes: config.cacheBytes });
    const engine = new Engine(catalog, storage);
    await engine.openTables();
    const stopRetention = engine.startRetention(limits.retentionCheckIntervalMs);
    const stopIdleMemoryRelease = startIdleMemoryRelease();
    server = new PgServer(engine, { host: config.host, port: config.port });
    const address = await server.listen();
    let stopping: Promise<void> | undefined;
    const running = server;
    const openStorage = storage;
    return {
      host: address.host,
      port: address.port,
      stop: () => {
        stopping ??= (async () => {
          stopRetention();
          stopIdleMemoryRelease();
          await running.close();
          await openStorage.close();
          await catalogStore.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await server?.close().catch(() => undefined);
    await storage?.close().catch(() => undefined);
    await catalogStore.close().catch(() => undefined);
    throw error;
  }
}
