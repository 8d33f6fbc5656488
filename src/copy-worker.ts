// Entry of the COPY worker thread (pgwire/copy/copy-workers.ts): COPY FROM input is decoded here
// and built into what the sinks commit (engine/copy-build.ts).

import { parentPort } from 'node:worker_threads';
import { openCopyBuild, type CopyBuildSpec } from './engine/copy-build.js';
import { serveCopyWorker } from './pgwire/copy/copy-workers.js';

if (parentPort === null) throw new Error('copy-worker.js runs as a worker thread');
serveCopyWorker(parentPort, (spec) => openCopyBuild(spec as CopyBuildSpec));
