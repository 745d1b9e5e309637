import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { serveCheckpoints } from './checkpoint-server';
import { checkpointDirVariable, summaryPrefix } from './checkpoints';
import type { CodeServer } from './code-server';

// Runs the extension's integration suite in a real VS Code: code-server's bundled VS Code
// server (the remote extension host) shown in headless Debian Chromium through playwright-core.
// The extension under test is the packaged .vsix, installed like a user would; the suite is
// loaded through a separate, empty development extension, so VS Code cannot fall back to the
// source tree. See /work/shared/notes/real-editors.md for why this and not @vscode/test-electron.

export interface DriverOptions {
  readonly codeServer: CodeServer;
  /** The .vsix to install. */
  readonly vsix: string;
  /** The bundled suite (extensionTestsPath). */
  readonly suite: string;
  /** Copied to a temporary folder, which VS Code opens. */
  readonly fixture: string;
  /** Screenshots and logs go here. */
  readonly resultsDir: string;
  readonly chromiumPath: string;
  /** A safety net against a hung workbench; not a timing assertion. */
  readonly timeoutMs: number;
}

export interface DriverResult {
  /** The suite's result as the workbench reports it (0: passed). */
  readonly exitCode: number;
  /** The suite's last line (summaryPrefix ...), if it got that far. */
  readonly summary: string | undefined;
  /** Everything the extension host logged. */
  readonly log: string;
  readonly screenshots: readonly string[];
}

function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): string {
  const r = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Starts VS Code's server in its own process group (it forks watchers that outlive a plain kill). */
function startServer(
  cs: CodeServer,
  dirs: { userData: string; extensions: string; serverData: string },
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    cs.node,
    [
      cs.serverMain,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--without-connection-token',
      '--accept-server-license-terms',
      '--enable-smoke-test-driver',
      '--telemetry-level',
      'off',
      '--server-data-dir',
      dirs.serverData,
      '--user-data-dir',
      dirs.userData,
      '--extensions-dir',
      dirs.extensions,
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text);
      out += text;
      const m = /Extension host agent listening on (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`VS Code server exited (${code}) before listening:\n${out}`)));
    child.once('error', reject);
  });
}

function stopServer(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

export async function runVsCodeSuite(options: DriverOptions): Promise<DriverResult> {
  const temp = mkdtempSync(join(tmpdir(), 'kube-routes-vscode-'));
  const dirs = {
    userData: join(temp, 'user-data'),
    extensions: join(temp, 'extensions'),
    serverData: join(temp, 'server-data'),
  };
  const workspace = join(temp, 'workspace');
  const checkpoints = join(temp, 'checkpoints');
  const testHost = join(temp, 'test-host');
  for (const d of [...Object.values(dirs), checkpoints, testHost, options.resultsDir])
    mkdirSync(d, { recursive: true });
  cpSync(options.fixture, workspace, { recursive: true });
  // A user who opens the folder trusts it (Restricted Mode ignores the workspace's kubeRoutes
  // paths and URL); and no welcome page over the editors.
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(
    join(dirs.userData, 'User/settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
    }),
  );
  // The development extension only carries the suite; the extension under test is the .vsix.
  writeFileSync(
    join(testHost, 'package.json'),
    JSON.stringify({
      name: 'kube-routes-vscode-tests',
      publisher: 'kube-routes-tests',
      version: '0.0.0',
      engines: { vscode: '^1.91.0' },
    }),
  );

  const cs = options.codeServer;
  // Node 24 first on PATH for everything code-server starts; the checkpoint folder reaches the
  // extension host through the server's environment.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(cs.node)}:${process.env.PATH ?? ''}`,
    [checkpointDirVariable]: checkpoints,
  };
  run(
    cs.node,
    [
      cs.cli,
      '--user-data-dir',
      dirs.userData,
      '--extensions-dir',
      dirs.extensions,
      '--install-extension',
      options.vsix,
    ],
    { cwd: temp, env },
  );

  const serverLog: string[] = [];
  const hostLog: string[] = [];
  const screenshots: string[] = [];
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const started = await startServer(cs, dirs, env, (text) => serverLog.push(text));
    server = started.child;
    const host = `127.0.0.1:${started.port}`;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${host}${testHost}`],
      ['extensionTestsPath', `vscode-remote://${host}${options.suite}`],
    ];
    const url = `http://${host}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    browser = await chromium.launch({
      executablePath: options.chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const exit = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
        hostLog.push(`[${type}] ${(args ?? []).map(String).join(' ')}`);
      });
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    watcher = serveCheckpoints(checkpoints, page, options.resultsDir, screenshots, options.timeoutMs, (line) =>
      hostLog.push(`[driver] ${line}`),
    );
    await page.goto(url);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the suite did not finish within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
    });
    const exitCode = await Promise.race([exit, timeout]);
    const log = hostLog.join('\n');
    const summary = hostLog.map((l) => l.slice(l.indexOf(summaryPrefix))).find((l) => l.startsWith(summaryPrefix));
    return { exitCode, summary, log, screenshots };
  } finally {
    clearTimeout(timer);
    watcher?.close();
    await browser?.close().catch(() => undefined);
    if (server) stopServer(server);
    writeFileSync(join(options.resultsDir, 'vscode-server.log'), serverLog.join(''));
    writeFileSync(join(options.resultsDir, 'vscode-extension-host.log'), `${hostLog.join('\n')}\n`);
    rmSync(temp, { recursive: true, force: true });
  }
}
