// Facts about the machine and software a report was produced on.
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem, type as osType } from 'node:os';

export interface MachineInfo {
  readonly cpu: string;
  readonly memory: string;
  readonly os: string;
  readonly node: string;
  readonly commit: string;
  readonly date: string;
}

export function describeMachine(repoRoot: string): MachineInfo {
  const processors = cpus();
  const model = processors[0]?.model.trim() ?? 'unknown model';
  return {
    cpu: `${processors.length} cores (${model})`,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${osType()} ${release()}`,
    node: process.version,
    commit: gitCommit(repoRoot),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

function gitCommit(repoRoot: string): string {
  try {
    return execFileSync('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
