import { Command, Option } from 'commander';
import { ConfigErrors, runCheck } from './run-check';
import { cacheLocation, defaultCacheName } from './check-cache';
import { documentCommand } from '../cli/help';
import { UsageError, type CliIO } from '../cli/io';
import { formatJson } from '../output/json';
import { formatSarif } from '../output/sarif';
import { formatText } from '../output/text';
import { terminalStyle } from '../output/style';
import { defaultMaxFileBytes } from '@kube-routes/server/node';
import type { Severity } from '@kube-routes/server/engine';
import type { LiveCheckInput } from '../live/check-live';
import { lazy } from '../cli/lazy';

// --live only: the kube client and the live views load when asked for.
const checkLive = lazy(() => require('../live/check-live') as typeof import('../live/check-live'));
const liveRun = lazy(() => require('../live/live-run') as typeof import('../live/live-run'));

type OutputFormat = 'text' | 'json' | 'sarif';

interface CheckFlags {
  config?: string;
  output: OutputFormat;
  failOn: Severity;
  maxFileSize: number;
  exclude: string[];
  kustomize: string[];
  speaker?: string;
  bgp?: string;
  live?: boolean;
  context: string[];
  allContexts?: boolean;
  kubeconfig?: string;
  cache?: boolean;
  cacheLocation?: string;
}

export function parseSize(text: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|K|M|G)?B?$/i.exec(text.trim());
  if (!m) throw new UsageError(`invalid size "${text}": use bytes or a suffix, e.g. 512Ki, 16Mi`);
  const unit = (m[2] ?? '').toLowerCase().replace('i', '');
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Number(m[1]) * factor;
}

export function checkCommand(io: CliIO, version: string, setExitCode: (code: number) => void): Command {
  const command = new Command('check')
    .summary('Check Service manifests for cluster IP, external IP and region problems')
    .description('Check Service manifests for cluster IP, external IP and region problems.')
    .argument('[paths...]')
    .option(
      '--config <file>',
      "Region config (kube-routes.yaml). Default: the nearest kube-routes.yaml in or above each file's folder.",
    )
    .addOption(
      new Option('-o, --output <format>', 'Output format. One of: (text, json, sarif).')
        .choices(['text', 'json', 'sarif'])
        .default('text'),
    )
    .addOption(
      new Option(
        '--fail-on <severity>',
        'Exit 1 when a finding has this severity or higher. One of: (error, warning, info).',
      )
        .choices(['error', 'warning', 'info'])
        .default('error'),
    )
    .option(
      '--speaker <url>',
      'Check against the routes of a running kube-routes-speaker (its API URL, e.g. http://127.0.0.1:8179, or k8s://NAMESPACE/SERVICE:PORT with --live): adds the BGP rules.',
    )
    .option(
      '--bgp <file.mrt>',
      'Check against the routes of an MRT file (TABLE_DUMP_V2 or BGP4MP, plain or gzip), loaded in-process: adds the BGP rules.',
    )
    .option(
      '--live',
      'Also check against the Services of live clusters: adds cluster-ip-allocated, and the BGP rules when kube-routes.yaml names speakers (regions.*.speaker, one vantage per region, else speaker.api).',
    )
    .addOption(
      new Option(
        '--context <name>',
        'With --live: a kube context to read (repeatable). Default: every context under regions.*.contexts of kube-routes.yaml, else the current context.',
      )
        .argParser((v: string, prev: string[]) => [...prev, v])
        .default([], '[]'),
    )
    .option('--all-contexts', 'With --live: read every context listed under regions.*.contexts of kube-routes.yaml.')
    .option(
      '--kubeconfig <file>',
      'With --live: path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).',
    )
    .addOption(
      new Option(
        '-k, --kustomize <dir>',
        'Render a kustomization with kubectl kustomize and check it; findings name the file each resource came from. Repeatable.',
      )
        .argParser((v: string, prev: string[]) => [...prev, v])
        .default([], '[]'),
    )
    .addOption(
      new Option(
        '--exclude <glob>',
        'Skip paths matching GLOB, relative to the working directory (** for any depth; a folder skips what is under it). Repeatable; adds to exclude: in kube-routes.yaml.',
      )
        .argParser((v: string, prev: string[]) => [...prev, v])
        .default([], '[]'),
    )
    .option(
      '--cache',
      `Keep what was read from each file and what was found in it in a cache; read and check again only the files that changed and those sharing an address, Service or chart with them (the results are those of a full check). Default location: ${defaultCacheName} in the working directory.`,
    )
    .option(
      '--cache-location <path>',
      `With --cache: the cache file, or a folder to keep ${defaultCacheName} in (e.g. node_modules/.cache/kube-routes/).`,
    )
    .addOption(
      new Option('--max-file-size <size>', 'Largest manifest file to read, in bytes or with a suffix (Ki, Mi).')
        .default(defaultMaxFileBytes, '16Mi')
        .argParser(parseSize),
    )
    .action(async (paths: string[], flags: CheckFlags) => {
      try {
        if (!flags.live && (flags.context.length > 0 || flags.allContexts || flags.kubeconfig))
          throw new UsageError('--context, --all-contexts and --kubeconfig need --live');
        if (!flags.live && flags.speaker?.startsWith('k8s://'))
          throw new UsageError('--speaker k8s://... reaches the speaker through a cluster: add --live');
        if (flags.cacheLocation !== undefined && !flags.cache) throw new UsageError('--cache-location needs --cache');
        let liveInput: LiveCheckInput | undefined;
        if (flags.live) {
          try {
            liveInput = await checkLive().readLiveForCheck(io, {
              context: flags.context,
              allContexts: flags.allContexts,
              kubeconfig: flags.kubeconfig,
              config: flags.config,
              speaker: flags.speaker,
              bgp: flags.bgp,
            });
          } catch (e) {
            throw e instanceof liveRun().LiveConfigErrors ? new ConfigErrors(e.errors) : e;
          }
        }
        const speaker = liveInput?.routes ?? flags.speaker;
        const { report, exitCode } = await runCheck(
          paths,
          {
            config: flags.config,
            failOn: flags.failOn,
            maxFileBytes: flags.maxFileSize,
            exclude: flags.exclude,
            kustomize: flags.kustomize,
            speaker,
            bgp: flags.bgp,
            live: liveInput?.live,
            liveFiles: liveInput?.files,
            onRouteSourceError: liveInput ? (m) => liveInput.run.problems.push(m) : undefined,
            cache: flags.cache ? { location: cacheLocation(flags.cacheLocation, io.cwd), version } : undefined,
          },
          io,
        );
        const text =
          flags.output === 'json'
            ? formatJson(report)
            : flags.output === 'sarif'
              ? formatSarif(report, io.cwd, version)
              : formatText(report, terminalStyle(io.color));
        io.stdout(text);
        // Contexts that could not be read: the check is incomplete, whatever it found.
        setExitCode(
          liveInput
            ? liveInput.run.finish(exitCode, {
                count: liveInput.answered,
                of: liveInput.asked,
                what: 'the live check is',
              })
            : exitCode,
        );
      } catch (e) {
        if (!(e instanceof ConfigErrors)) throw e;
        for (const err of e.errors)
          io.stderr(`${err.file}:${err.range.start.line + 1}:${err.range.start.column + 1}: ${err.message}\n`);
        io.stderr(
          `error: ${e.errors.length === 1 ? 'the config has an error' : `the config has ${e.errors.length} errors`}; fix it and run again\n`,
        );
        setExitCode(2);
      }
    });
  return documentCommand(command, {
    long: [
      'Check Service manifests for cluster IP, external IP, region label and address range problems: the',
      'pre-commit and CI check of kube-routes.',
      '',
      ' All files are checked together, so a duplicate across files is found. Directories are searched',
      'recursively for *.yaml, *.yml and *.json; "-" reads standard input. Each file is checked against the nearest',
      'kube-routes.yaml in or above its folder, unless --config is given.',
      '',
      ' Exit status: 0 when no finding is at or above --fail-on, 1 when some are, 2 for usage or config errors.',
    ].join('\n'),
    examples: [
      {
        comment: 'Check every manifest under deploy/ against the nearest kube-routes.yaml',
        command: 'kubectl routes check deploy/',
      },
      {
        comment: 'Check rendered manifests from standard input with an explicit config',
        command: 'helm template ./chart | kubectl routes check --config kube-routes.yaml -',
      },
      {
        comment: 'Write SARIF for code scanning, failing on warnings too',
        command: 'kubectl routes check -o sarif --fail-on warning deploy/ > kube-routes.sarif',
      },
      {
        comment: 'Re-read only the files that changed since the last run (pre-commit, CI with a kept cache)',
        command: 'kubectl routes check --cache .',
      },
      {
        comment: 'Also check which routes cover each Service IP, from a recorded BGP table',
        command: 'kubectl routes check --bgp fabric.mrt deploy/',
      },
      {
        comment: 'Also check against the live clusters of kube-routes.yaml: cluster IPs already allocated, and routes',
        command: 'kubectl routes check --live deploy/',
      },
    ],
    usage: 'kubectl routes check [flags] PATH... | -',
  });
}
