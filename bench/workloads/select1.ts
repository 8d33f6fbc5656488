// select1 (pgbench): round trips per second for `SELECT 1` over 1 and 16 connections in each
// pgbench query mode — the protocol and session overhead floor, with no storage involved.
import { runPgbench, type QueryMode } from '../harness/pgbench.js';
import { runSeconds } from './common.js';
import type { Workload, WorkloadVariant } from './types.js';

interface Select1Variant extends WorkloadVariant {
  readonly mode: QueryMode;
  readonly clients: number;
}

const modes: readonly QueryMode[] = ['simple', 'extended', 'prepared'];
const clientCounts = [1, 16] as const;

export const select1: Workload<Select1Variant> = {
  name: 'select1',
  description:
    'Round trips per second for `SELECT 1` driven by pgbench (-M simple, extended and prepared) over 1 and over 16 connections: protocol, parsing and session overhead without storage.',
  sizeDependent: false,
  variants: clientCounts.flatMap((clients) =>
    modes.map((mode) => ({ label: `pgbench ${mode}, ${clients} conn${clients > 1 ? 's' : ''}`, mode, clients })),
  ),
  requires: () => ['SELECT 1'],
  async prepare(context, variant) {
    return {
      warmups: 1,
      async run(index) {
        const tps = await runPgbench(context.pgbench, context.target, {
          script: 'SELECT 1;\n',
          clients: variant.clients,
          seconds: runSeconds(context, index),
          mode: variant.mode,
        });
        return { value: tps, unit: 'ops/s', better: 'higher' };
      },
    };
  },
};
