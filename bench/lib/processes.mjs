// Child processes of the side-by-side benchmarks (bench/speaker.mjs, bench/fan-in.mjs): started
// with their stderr kept for error messages, stopped with SIGTERM (SIGKILL after 5 s), all
// killed when the benchmark exits, and read from /proc (CPU seconds, peak RSS).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/** Starts a process; `child.stderrText()` is what it wrote to stderr so far. */
export function start(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  child.stderrText = () => stderr;
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
export function stop(child) {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode) return r();
    child.once('exit', r);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/**
 * Starts kube-routes-speaker as users do: its bin script run directly, so the settings of its #!
 * line apply (the V8 young generation and glibc's malloc settings that the peak RSS depends on),
 * with this Node first on PATH so `env node` finds the same one. With `executable` (a release
 * single executable), that file with the #! line's environment, as the image sets it.
 */
export function startSpeaker(root, args, executable) {
  const bin = join(root, 'server/bin/kube-routes-speaker');
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  if (executable === undefined) return start(bin, args, { env });
  const shebang = readFileSync(bin, 'utf8')
    .split('\n')[0]
    .replace(/^#!\/usr\/bin\/env -S /, '')
    .split(' ');
  for (const word of shebang.slice(0, shebang.indexOf('node'))) {
    const [name, value] = word.split('=');
    env[name] = value;
  }
  return start(executable, args, { env });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) and peak RSS (VmHWM, MiB) of a running process. */
export function procStat(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, peakRssMiB: hwm / 1024 };
}
