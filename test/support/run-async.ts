import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { after } from 'node:test';
import { waitFor } from './daemons';
import { repoRoot, type CliRun } from './run-cli';

// runCli without blocking the event loop: needed when the test process itself serves what the
// command talks to (the Kubernetes API test server), which spawnSync would freeze.

const binDir = resolve(repoRoot, 'node_modules/.bin');

export interface AsyncRunOptions {
  readonly cwd?: string;
  readonly input?: string;
  readonly env?: Record<string, string>;
  /** Extra environment variables removed (e.g. KUBECONFIG from the developer's shell). */
  readonly unsetEnv?: readonly string[];
}

function environment(options: AsyncRunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${binDir}:${process.env.PATH ?? ''}`,
    NO_COLOR: '1',
    ...options.env,
  };
  for (const name of options.unsetEnv ?? []) delete env[name];
  return env;
}

/** A process that keeps running (kubectl get -w): its output so far, and a way to wait for more. */
export class RunningCli {
  stdout = '';
  stderr = '';
  readonly exited: Promise<CliRun>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => (this.stdout += d));
    child.stderr?.on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((done, fail) => {
      child.once('error', fail);
      child.once('close', (code) => done({ code, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  /** Waits until stdout matches (from offset on); returns the match. */
  waitForOutput(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<RegExpExecArray> {
    return waitFor(
      `output matching ${pattern}`,
      () => pattern.exec(this.stdout.slice(from)) ?? undefined,
      timeoutMs,
      25,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nstdout so far:\n${this.stdout}\nstderr so far:\n${this.stderr}`);
    });
  }

  async stop(): Promise<CliRun> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** Starts a command with the workspace bins first on PATH; stopped when the test file ends. */
export function startCli(command: string, args: readonly string[], options: AsyncRunOptions = {}): RunningCli {
  const child = spawn(command, args, {
    cwd: options.cwd ?? repoRoot,
    env: environment(options),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  const running = new RunningCli(child);
  after(() => running.stop().then(() => undefined));
  return running;
}

/** Runs a command to completion without blocking this process. */
export function runCliAsync(command: string, args: readonly string[], options: AsyncRunOptions = {}): Promise<CliRun> {
  return startCli(command, args, options).exited;
}
