#!/usr/bin/env node
// Benchmark of kube-routes-language-server against yaml-language-server (the anchor), side by
// side in one run, on two trees:
//
// 1. 10,000 Services in 1,000 files (bench/generate-services.mjs):
//    - time from spawning the server to the first complete diagnostics of an open file (for
//      kube-routes: including a duplicate against a closed file, so the whole workspace is indexed);
//    - latency from a didChange to the publishDiagnostics of that edit, p50 / p95 over N edits on
//      one file (edits spaced 100 ms apart after each answer, like typing; each is answered before
//      the next, so no batching);
//    - peak RSS of the server process (VmHWM).
// 2. The GitOps-shaped tree (bench/generate-gitops.mjs: 9 clusters x 450 apps, 17,595 documents,
//    5,400 Services, 14 MiB), the open file a Service whose cluster IP another cluster's file reuses:
//    - first diagnostics of the open file (its own findings: the first publish);
//    - cross-file complete (kube-routes: the duplicate against the closed file is published);
//    - hover and code action latency while the workspace is indexed (requests sent one after
//      another, 20 ms apart, from the didOpen until the cross-file findings, or 1 s at least);
//    - reopen: a second server on the same tree (kube-routes reads its cache), time to complete;
//    - peak RSS of the first server, its shutdown (and the index written then) included.
// yaml-language-server validates against a local Kubernetes Service schema
// (bench/kubernetes-service.schema.json) and is installed on first use into .cache/bench/
// (ignored by git, never a project dependency) with:
//   npm install --prefix .cache/bench/yaml-language-server yaml-language-server@1.25.0
// Usage: node bench/lsp.mjs [--edits N] [--no-anchor] [--tree services|gitops|both] [--compare BIN] [--executable FILE]
// --compare BIN: another build of kube-routes-language-server (a copy of an earlier dist with its
// bin, or a bundle) measured in the same run, for A/B comparisons on a shared machine;
// --compare-flags "FLAGS": Node flags for that one (BIN defaults to the same server/bin).
// --executable FILE: a release executable of the server (release/ tarballs hold one), run as it is,
// measured in the same run as another subject.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateGitops } from './generate-gitops.mjs';
import { generate } from './generate-services.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const rpc = require('vscode-languageserver-protocol/node');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const editCount = Number(arg('--edits', 200));
const trees = arg('--tree', 'both');
const withAnchor = !process.argv.includes('--no-anchor');
const compareFlags = arg('--compare-flags', '').split(' ').filter(Boolean);
const compareBin = arg('--compare', compareFlags.length > 0 ? 'server/bin/kube-routes-language-server' : undefined);
const executable = arg('--executable', undefined);
const yamlLsVersion = '1.25.0';
const yamlLsDir = join(root, '.cache/bench/yaml-language-server');
const yamlLsBin = join(yamlLsDir, 'node_modules/yaml-language-server/bin/yaml-language-server');

function installYamlLs() {
  if (existsSync(yamlLsBin)) return true;
  console.error(`installing yaml-language-server@${yamlLsVersion} into ${yamlLsDir} ...`);
  const run = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      yamlLsDir,
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `yaml-language-server@${yamlLsVersion}`,
    ],
    { stdio: 'inherit' },
  );
  return run.status === 0 && existsSync(yamlLsBin);
}

function peakRssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU time (user + system) of a process so far, in ms: what a loaded machine does not inflate. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Spawns a server on a tree, initializes it and opens one file; publishes of that file are recorded. */
async function start(subject, corpus, openFile, text) {
  const openUri = pathToFileURL(openFile).href;
  const startedAt = performance.now();
  const [program, ...args] = subject.executable ? subject.command : [process.execPath, ...subject.command];
  const child = spawn(program, [...args, '--stdio'], {
    cwd: corpus,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const connection = rpc.createProtocolConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin),
  );
  const waiters = new Set();
  const publishes = [];
  const progress = [];
  connection.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
    if (p.uri !== openUri) return;
    publishes.push({ at: performance.now(), p });
    for (const w of [...waiters]) w();
  });
  connection.onNotification('$/progress', (p) => progress.push({ at: performance.now(), p }));
  connection.onRequest(rpc.ConfigurationRequest.type, (p) =>
    p.items.map((i) => subject.settings[i.section ?? ''] ?? null),
  );
  connection.onRequest(rpc.RegistrationRequest.type, () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('workspace/codeLens/refresh', () => null);
  connection.onNotification(rpc.LogMessageNotification.type, () => undefined);
  connection.onNotification(rpc.ShowMessageNotification.type, (m) => console.error(`${subject.name}: ${m.message}`));
  connection.listen();
  const next = (accept) =>
    new Promise((done) => {
      const check = () => {
        const hit = publishes.find(accept);
        if (hit) {
          waiters.delete(check);
          done(hit);
        }
      };
      waiters.add(check);
      check();
    });

  await connection.sendRequest(rpc.InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(corpus).href,
    workspaceFolders: [{ uri: pathToFileURL(corpus).href, name: 'corpus' }],
    capabilities: {
      window: { workDoneProgress: true },
      workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } },
      textDocument: {
        publishDiagnostics: { relatedInformation: true, versionSupport: true },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor.rewrite'] } } },
      },
    },
    initializationOptions: {},
  });
  await connection.sendNotification(rpc.InitializedNotification.type, {});
  await connection.sendNotification(rpc.DidChangeConfigurationNotification.type, { settings: subject.settings });
  await connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
    textDocument: { uri: openUri, languageId: 'yaml', version: 1, text },
  });
  const stop = async () => {
    // Read after the shutdown request is answered: a server that persists its index at shutdown
    // (kube-routes writes its cache then, or 3 s after indexing) has that write in its peak too.
    await connection.sendRequest(rpc.ShutdownRequest.type);
    const rss = peakRssMiB(child.pid);
    await connection.sendNotification(rpc.ExitNotification.type);
    await new Promise((done) => (child.exitCode !== null ? done() : child.once('exit', done)));
    connection.dispose();
    return rss;
  };
  return { startedAt, connection, publishes, progress, next, stop, openUri, cpu: () => cpuMs(child.pid) };
}

// ---- tree 1: 10,000 Services, edits ------------------------------------------------------------

async function measureServices(subject) {
  const corpus = join(root, 'bench/out/lsp-corpus');
  // Service 2000 is planted with nyc3's first cluster IP, also used by Service 0 in another file.
  const openFile = join(corpus, 'fra1/services-0200.yaml');
  const original = readFileSync(openFile, 'utf8');
  // Every kube-routes build starts cold: the cache the one before wrote is removed.
  rmSync(join(corpus, '.kube-routes-cache-editor'), { force: true });
  /** The k-th edit: alternately an annotation (findings unchanged) and a cluster IP (duplicates come and go). */
  const edited = (k) =>
    k % 2 === 0
      ? original.replace('owner: team-2@example.com', `owner: edit-${k}@example.com`)
      : original.replace(
          /clusterIP: 172\.25\.\d+\.\d+\n {2}externalIPs:\n {4}- 172\.30\.7\.209/,
          `clusterIP: 172.25.32.${100 + (k % 100)}\n  externalIPs:\n    - 172.30.7.209`,
        );
  const s = await start(subject, corpus, openFile, original);
  const first = await s.next((x) => subject.complete(x.p.diagnostics, 'duplicate-cluster-ip'));
  const latencies = [];
  for (let k = 1; k <= editCount; k++) {
    await sleep(100);
    const seen = s.publishes.length;
    const sent = performance.now();
    await s.connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri: s.openUri, version: k + 1 },
      contentChanges: [{ text: edited(k) }],
    });
    // kube-routes versions its publishes; yaml-language-server does not, so take the next one.
    const got = await s.next((x) =>
      x.p.version !== undefined ? x.p.version === k + 1 : s.publishes.indexOf(x) >= seen,
    );
    latencies.push(got.at - sent);
  }
  const rss = await s.stop();
  return {
    firstMs: first.at - s.startedAt,
    firstCount: first.p.diagnostics.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    max: Math.max(...latencies),
    rss,
  };
}

// ---- tree 2: GitOps-shaped, open file first, requests while indexing, reopen -------------------

const gitopsCorpus = join(root, 'bench/out/lsp-gitops');
// The second cluster's app 7 reuses the cluster IP of the first cluster's app 8 (generate-gitops.mjs).
const gitopsOpen = join(gitopsCorpus, 'clusters/nyc3-2/apps/inventory-7/service.yaml');

/** Hovers and code actions on the open file's cluster IP, one after another, until done() or 1 s at least. */
async function requestsMeanwhile(s, position, done) {
  const hovers = [];
  const actions = [];
  const since = performance.now();
  const range = { start: position, end: position };
  for (let k = 0; !done() || performance.now() - since < 1000; k++) {
    const t = performance.now();
    if (k % 2 === 0) {
      await s.connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri: s.openUri }, position });
      hovers.push(performance.now() - t);
    } else {
      await s.connection.sendRequest(rpc.CodeActionRequest.type, {
        textDocument: { uri: s.openUri },
        range,
        context: { diagnostics: [] },
      });
      actions.push(performance.now() - t);
    }
    await sleep(20);
  }
  return { hovers, actions };
}

async function measureGitops(subject, cacheDir) {
  const text = readFileSync(gitopsOpen, 'utf8');
  const line = text.split('\n').findIndex((l) => l.includes('clusterIP:'));
  const position = { line, character: text.split('\n')[line].indexOf('clusterIP:') + 'clusterIP: '.length + 2 };
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });

  const s = await start(subject, gitopsCorpus, gitopsOpen, text);
  let complete;
  const completeP = s.next((x) => subject.complete(x.p.diagnostics, 'duplicate-cluster-ip'));
  let completeCpu;
  completeP.then((c) => {
    complete = c;
    completeCpu = s.cpu();
  });
  const firstP = s.next(() => true);
  const meanwhile = await requestsMeanwhile(s, position, () => complete !== undefined);
  const first = await firstP;
  await completeP;
  // The cache is written once the index is complete; give it a moment before the reopen.
  await sleep(500);
  const rss = await s.stop();

  const again = await start(subject, gitopsCorpus, gitopsOpen, text);
  const reopened = await again.next((x) => subject.complete(x.p.diagnostics, 'duplicate-cluster-ip'));
  const reopenCpu = again.cpu();
  const reopenRss = await again.stop();
  const progress = s.progress.filter((p) => p.p.value?.kind === 'report').length;
  return {
    firstMs: first.at - s.startedAt,
    firstCount: first.p.diagnostics.length,
    completeMs: complete.at - s.startedAt,
    completeCpu,
    reopenCpu,
    completeCount: complete.p.diagnostics.length,
    hoverP50: percentile(meanwhile.hovers, 50),
    hoverMax: Math.max(...meanwhile.hovers),
    hovers: meanwhile.hovers.length,
    actionP50: percentile(meanwhile.actions, 50),
    actionMax: Math.max(...meanwhile.actions),
    reopenMs: reopened.at - again.startedAt,
    rss,
    reopenRss,
    progress,
  };
}

// ---- subjects ----------------------------------------------------------------------------------

/** The Node flags of a bin's shebang (`#!/usr/bin/env -S node FLAGS`): the server runs as an editor starts it. */
function asStarted(bin) {
  const first = readFileSync(bin, 'utf8').split('\n')[0];
  const flags = /^#!\/usr\/bin\/env -S node (.*)$/.exec(first)?.[1]?.split(' ') ?? [];
  return [...flags, bin];
}

const kubeRoutes = {
  name: 'kube-routes-language-server',
  command: asStarted(join(root, 'server/bin/kube-routes-language-server')),
  settings: { kubeRoutes: {} },
  complete: (diagnostics, rule) => diagnostics.some((d) => d.code === rule),
};

const schema = pathToFileURL(join(root, 'bench/kubernetes-service.schema.json')).href;
const yamlLs = {
  name: `yaml-language-server ${yamlLsVersion}`,
  command: [yamlLsBin],
  settings: {
    yaml: {
      validate: true,
      hover: true,
      completion: false,
      format: { enable: false },
      schemaStore: { enable: false },
      schemas: { [schema]: '*.yaml' },
    },
    http: {},
    '[yaml]': {},
    editor: {},
    files: {},
  },
  complete: () => true,
};

const subjects = [kubeRoutes];
if (compareBin)
  subjects.push({
    ...kubeRoutes,
    name: `kube-routes (${[...compareFlags, compareBin].join(' ')})`,
    command: [...compareFlags, ...asStarted(resolve(root, compareBin))],
  });
if (executable)
  subjects.push({
    ...kubeRoutes,
    name: `kube-routes (${executable})`,
    command: [resolve(root, executable)],
    executable: true,
  });
if (withAnchor) {
  if (installYamlLs()) subjects.push(yamlLs);
  else console.error('yaml-language-server could not be installed; measuring kube-routes alone');
}

console.log(`node ${process.version}, ${process.platform} ${process.arch}`);
if (trees === 'services' || trees === 'both') {
  const services = generate(join(root, 'bench/out/lsp-corpus'));
  const results = [];
  for (const s of subjects) results.push([s, await measureServices(s)]);
  console.log(
    `\ncorpus: ${services} Services in 1000 files, 3 regions; ${editCount} edits of one open file, 100 ms apart`,
  );
  console.log(
    '| server | first complete diagnostics (ms) | diagnostics | didChange -> publish p50 (ms) | p95 (ms) | max (ms) | peak RSS (MiB) |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const [s, r] of results) {
    console.log(
      `| ${s.name} | ${r.firstMs.toFixed(0)} | ${r.firstCount} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${r.rss.toFixed(0)} |`,
    );
  }
  const ours = results[0]?.[1];
  const anchor = results.find(([s]) => s === yamlLs)?.[1];
  console.log(
    `\nkube-routes p95 ${ours.p95.toFixed(1)} ms (target <= 50 ms${anchor ? ` and below yaml-language-server's ${anchor.p95.toFixed(1)} ms` : ''})`,
  );
}
if (trees === 'gitops' || trees === 'both') {
  const counts = generateGitops(gitopsCorpus);
  const results = [];
  // Every kube-routes build starts cold: the cache the one before wrote is removed.
  for (const s of subjects)
    results.push([
      s,
      await measureGitops(
        s,
        s.complete === kubeRoutes.complete ? join(gitopsCorpus, '.kube-routes-cache-editor') : undefined,
      ),
    ]);
  console.log(
    `\ncorpus: GitOps-shaped, ${counts.documents} documents, ${counts.services} Services, ${(counts.bytes / 1024 / 1024).toFixed(1)} MiB; open: ${gitopsOpen.slice(gitopsCorpus.length + 1)}`,
  );
  console.log(
    '| server | first diagnostics (ms) | n | cross-file complete (ms) | server CPU then (ms) | n | hover while indexing p50 / max (ms) | code action p50 / max (ms) | reopen: complete (ms) | server CPU then (ms) | peak RSS (MiB) | progress reports |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [s, r] of results) {
    console.log(
      `| ${s.name} | ${r.firstMs.toFixed(0)} | ${r.firstCount} | ${r.completeMs.toFixed(0)} | ${r.completeCpu.toFixed(0)} | ${r.completeCount} | ${r.hoverP50.toFixed(1)} / ${r.hoverMax.toFixed(1)} (${r.hovers}) | ${r.actionP50.toFixed(1)} / ${r.actionMax.toFixed(1)} | ${r.reopenMs.toFixed(0)} | ${r.reopenCpu.toFixed(0)} | ${r.rss.toFixed(0)} | ${r.progress} |`,
    );
  }
  const [ours, anchor] = [results[0]?.[1], results.find(([s]) => s === yamlLs)?.[1]];
  if (ours && anchor)
    console.log(
      `\nfirst diagnostics ${(ours.firstMs / anchor.firstMs).toFixed(2)}x yaml-language-server's (target <= 1); cross-file ${ours.completeMs.toFixed(0)} ms (target <= 2000); hover max ${ours.hoverMax.toFixed(0)} ms, code action max ${ours.actionMax.toFixed(0)} ms (target <= 200); peak RSS ${(ours.rss / anchor.rss).toFixed(2)}x (target <= 1)`,
    );
}
