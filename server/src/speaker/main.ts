import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
// The config module only: the `node` barrel would load zlib, v8 and vm into every speaker.
import { findConfigFile, loadConfigFile } from '@kube-routes/server/node/config-files';
import type { SpeakerConfig } from '@kube-routes/server/engine';
import { snapshotQuery } from '@kube-routes/server/speaker-api';
import { jsonLogger, type LogLevel } from './log';
import { ListenError, Speaker } from './speaker';
import { TcpMd5Error } from './tcp-md5';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const version: string = (require('../../../package.json') as { version: string }).version;

interface RunFlags {
  config?: string;
  logLevel: LogLevel;
}

class Failure extends Error {}

function loadSpeakerConfig(explicit: string | undefined): { path: string; config: SpeakerConfig } {
  const path = explicit ?? findConfigFile(process.cwd(), existsSync);
  if (!path) throw new Failure('no kube-routes.yaml found in this folder or above; pass --config FILE');
  const parsed = loadConfigFile(path);
  if (!parsed.config) {
    throw new Failure(
      parsed.errors
        .map((e) => `${e.file}:${e.range.start.line + 1}:${e.range.start.column + 1}: ${e.message}`)
        .join('\n'),
    );
  }
  if (!parsed.config.speaker)
    throw new Failure(`${path} has no speaker: section (asn, routerId, listen, api, peers); see docs/api.md`);
  return { path, config: parsed.config.speaker };
}

async function run(flags: RunFlags): Promise<number> {
  const { path, config } = loadSpeakerConfig(flags.config);
  const log = jsonLogger(undefined, flags.logLevel);
  let speaker: Speaker;
  try {
    speaker = new Speaker(config, log);
    await speaker.start();
  } catch (e) {
    if (e instanceof ListenError || e instanceof TcpMd5Error) throw new Failure(e.message);
    throw e;
  }
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      void speaker.stop(`kube-routes-speaker received ${signal}`).then(() => resolve(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGUSR1', () => speaker.refreshAll());
    process.on('SIGHUP', () => {
      // A broken file keeps the running configuration: one log line says why.
      try {
        speaker.reload(loadSpeakerConfig(path).config);
      } catch (e) {
        log.log('error', 'reload-failed', { config: path, reason: e instanceof Error ? e.message : String(e) });
      }
    });
  });
}

/** kube-routes-speaker snapshot: saves a running speaker's RIB as an MRT file. */
async function snapshot(flags: { api: string; output: string }): Promise<number> {
  let url: URL;
  try {
    url = new URL(snapshotQuery(), flags.api.includes('://') ? flags.api : `http://${flags.api}`);
  } catch {
    throw new Failure(`invalid --api "${flags.api}": expected a URL like http://127.0.0.1:8179`);
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    throw new Failure(
      `cannot reach the speaker at ${url.origin}: ${cause?.code ?? (e instanceof Error ? e.message : String(e))}`,
    );
  }
  if (!response.ok || !response.body)
    throw new Failure(`the speaker at ${url.origin} answered ${response.status} for ${url.pathname}`);
  const body = response.body as unknown as AsyncIterable<Uint8Array>;
  // `snapshot` is its own short run: what only it needs loads here (`require`, as for the speaker's
  // other first-use modules: import() fails under the release executable's code cache).
  const { createGzip } = require('node:zlib') as typeof import('node:zlib');
  const { pipeline } = require('node:stream/promises') as typeof import('node:stream/promises');
  const { writeFileAtomically } = require('@kube-routes/server/node') as typeof import('@kube-routes/server/node');
  const gzip = flags.output.endsWith('.gz') ? createGzip() : undefined;
  try {
    if (flags.output !== '-') await writeFileAtomically(flags.output, body, gzip);
    else if (gzip) await pipeline(body, gzip, process.stdout as Writable);
    else await pipeline(body, process.stdout as Writable);
  } catch (e) {
    throw new Failure(`cannot write ${flags.output}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return 0;
}

/** kube-routes-speaker: runs until SIGTERM/SIGINT, then sends Cease to every peer and exits 0. */
export async function main(argv: readonly string[]): Promise<number> {
  let action: (() => Promise<number>) | undefined;
  const program = new Command('kube-routes-speaker')
    .description(
      'BGP speaker of kube-routes: peers passively with routers, learns their routes, advertises nothing, and serves them on a read-only HTTP API.',
    )
    .version(version, '--version')
    .option(
      '--config <file>',
      'kube-routes.yaml with a speaker: section (default: the nearest kube-routes.yaml in or above the working directory)',
    )
    .addOption(
      new Option('--log-level <level>', 'Least severe log level written to stderr')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .exitOverride()
    .configureOutput({
      outputError: (text) => process.stderr.write(text.replace(/^error: unknown option/, 'error: unknown flag')),
    })
    .action((flags: RunFlags) => {
      action = () => run(flags);
    });
  program
    .command('snapshot')
    .description('Save the RIB of a running speaker as an MRT TABLE_DUMP_V2 file (gzip when FILE ends in .gz).')
    .requiredOption('--api <url>', 'The speaker API, e.g. http://127.0.0.1:8179')
    .requiredOption('-o, --output <file>', 'Where to write the MRT file ("-" for standard output)')
    .exitOverride()
    .action((flags: { api: string; output: string }) => {
      action = () => snapshot(flags);
    });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  try {
    return action ? await action() : 0;
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    process.stderr.write(
      `${e.message.startsWith('/') || /^[^ ]+:\d+:\d+: /.test(e.message) ? '' : 'error: '}${e.message}\n`,
    );
    return 2;
  }
}
