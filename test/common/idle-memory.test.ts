import { describe, expect, it } from 'vitest';
import { startIdleMemoryRelease } from '../../src/common/idle-memory.js';

const options = { sampleMs: 50, idleMs: 200, idleUtilization: 0.2, reclaimableBytes: 16 * 1024 * 1024, minIntervalMs: 0 };

/** Allocates about `megabytes` of short-lived objects, keeping a window of them alive so they reach the old generation. */
function burst(megabytes: number): void {
  let window: object[][] = [];
  for (let round = 0; round < megabytes / 8; round++) {
    const chunk: object[] = [];
    for (let i = 0; i < 100_000; i++) chunk.push({ i, s: `value ${i}` });
    window.push(chunk);
    if (window.length > 6) window = window.slice(1);
  }
}

/** A map filled with a million entries of which one in ten stays: survivors scattered over every page. */
function scatteredSurvivors(): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i < 1_000_000; i++) map.set(`key ${i} ${'k'.repeat(40)}`, `value ${i} ${'v'.repeat(60)}`);
  let i = 0;
  for (const key of map.keys()) if (i++ % 10 !== 0) map.delete(key);
  return map;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('idle memory release', () => {
  it('collects the heap a burst grew once the event loop has been idle', async () => {
    const stop = startIdleMemoryRelease(options);
    try {
      burst(400);
      const grown = process.memoryUsage().heapTotal;
      await sleep(1_000);
      const after = process.memoryUsage().heapTotal;
      expect(grown - after).toBeGreaterThan(16 * 1024 * 1024);
    } finally {
      stop();
    }
  });

  it('compacts a heap whose survivors are scattered, so its committed size follows what is live', async () => {
    let collections = 0;
    const stop = startIdleMemoryRelease({ ...options, onCollection: () => { collections++; } });
    try {
      const kept = scatteredSurvivors();
      const grown = process.memoryUsage();
      await sleep(1_000);
      const after = process.memoryUsage();
      expect(collections).toBeGreaterThan(0);
      // A full collection that does not compact leaves the heap at about its grown size.
      expect(after.heapTotal).toBeLessThan(grown.heapTotal / 2);
      expect(after.heapTotal).toBeLessThan(2 * after.heapUsed + 32 * 1024 * 1024);
      expect(kept.size).toBe(100_000);
    } finally {
      stop();
    }
  });

  // V8's memory reducer may shrink the heap on its own when little is allocated, so the test
  // counts the collector's own collections rather than watching the heap.
  it('does nothing while the event loop stays busy', async () => {
    let collections = 0;
    const stop = startIdleMemoryRelease({ ...options, onCollection: () => { collections++; } });
    try {
      burst(400);
      // Busy for a second: the loop never idles long enough.
      const until = performance.now() + 1_000;
      while (performance.now() < until) {
        const spin = performance.now() + 40;
        while (performance.now() < spin) { /* work */ }
        await sleep(1);
      }
      expect(collections).toBe(0);
    } finally {
      stop();
    }
  });
});
