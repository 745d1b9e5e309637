import { Command, Option } from 'commander';
import { documentCommand } from '../cli/help';
import type { CliIO } from '../cli/io';
import { routeFlags } from '../live/flags';
import type { ExplainFlags } from './run-explain';

const collect = (value: string, previous: readonly string[]) => [...previous, value];

export function explainCommand(io: CliIO, setExitCode: (code: number) => void): Command {
  const cmd = new Command('explain')
    .summary('Explain one Service: region, addresses and pools, routes and verdicts, other owners, findings')
    .description('Explain one Service.')
    .argument('<service>', 'NAMESPACE/NAME');
  cmd
    .addOption(
      new Option('-f, --filename <path>', 'Read the Service from manifests: a file or directory (repeatable).')
        .argParser(collect)
        .default([], '[]'),
    )
    .addOption(
      new Option('--context <name>', 'A kube context to read (repeatable).').argParser(collect).default([], '[]'),
    )
    .option('--all-contexts', 'Read every context listed under regions.*.contexts of kube-routes.yaml.')
    .option('--kubeconfig <file>', 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).')
    .option(
      '--config <file>',
      'Region config (kube-routes.yaml). Default: the nearest one in or above the working directory.',
    )
    .addOption(new Option('-o, --output <format>', 'Output format. One of: (text, json).').choices(['text', 'json']));
  routeFlags(cmd);
  cmd.action(async (target: string) =>
    // The explain code (kube client, speaker client) loads only when explain runs.
    (require('./run-explain') as typeof import('./run-explain')).explainAction(
      io,
      cmd.opts() as unknown as ExplainFlags,
      target,
      setExitCode,
    ),
  );
  return documentCommand(cmd, {
    long: [
      'Explain one Service, from manifests (-f) or live contexts: its region and where that came from (label,',
      'path, context); each address with its source (field or annotation) and the pool it falls in; the',
      'routes covering it with every path (peer, next hop, AS path, origin AS and its region); the verdict',
      '(announced, missing, conflict, stale); other owners of its addresses in files and clusters; its findings.',
      '',
      ' Exit status: 0 when it has no error finding, 1 when it has, 2 when it is not found or on usage errors.',
    ].join('\n'),
    examples: [
      {
        comment: 'A Service of the example fabric, against its recorded routes',
        command: 'kubectl routes explain shop/web -f examples/ --bgp examples/fabric.mrt',
      },
    ],
    usage:
      'kubectl routes explain NAMESPACE/NAME [-f PATH...] [--context NAME...|--all-contexts] [--bgp FILE|--speaker URL] [-o text|json]',
  });
}
