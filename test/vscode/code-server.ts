import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// Where code-server and its Node 24 are: scripts/install-code-server (the one place that pins
// their versions) installs them when missing and prints their paths.

export interface CodeServer {
  /** Node 24's binary (code-server's native modules are built for it). */
  readonly node: string;
  /** The code-server package folder. */
  readonly dir: string;
  /** `code-server` itself (for --install-extension). */
  readonly cli: string;
  /** Its bundled VS Code server, started directly: code-server rejects the extension test flags. */
  readonly serverMain: string;
}

export function installCodeServer(repoRoot: string): CodeServer {
  const r = spawnSync('bash', [join(repoRoot, 'scripts/install-code-server')], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`scripts/install-code-server failed (exit ${r.status}); see its output above`);
  const value = (key: string) => {
    const line = r.stdout.split('\n').find((l) => l.startsWith(`${key}=`));
    if (!line) throw new Error(`scripts/install-code-server printed no ${key}=`);
    return line.slice(key.length + 1);
  };
  const dir = value('code_server');
  return {
    node: value('node'),
    dir,
    cli: join(dir, 'out/node/entry.js'),
    serverMain: join(dir, 'lib/vscode/out/server-main.js'),
  };
}
