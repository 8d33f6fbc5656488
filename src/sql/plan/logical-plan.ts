// The logical plan: a tree of relational operators, each node a readonly record with a `kind`.
// Every walk over it is a switch on `kind` that ends in an exhaustiveness check.
import type { LogicalValues } from './logical-values.js';
import type { LogicalFunctionScan } from './logical-function-scan.js';
import type { LogicalProject } from './logical-project.js';
import type { LogicalFilter } from './logical-filter.js';
import type { LogicalLimit } from './logical-limit.js';
import type { LogicalScan } from './logical-scan.js';
import type { LogicalSort } from './logical-sort.js';
import type { LogicalAggregate } from './logical-aggregate.js';
import type { LogicalLookup } from './logical-lookup.js';
import type { LogicalStoredCount } from './logical-stored-count.js';
import type { LogicalJoin } from './logical-join.js';
import type { LogicalDistinct } from './logical-distinct.js';
import type { LogicalSetOp } from './logical-set-op.js';
import type { LogicalApply } from './logical-apply.js';
import type { LogicalRecursiveUnion } from './logical-recursive-union.js';
import type { LogicalWorkTableScan } from './logical-work-table-scan.js';
import type { LogicalLateralJoin } from './logical-lateral-join.js';
import type { LogicalWindow } from './logical-window.js';

export type LogicalPlan = LogicalValues | LogicalProject | LogicalFilter | LogicalLimit | LogicalScan | LogicalSort | LogicalAggregate | LogicalLookup | LogicalStoredCount
  | LogicalJoin | LogicalDistinct | LogicalSetOp | LogicalApply | LogicalFunctionScan
  | LogicalRecursiveUnion | LogicalWorkTableScan | LogicalLateralJoin | LogicalWindow;
export type { LogicalValues, LogicalProject, LogicalFilter, LogicalLimit, LogicalScan, LogicalSort, LogicalAggregate, LogicalLookup, LogicalStoredCount };
export type { LogicalJoin, LogicalDistinct, LogicalSetOp, LogicalApply, LogicalFunctionScan };
export type { LogicalRecursiveUnion, LogicalWorkTableScan, LogicalLateralJoin, LogicalWindow };
