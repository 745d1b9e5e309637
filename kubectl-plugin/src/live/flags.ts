import { Option, type Command } from 'commander';
import { UsageError } from '../cli/io';
import { parseDuration } from '../output/duration';

// The flags of the live commands, named and shaped as kubectl's, defined once.

export type ViewFormat = 'wide' | 'json' | 'yaml' | 'name';

/** What commander hands the live commands' actions. */
export interface LiveFlags {
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly selector?: string;
  readonly context: readonly string[];
  readonly allContexts?: boolean;
  readonly kubeconfig?: string;
  readonly config?: string;
  readonly output?: ViewFormat;
  /** commander's name for --no-headers. */
  readonly headers?: boolean;
  readonly watch?: boolean;
  readonly watchInterval?: number;
  readonly speaker?: string;
  readonly bgp?: string;
}

const collect = (value: string, previous: readonly string[]) => [...previous, value];

function interval(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 100)
    throw new UsageError(`invalid --watch-interval "${text}": use a duration of at least 100ms, e.g. 2s`);
  return ms;
}

/** --context, --all-contexts, --kubeconfig, --config: which clusters and which region config. */
export function contextFlags(cmd: Command, allContextsDefault: boolean): Command {
  return cmd
    .addOption(
      new Option(
        '--context <name>',
        'A kube context to read (repeatable). Default: ' +
          (allContextsDefault
            ? 'every context of --all-contexts when the config lists any, else the current context.'
            : 'the current context.'),
      )
        .argParser(collect)
        .default([], '[]'),
    )
    .option('--all-contexts', 'Read every context listed under regions.*.contexts of kube-routes.yaml.')
    .option('--kubeconfig <file>', 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).')
    .option(
      '--config <file>',
      'Region config (kube-routes.yaml). Default: the nearest kube-routes.yaml in or above the working directory.',
    );
}

/** --speaker and --bgp: where route state comes from. */
export function routeFlags(cmd: Command): Command {
  return cmd
    .option(
      '--speaker <url>',
      'Route state from a kube-routes-speaker API: http://HOST:PORT, or k8s://NAMESPACE/SERVICE:PORT through the Kubernetes API service proxy. Default: every regions.*.speaker of kube-routes.yaml (one vantage per region), else its speaker.api.',
    )
    .option(
      '--bgp <file.mrt>',
      'Route state from an MRT file (TABLE_DUMP_V2 or BGP4MP, plain or gzip), loaded in-process instead of asking a speaker.',
    );
}

/** -o, --no-headers, -w: how results are printed. */
export function outputFlags(cmd: Command, formats: readonly ViewFormat[], watch: boolean): Command {
  cmd
    .addOption(new Option('-o, --output <format>', `Output format. One of: (${formats.join(', ')}).`).choices(formats))
    .option('--no-headers', "When using the default or wide output format, don't print headers.");
  if (watch) {
    cmd
      .option(
        '-w, --watch',
        "After listing, watch for changes and print them (Services through the API's watch, routes polled from the speaker).",
      )
      .addOption(
        new Option('--watch-interval <duration>', 'How often --watch polls a speaker without the /v1/watch stream.')
          .default(2000, '2s')
          .argParser(interval),
      );
  }
  return cmd;
}

/** -n, -A, -l: which Services. */
export function serviceFlags(cmd: Command): Command {
  return cmd
    .option(
      '-n, --namespace <namespace>',
      "If present, the namespace scope for this CLI request (default: the context's namespace).",
    )
    .option('-A, --all-namespaces', 'If present, list Services across all namespaces.')
    .option(
      '-l, --selector <selector>',
      "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin' (e.g. -l key1=value1,key2=value2).",
    );
}
