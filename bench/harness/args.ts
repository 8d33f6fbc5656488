// Command-line options of `npm run bench -- ...`, with defaults sized so that the full run
// (both systems, 200 000 and 2 000 000 rows) stays under 15 minutes on a small machine.
import { systemKinds, type SystemKind } from './target.js';

export interface BenchOptions {
  /** Workload names (or name prefixes before "_", e.g. "select1") to run; empty means all. */
  readonly only: readonly string[];
  readonly sizes: readonly number[];
  readonly runs: number;
  readonly seconds: number;
  readonly ingestRows: number;
  readonly systems: readonly SystemKind[];
  /** Where to write the Markdown report; undefined means do not write one. */
  readonly out: string | undefined;
  readonly help: boolean;
}

export const defaultSizes = [200_000, 2_000_000] as const;
const ingestRowsDefaultMax = 200_000;
export const defaultReportPath = 'BENCHMARKS.md';

export const usage = `Usage: npm run bench -- [options]

  --only NAME[,NAME]    run only these workloads (a name also selects NAME_*: select1 → select1_node)
  --rows N[,N]          table sizes for size-dependent workloads (default 200000,2000000)
  --runs N              measured runs per cell; the median and min–max are reported (default 3)
  --seconds N           duration of each pgbench / timed-loop run (default 5)
  --ingest-rows N       rows per run for insert_multirow and upsert (default min(200000, smallest size))
  --systems LIST        sluice,postgres (default both)
  --out FILE            write the Markdown report here (default BENCHMARKS.md for a full run;
                        runs with --only write no report unless --out is given)
  --help                show this text
`;

export function parseArgs(argv: readonly string[]): BenchOptions {
  const values = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const [name, inline] = arg.startsWith('--') ? arg.slice(2).split('=', 2) : [undefined, undefined];
    if (name === undefined || !knownOptions.has(name)) throw new Error(`unknown argument ${arg}\n\n${usage}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    values.set(name, value);
  }
  const list = (name: string): string[] =>
    (values.get(name) ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
  const sizes = values.has('rows') ? list('rows').map((item) => positiveInteger('rows', item)) : [...defaultSizes];
  const systems = values.has('systems') ? list('systems').map(systemKind) : [...systemKinds];
  const only = list('only');
  return {
    only,
    sizes,
    runs: positiveInteger('runs', values.get('runs') ?? '3'),
    seconds: positiveInteger('seconds', values.get('seconds') ?? '5'),
    ingestRows: positiveInteger('ingest-rows', values.get('ingest-rows') ?? String(Math.min(ingestRowsDefaultMax, ...sizes))),
    systems,
    out: values.get('out') ?? (only.length === 0 ? defaultReportPath : undefined),
    help,
  };
}

const knownOptions = new Set(['only', 'rows', 'runs', 'seconds', 'ingest-rows', 'systems', 'out']);

function positiveInteger(name: string, text: string): number {
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return value;
}

function systemKind(text: string): SystemKind {
  const kind = systemKinds.find((system) => system === text);
  if (kind === undefined) throw new Error(`unknown system "${text}" (expected ${systemKinds.join(' or ')})`);
  return kind;
}
