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
