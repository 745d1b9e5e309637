import { explainCommand } from '../explain/command';
import { Command, CommanderError } from 'commander';
import { checkCommand } from '../check/command';
import { configureServicesView, conflictsCommand, lookupCommand, peersCommand } from '../live/commands';
import { commandPath, documentCommand, KubectlHelp } from './help';
import { processIO, UsageError, type CliIO } from './io';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const version: string = (require('../../../package.json') as { version: string }).version;

/** Builds the command tree; every command writes through io and reports its exit code. */
export function buildProgram(io: CliIO, setExitCode: (code: number) => void): Command {
  const program = new Command('kubectl routes')
    .description('Service IPs and BGP routes across Kubernetes clusters.')
    .version(version, '--version', 'Print the kube-routes version.')
    .helpOption('-h, --help', 'Help for this command.')
    .addHelpCommand(false)
    // Subcommands have flags of the same names (-o, --context): each parses its own.
    .enablePositionalOptions();
  documentCommand(program, {
    long: [
      'kube-routes shows Service IPs and their BGP routes across Kubernetes clusters, and checks Service',
      'manifests against the regions of your fabric.',
      '',
      ' Without a command: the Services of the chosen contexts joined with route state. ROUTE is announced,',
      'missing (no route covers the address), conflict (an origin AS of another region, or of none) or stale',
      "(kept across a peer's graceful restart). Route state comes from --speaker, --bgp (an MRT file), else",
      'regions.*.speaker or speaker.api of kube-routes.yaml. Exit status: 0, or 2 when a context or the speaker could not be read',
      '(what could be read is still shown) and for usage or config errors.',
    ].join('\n'),
    examples: [
      { comment: 'Services of the current context and namespace, with their routes', command: 'kubectl routes' },
      {
        comment: 'Every Service of every cluster in kube-routes.yaml, with next hops, AS paths and communities',
        command: 'kubectl routes -A --all-contexts -o wide',
      },
      { comment: 'Watch Services and routes change', command: 'kubectl routes -A -w' },
      { comment: 'Check the manifests under deploy/', command: 'kubectl routes check deploy/' },
    ],
    usage: 'kubectl routes [SERVICE...] [flags] | kubectl routes [command] [flags]',
  });
  configureServicesView(program, io, setExitCode);
  program.addCommand(checkCommand(io, version, setExitCode));
  program.addCommand(peersCommand(io, setExitCode));
  program.addCommand(lookupCommand(io, setExitCode));
  program.addCommand(conflictsCommand(io, setExitCode));
  program.addCommand(explainCommand(io, setExitCode));
  const configure = (cmd: Command) => {
    cmd.exitOverride();
    cmd.createHelp = () => Object.assign(new KubectlHelp(), cmd.configureHelp());
    cmd.helpOption('-h, --help', `Help for ${cmd === program ? 'kubectl routes' : cmd.name()}.`);
    cmd.configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: () => undefined,
    });
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);
  return program;
}

/** Turns commander's messages into kubectl's one-line style. */
function usageMessage(e: CommanderError): string {
  const m = e.message.replace(/^error: /, '');
  const unknownOption = /^unknown option '([^']+)'(?:\s*\(Did you mean ([^?]+)\?\))?/.exec(m);
  if (unknownOption)
    return `unknown flag: ${unknownOption[1]}${unknownOption[2] ? ` (did you mean ${unknownOption[2]}?)` : ''}`;
  const unknownCommand = /^unknown command '([^']+)'/.exec(m);
  if (unknownCommand) return `unknown command "${unknownCommand[1]}" for "kubectl routes"`;
  const badChoice = /^option '([^']+) <[^>]+>' argument '([^']*)' is invalid\. Allowed choices are (.*)\.$/.exec(m);
  if (badChoice)
    return `invalid argument "${badChoice[2]}" for "${badChoice[1]}" flag: must be one of: ${badChoice[3]}`;
  return m.replace(/\.$/, '');
}

/** Entry point of the kubectl-routes executable. Never throws; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  let active: Command = program;
  program.hook('preAction', (_, actionCommand) => {
    active = actionCommand;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        exitCode = 0;
      else {
        const sub = program.commands.find((c) => argv.includes(c.name()));
        io.stderr(`error: ${usageMessage(e)}\nSee '${commandPath(sub ?? active)} -h' for help and examples\n`);
        exitCode = 2;
      }
    } else if (e instanceof UsageError) {
      io.stderr(`error: ${e.message}\n`);
      if (e.hint) io.stderr(`${e.hint}\n`);
      exitCode = 2;
    } else {
      // A bug, not bad input: still one line, but say where to report it.
      io.stderr(
        `error: internal error: ${e instanceof Error ? e.message : String(e)} (please report this with the command you ran)\n`,
      );
      exitCode = 3;
    }
  }
  return exitCode;
}
