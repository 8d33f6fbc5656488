// One running instance of a stream plan: its executors and their state. Changes of the source go
// in, changes of the query's output come out.

import type { Value } from '../../common/types.js';
import type { FunctionContext } from '../../functions/function.js';
import { compileExpr } from '../expr/compile.js';
import { AggregateExecutor } from './aggregate-executor.js';
import type { ChangeChunk } from './change-chunk.js';
import { FilterExecutor } from './filter-executor.js';
import { ProjectExecutor } from './project-executor.js';
import type { StreamNode, StreamPlan } from './stream-plan.js';

type Executor = FilterExecutor | ProjectExecutor;

export class StreamPipeline {
  private readonly before: readonly Executor[];
  private readonly aggregate: AggregateExecutor | null;
  private readonly after: readonly Executor[];

  constructor(plan: StreamPlan, functions: FunctionContext, params: readonly Value[]) {
    const build = (node: StreamNode): Executor => node.kind === 'Filter'
      ? new FilterExecutor(compileExpr(node.predicate, functions), params)
      : new ProjectExecutor(node.exprs.map((expr) => compileExpr(expr, functions)), params);
    this.before = plan.before.map(build);
    this.after = plan.after.map(build);
    const aggregate = plan.aggregate;
    this.aggregate = aggregate === null ? null : new AggregateExecutor(
      aggregate.groupKeys.map((expr) => compileExpr(expr, functions)),
      aggregate.aggregates.map((call) => call.args.map((arg) => compileExpr(arg, functions))),
      aggregate.aggregates, params);
  }

  /** Whether the pipeline keeps state (a GROUP BY) that must be built before changes flow. */
  get stateful(): boolean {
    return this.aggregate !== null;
  }

  /**
   * Takes a chunk of the current commit's source changes. A stateless pipeline returns its output
   * changes at once; a stateful one returns nothing until flush().
   */
  push(chunk: ChangeChunk): ChangeChunk {
    const changes = runAll(this.before, chunk);
    if (this.aggregate === null) return changes;
    if (changes.rows.length > 0) this.aggregate.apply(changes);
    return { rows: [], diffs: [] };
  }

  /** End of a commit: the output changes a stateful pipeline holds back until then. */
  flush(): ChangeChunk {
    if (this.aggregate === null) return { rows: [], diffs: [] };
    return runAll(this.after, this.aggregate.flush());
  }

  /** Feeds source changes into the state without producing output. */
  load(chunk: ChangeChunk): void {
    this.aggregate?.load(runAll(this.before, chunk));
  }

  /** The current result of a stateful pipeline, as inserts. */
  current(): ChangeChunk {
    if (this.aggregate === null) return { rows: [], diffs: [] };
    return runAll(this.after, this.aggregate.current());
  }
}

function runAll(executors: readonly Executor[], chunk: ChangeChunk): ChangeChunk {
  let changes = chunk;
  for (const executor of executors) {
    if (changes.rows.length === 0) return changes;
    changes = executor.apply(changes);
  }
  return changes;
}
