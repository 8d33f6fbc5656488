// Child processes and cleanup for the benchmark run. Every process the harness starts is
// tracked here so that a failure, Ctrl-C or SIGTERM still stops servers, kills pgbench and
// removes temporary directories; cleanup actions run once, newest first.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly timeoutMs: number;
}

type CleanupAction = () => Promise<void>;

const killGraceMs = 5_000;

export class ProcessSupervisor {
  private readonly children = new Set<ChildProcess>();
  private readonly cleanups: { label: string; action: CleanupAction }[] = [];
  private cleaning: Promise<void> | undefined;

  /** Starts a long-lived process; it is killed on cleanup if still alive. */
  start(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    child.once('error', () => this.children.delete(child));
    return child;
  }

  /** Runs a command to completion, collecting its output; kills it after timeoutMs. */
  run(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = this.start(command, args, { env: options.env ?? process.env, cwd: options.cwd });
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
      child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      const timer = setTimeout(() => {
        stderr += `\n(killed after ${options.timeoutMs} ms)`;
        child.kill('SIGKILL');
      }, options.timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot run ${command}: ${error.message}`));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });
  }

  /** Registers an action to run at cleanup (e.g. stop a server, remove a directory). */
  onCleanup(label: string, action: CleanupAction): void {
    this.cleanups.push({ label, action });
  }

  /** True once cleanup has begun; long loops check it to stop starting new work. */
  get stopping(): boolean {
    return this.cleaning !== undefined;
  }

  /** Throws if cleanup has begun (the run was interrupted). */
  throwIfStopping(): void {
    if (this.stopping) throw new Error('interrupted');
  }

  /** Runs cleanup actions newest first, then kills any child still alive. Idempotent. */
  cleanup(): Promise<void> {
    this.cleaning ??= this.runCleanups();
    return this.cleaning;
  }

  private async runCleanups(): Promise<void> {
    for (const { label, action } of this.cleanups.reverse()) {
      try {
        await action();
      } catch (error) {
        process.stderr.write(`cleanup "${label}" failed: ${errorMessage(error)}\n`);
      }
    }
    await Promise.all([...this.children].map((child) => killAndWait(child)));
  }
}

/** Sends SIGTERM, then SIGKILL if the process has not exited within the grace period. */
export async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), killGraceMs);
  await exited;
  clearTimeout(timer);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
