#!/usr/bin/env node
// The `sluice` command: `sluice serve [--data DIR] [--host H] [--port N] [--cache-memory SIZE]`.
// Prints the address it bound (useful with --port 0) and shuts down cleanly on SIGINT/SIGTERM.

import { limits } from './common/limits.js';
import { startServer } from './main.js';

const usage = `usage: sluice serve [--data DIR] [--host HOST] [--port PORT] [--cache-memory SIZE]

  --data DIR            data directory (default ./sluice-data)
  --host HOST           address to listen on (default 127.0.0.1)
  --port PORT           port to listen on; 0 picks a free one (default 5433)
  --cache-memory SIZE   memory of the storage's bounded caches together, a quarter each for the
                        row cache, the log frame cache, RocksDB's block cache and its write
                        buffer: megabytes, or a number with kB, MB or GB (default 256MB, least 4MB)`;

interface Options { data: string; host: string; port: number; cacheBytes: number }

const memoryUnits: Readonly<Record<string, number>> = { kB: 1024, MB: 1024 * 1024, GB: 1024 * 1024 * 1024 };

/** Bytes of a memory size as PostgreSQL writes them (`64MB`, `512kB`, `1GB`); a bare number is megabytes. */
function parseMemory(flag: string, text: string): number {
  const match = /^(\d+)\s*(kB|MB|GB)?$/.exec(text.trim());
  if (match === null) fail(`${flag} must be a number of megabytes or a number with kB, MB or GB, not "${text}"`);
  const bytes = Number(match[1]) * memoryUnits[match[2] ?? 'MB']!;
  if (!Number.isSafeInteger(bytes)) fail(`${flag} ${text} is too large`);
  return bytes;
}

function parseArguments(args: readonly string[]): Options {
  const options: Options = { data: './sluice-data', host: '127.0.0.1', port: 5433, cacheBytes: limits.cacheMemoryBytesDefault };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined) fail(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--data': options.data = value(); break;
      case '--host': options.host = value(); break;
      case '--port': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be an integer between 0 and 65535');
        options.port = port;
        break;
      }
      case '--cache-memory': {
        const bytes = parseMemory(flag, value());
        if (bytes < limits.cacheMemoryBytesMin) fail(`--cache-memory must be at least ${limits.cacheMemoryBytesMin / 1048576}MB`);
        options.cacheBytes = bytes;
        break;
      }
      case '--help': case '-h': console.log(usage); process.exit(0); break;
      default: fail(`unknown option ${arg}`);
    }
  }
  return options;
}

function fail(message: string): never {
  console.error(`sluice: ${message}\n${usage}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(usage);
    return;
  }
  if (command !== 'serve') fail(command === undefined ? 'missing command' : `unknown command ${command}`);
  const options = parseArguments(rest);
  const server = await startServer({ dataDirectory: options.data, host: options.host, port: options.port, cacheBytes: options.cacheBytes });
  console.log(`sluice listening on ${server.host}:${server.port}`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`sluice: ${signal} received, shutting down`);
    server.stop().then(() => process.exit(0), (error: unknown) => {
      console.error('sluice: error during shutdown:', error);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`sluice: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
