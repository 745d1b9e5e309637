import { existsSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { findConfigFile, loadConfigFile } from '@kube-routes/server/node';
import { jsonLogger, type LogLevel } from './log';
import { ListenError, Speaker } from './speaker';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const version: string = (require('../../../package.json') as { version: string }).version;

interface Flags {
  config?: string;
  logLevel: LogLevel;
}

function fail(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return 2;
}

/** kube-routes-speaker: runs until SIGTERM/SIGINT, then sends Cease to every peer and exits 0. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('kube-routes-speaker')
    .description('BGP speaker of kube-routes: peers passively with routers, learns their routes, advertises nothing, and serves them on a read-only HTTP API.')
    .version(version, '--version')
    .option('--config <file>', 'kube-routes.yaml with a speaker: section (default: the nearest kube-routes.yaml in or above the working directory)')
    .addOption(new Option('--log-level <level>', 'Least severe log level written to stderr').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .exitOverride()
    .configureOutput({ outputError: (text) => process.stderr.write(text.replace(/^error: unknown option/, 'error: unknown flag')) });
  let flags: Flags;
  try {
    program.parse([...argv], { from: 'user' });
    flags = program.opts<Flags>();
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }

  const configPath = flags.config ?? findConfigFile(process.cwd(), existsSync);
  if (!configPath) return fail('no kube-routes.yaml found in this folder or above; pass --config FILE');
  const parsed = loadConfigFile(configPath);
  if (!parsed.config) {
    for (const e of parsed.errors) process.stderr.write(`${e.file}:${e.range.start.line + 1}:${e.range.start.column + 1}: ${e.message}\n`);
    return 2;
  }
  const speakerConfig = parsed.config.speaker;
  if (!speakerConfig) return fail(`${configPath} has no speaker: section (asn, routerId, listen, api, peers); see docs/api.md`);

  const log = jsonLogger(undefined, flags.logLevel);
  const speaker = new Speaker(speakerConfig, log);
  try {
    await speaker.start();
  } catch (e) {
    if (e instanceof ListenError) return fail(e.message);
    throw e;
  }
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      void speaker.stop(`kube-routes-speaker received ${signal}`).then(() => resolve(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGUSR1', () => speaker.refreshAll());
  });
}
