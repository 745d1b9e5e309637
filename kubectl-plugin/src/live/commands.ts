import { Command } from 'commander';
import { documentCommand } from '../cli/help';
import type { CliIO } from '../cli/io';
import { lazy } from '../cli/lazy';
import { contextFlags, outputFlags, routeFlags, serviceFlags, type LiveFlags } from './flags';
import type { LiveRun } from './live-run';

// Loaded when a live command runs, not when `check` builds the command tree.
const liveRun = lazy(() => require('./live-run') as typeof import('./live-run'));
const runConflicts = (run: LiveRun) =>
  (require('./conflicts-command') as typeof import('./conflicts-command')).runConflicts(run);
const runPeers = (run: LiveRun) => (require('./peers') as typeof import('./peers')).runPeers(run);

// The live commands: `kubectl routes [SERVICE...]`, peers, lookup, conflicts.

type SetExitCode = (code: number) => void;

/** Opens a live run and runs a command in it; a broken config prints file:line:col and exits 2. */
async function inLiveRun(
  io: CliIO,
  flags: LiveFlags,
  setExitCode: SetExitCode,
  command: (r: LiveRun) => Promise<number>,
): Promise<void> {
  let run: LiveRun;
  try {
    run = liveRun().LiveRun.open(flags, io);
  } catch (e) {
    if (!(e instanceof liveRun().LiveConfigErrors)) throw e;
    for (const err of e.errors)
      io.stderr(`${err.file}:${err.range.start.line + 1}:${err.range.start.column + 1}: ${err.message}\n`);
    io.stderr(
      `error: ${e.errors.length === 1 ? 'the config has an error' : `the config has ${e.errors.length} errors`}; fix it and run again\n`,
    );
    setExitCode(2);
    return;
  }
  setExitCode(await command(run));
}

/**
 * A subcommand's flags, plus those given to the root before the subcommand name
 * (`kubectl routes --context a peers`), as kubectl's global flags work.
 */
function flagsOf(cmd: Command): LiveFlags {
  const own: Record<string, unknown> = { ...cmd.opts() };
  const parent = cmd.parent;
  if (parent) {
    const known = new Set(cmd.options.map((o) => o.attributeName()));
    for (const [key, value] of Object.entries(parent.opts())) {
      if (known.has(key) && parent.getOptionValueSource(key) === 'cli' && cmd.getOptionValueSource(key) !== 'cli')
        own[key] = value;
    }
  }
  return own as unknown as LiveFlags;
}

const exitStatus =
  ' Exit status: 0 when everything answered, 2 for usage or config errors and when a context or the speaker could not be read (what could be read is still shown).';

/** The root command's own action: the Services view. */
export function configureServicesView(program: Command, io: CliIO, setExitCode: SetExitCode): void {
  program.argument('[services...]', 'Service names');
  serviceFlags(program);
  contextFlags(program, false);
  outputFlags(program, ['wide', 'json', 'yaml', 'name'], true);
  routeFlags(program);
  program.action(async (names: string[], flags: LiveFlags) =>
    inLiveRun(io, flags, setExitCode, (s) =>
      (require('./routes-command') as typeof import('./routes-command')).runRoutes(s, names, program),
    ),
  );
}

export function peersCommand(io: CliIO, setExitCode: SetExitCode): Command {
  const cmd = new Command('peers')
    .summary('Show the BGP sessions of the speaker: peer, ASN, region, state, uptime, routes received')
    .description('Show the BGP sessions of the speaker.');
  contextFlags(cmd, false);
  outputFlags(cmd, ['wide', 'json', 'yaml', 'name'], false);
  routeFlags(cmd);
  cmd.action(async () => inLiveRun(io, flagsOf(cmd), setExitCode, runPeers));
  return documentCommand(cmd, {
    long: [
      'Show the BGP sessions of the kube-routes-speaker that supplies route state: peer address, ASN and',
      'the region it belongs to, FSM state, uptime, prefixes received per family and the last error.',
      '',
      exitStatus,
    ].join('\n'),
    examples: [
      {
        comment: 'Sessions of the speakers named in kube-routes.yaml (regions.*.speaker or speaker.api)',
        command: 'kubectl routes peers',
      },
      {
        comment: "A speaker running in the cluster, through the API server's service proxy",
        command: 'kubectl routes peers --speaker k8s://kube-routes/speaker:8179',
      },
    ],
    usage: 'kubectl routes peers [flags]',
  });
}

export function lookupCommand(io: CliIO, setExitCode: SetExitCode): Command {
  const cmd = new Command('lookup')
    .summary('Show the route of an IP or prefix, every path, and the Services that own it')
    .description('Show the route of an IP or prefix.')
    .argument('<address>', 'IP or PREFIX');
  cmd
    .option('-n, --namespace <namespace>', 'Only look for owning Services in this namespace (default: all namespaces).')
    .option('-l, --selector <selector>', 'Only look for owning Services matching this label selector.');
  contextFlags(cmd, true);
  outputFlags(cmd, ['wide', 'json', 'yaml'], false);
  routeFlags(cmd);
  cmd.action(async (address: string) =>
    inLiveRun(io, flagsOf(cmd), setExitCode, (s) =>
      (require('./lookup') as typeof import('./lookup')).runLookup(s, address),
    ),
  );
  return documentCommand(cmd, {
    long: [
      'Show the longest matching route of an IP (or the route of a prefix, else the one covering it) with',
      'every path: peer, next hop, AS path, origin AS and its region, communities. Then the Services that own',
      'the address (or an address in the prefix) in every cluster, with their context and region.',
      '',
      exitStatus,
    ].join('\n'),
    examples: [
      {
        comment: 'Who announces 172.25.0.10, and which Service in which cluster owns it',
        command: 'kubectl routes lookup 172.25.0.10',
      },
      {
        comment: 'A prefix, with path ids, MED and local preference',
        command: 'kubectl routes lookup 172.30.0.0/24 -o wide',
      },
    ],
    usage: 'kubectl routes lookup IP|PREFIX [flags]',
  });
}

export function conflictsCommand(io: CliIO, setExitCode: SetExitCode): Command {
  const cmd = new Command('conflicts')
    .summary('List every conflict in live state across all clusters (exit 1 when any)')
    .description('List every conflict in live state across all clusters.');
  contextFlags(cmd, true);
  outputFlags(cmd, ['wide', 'json', 'yaml'], false);
  routeFlags(cmd);
  cmd.action(async () => inLiveRun(io, flagsOf(cmd), setExitCode, runConflicts));
  return documentCommand(cmd, {
    long: [
      'List every conflict in the live state of all clusters (every context under regions.*.contexts of',
      'kube-routes.yaml, unless --context is given):',
      '',
      '  duplicate-cluster-ip          one cluster IP used by different Services (across clusters)',
      '  shared-external-ip            one external IP used by different Services',
      "  wrong-origin                  a Service IP covered by a route from another region's AS, or from no region",
      "  unowned-route                 a route inside a region's ranges that no Service uses",
      "  service-cidr-outside-region   a cluster allocating cluster IPs outside its region's ranges",
      '',
      ' Exit status: 0 when there are none, 1 when there are conflicts, 2 for usage or config errors and when a',
      'context or the speaker could not be read.',
    ].join('\n'),
    examples: [
      { comment: 'Every conflict across the clusters of kube-routes.yaml', command: 'kubectl routes conflicts' },
      { comment: 'As JSON, for a monitoring job', command: 'kubectl routes conflicts -o json' },
    ],
    usage: 'kubectl routes conflicts [flags]',
  });
}
