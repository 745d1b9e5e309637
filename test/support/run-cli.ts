import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// Compiled to test/dist/support/.
export const repoRoot = resolve(__dirname, '../../..');
const binDir = resolve(repoRoot, 'node_modules/.bin');

/**
 * Runs a real process with the workspace's bins first on PATH, so `kubectl routes` goes through
 * kubectl's own plugin discovery.
 */
export function runCli(
  command: string,
  args: readonly string[],
  options: { cwd?: string; input?: string | Uint8Array; env?: Record<string, string> } = {},
): CliRun {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? repoRoot,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}`, NO_COLOR: '1', ...options.env },
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
