import { setFlagsFromString } from 'node:v8';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { serverName, startServer } from './server';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const version: string = (require('../../../package.json') as { version: string }).version;

const usage = `Usage: ${serverName} --stdio | --node-ipc | --socket=PORT [--clientProcessId=PID]

The kube-routes language server: diagnostics, hovers, code actions and code lenses on Kubernetes
Service manifests, from the same engine as \`kubectl routes check\`. Editors start it; see the
README ("Editor: the language server") for Neovim and VS Code.

  --stdio              talk LSP over standard input and output
  --node-ipc           talk LSP over Node's IPC channel (the VS Code client)
  --socket=PORT        connect to the client on a TCP port
  --clientProcessId=N  exit when that process is gone
  --version            print the version
  --help               print this help
`;

const transports = [/^--stdio$/, /^--node-ipc$/, /^--socket(=\d+)?$/, /^--pipe(=.+)?$/];

/**
 * Starts the server, or prints help. Resolves with an exit code only when not serving; while
 * serving, vscode-languageserver ends the process on "exit" or when the input stream closes.
 */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (!argv.some((a) => transports.some((t) => t.test(a)))) {
    process.stderr.write(`error: no transport given: pass --stdio (most editors) or --node-ipc (VS Code)\n\n${usage}`);
    return 2;
  }
  reportInternalErrors();
  // Reading a workspace makes much short-lived garbage and keeps little (the index of the GitOps
  // bench tree is 21 MiB): a young generation held at its first size, rather than doubled while
  // files are read, halves the peak RSS (161 -> 92 MiB there) for no measurable CPU. V8 reads
  // this flag at each growth decision, so it can be set once running.
  setFlagsFromString('--semi-space-growth-factor=1');
  // createConnection reads the transport from process.argv, which the bin leaves untouched.
  startServer(createConnection(ProposedFeatures.all), version);
  return undefined;
}

/**
 * Anything that escapes a handler is a bug: log it on stderr (the editor's server log) and keep
 * serving, instead of taking the user's diagnostics away with a crash.
 */
function reportInternalErrors(): void {
  const report = (kind: string) => (e: unknown) => {
    process.stderr.write(
      `${serverName}: internal error (${kind}): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
  };
  process.on('unhandledRejection', report('unhandled rejection'));
  process.on('uncaughtException', report('uncaught exception'));
}
