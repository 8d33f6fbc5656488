// Gives the memory of a burst of work back once the server falls idle. V8 sizes its heap by the
// allocation rate of the moment: a COPY or a view catching up grows the heap to several times what
// is live, and V8 shrinks it again only through its memory reducer, which waits seconds after a major
// collection and, on a server that is merely quiet, often never runs. So when the event loop has
// been almost idle for a while and the heap holds much more than was live after the last full
// collection, one full collection runs: tens of milliseconds, at a moment nothing waits for them,
// after which V8 unmaps the emptied pages. That collection compacts every page: a plain full
// collection moves objects off only the emptiest pages, so a heap whose survivors are scattered
// (a row cache churned by a load) stays committed several times over what is live.

import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

export interface IdleMemoryOptions {
  /** How often the event loop's utilization is sampled. */
  readonly sampleMs: number;
  /** How long the loop must stay below `idleUtilization` before a collection. */
  readonly idleMs: number;
  /** Utilization (busy share of the loop's time) below which a sample counts as idle. */
  readonly idleUtilization: number;
  /** Heap bytes above the last collection's live bytes that make a collection worth it. */
  readonly reclaimableBytes: number;
  /** Least time between two idle collections. */
  readonly minIntervalMs: number;
  /** Called after each collection this runs (V8's own collections do not count). */
  readonly onCollection?: () => void;
}

export const idleMemoryDefaults: IdleMemoryOptions = {
  sampleMs: 500,
  idleMs: 2_000,
  idleUtilization: 0.05,
  reclaimableBytes: 64 * 1024 * 1024,
  minIntervalMs: 10_000,
};

/** V8's full collection, exposed at run time; null where the flag cannot be set. */
function fullCollection(): (() => void) | null {
  let gc: unknown = (globalThis as { gc?: () => void }).gc;
  try {
    if (typeof gc !== 'function') {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc');
    }
  } catch {
    return null;
  }
  if (typeof gc !== 'function') return null;
  const collect = gc as () => void;
  return () => {
    // V8 reads the flag when a collection starts; it is set for this one collection only.
    v8.setFlagsFromString('--compact-on-every-full-gc');
    try {
      collect();
    } finally {
      v8.setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
}

/** Starts the idle collector; the returned function stops it. Its timer never keeps the process alive. */
export function startIdleMemoryRelease(options: IdleMemoryOptions = idleMemoryDefaults): () => void {
  const gc = fullCollection();
  if (gc === null) return () => undefined;
  let previous: EventLoopUtilization = performance.eventLoopUtilization();
  let idleSinceMs: number | null = null;
  let liveBytes = process.memoryUsage().heapUsed;
  let lastCollectionMs = -Infinity;
  const timer = setInterval(() => {
    const now = performance.now();
    const current = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(current, previous).utilization;
    previous = current;
    if (utilization >= options.idleUtilization) {
      idleSinceMs = null;
      return;
    }
    idleSinceMs ??= now - options.sampleMs;
    if (now - idleSinceMs < options.idleMs || now - lastCollectionMs < options.minIntervalMs) return;
    const heap = process.memoryUsage();
    if (heap.heapTotal - liveBytes < options.reclaimableBytes) return;
    gc();
    lastCollectionMs = performance.now();
    liveBytes = process.memoryUsage().heapUsed;
    options.onCollection?.();
    // The collection's own time would otherwise count as the next sample's work.
    previous = performance.eventLoopUtilization();
  }, options.sampleMs);
  timer.unref();
  return () => clearInterval(timer);
}
