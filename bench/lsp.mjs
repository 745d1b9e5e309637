#!/usr/bin/env node
// Benchmark of kube-routes-language-server against yaml-language-server (the anchor), side by
// side in one run, on 10,000 Services in 1,000 files (bench/generate-services.mjs):
// - time from spawning the server to the first complete diagnostics of an open file (for
//   kube-routes: including a duplicate against a closed file, so the whole workspace is indexed);
// - latency from a didChange to the publishDiagnostics of that edit, p50 / p95 over N edits on
//   one file (edits spaced 100 ms apart after each answer, like typing; each is answered before
//   the next, so no batching);
// - peak RSS of the server process (VmHWM).
// yaml-language-server validates against a local Kubernetes Service schema
// (bench/kubernetes-service.schema.json) and is installed on first use into .cache/bench/
// (ignored by git, never a project dependency) with:
//   npm install --prefix .cache/bench/yaml-language-server yaml-language-server@1.25.0
// Usage: node bench/lsp.mjs [--edits N] [--no-anchor]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generate } from './generate-services.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const rpc = require('vscode-languageserver-protocol/node');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const editCount = arg('--edits', 200);
const withAnchor = !process.argv.includes('--no-anchor');
const yamlLsVersion = '1.25.0';
const yamlLsDir = join(root, '.cache/bench/yaml-language-server');
const yamlLsBin = join(yamlLsDir, 'node_modules/yaml-language-server/bin/yaml-language-server');

const corpus = join(root, 'bench/out/lsp-corpus');
const services = generate(corpus);
// Service 2000 is planted with nyc3's first cluster IP, also used by Service 0 in another file.
const openFile = join(corpus, 'fra1/services-0200.yaml');
const openUri = pathToFileURL(openFile).href;
const original = readFileSync(openFile, 'utf8');

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

/** The k-th edit: alternately an annotation (findings unchanged) and a cluster IP (duplicates come and go). */
function edited(k) {
  if (k % 2 === 0) return original.replace('owner: team-2@example.com', `owner: edit-${k}@example.com`);
  return original.replace(
    /clusterIP: 172\.25\.\d+\.\d+\n {2}externalIPs:\n {4}- 172\.30\.7\.209/,
    `clusterIP: 172.25.32.${100 + (k % 100)}\n  externalIPs:\n    - 172.30.7.209`,
  );
}

function peakRssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function measure(subject) {
  const start = performance.now();
  const child = spawn(process.execPath, [...subject.command, '--stdio'], {
    cwd: corpus,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const connection = rpc.createProtocolConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin),
  );
  let waiter;
  const publishes = [];
  connection.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
    if (p.uri !== openUri) return;
    publishes.push({ at: performance.now(), p });
    waiter?.();
  });
  connection.onRequest(rpc.ConfigurationRequest.type, (p) =>
    p.items.map((i) => subject.settings[i.section ?? ''] ?? null),
  );
  connection.onRequest(rpc.RegistrationRequest.type, () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onNotification(rpc.LogMessageNotification.type, () => undefined);
  connection.onNotification(rpc.ShowMessageNotification.type, (m) => console.error(`${subject.name}: ${m.message}`));
  connection.listen();
  const next = (accept) =>
    new Promise((done) => {
      const check = () => {
        const hit = publishes.find(accept);
        if (hit) {
          waiter = undefined;
          done(hit);
        }
      };
      waiter = check;
      check();
    });

  await connection.sendRequest(rpc.InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(corpus).href,
    workspaceFolders: [{ uri: pathToFileURL(corpus).href, name: 'corpus' }],
    capabilities: {
      workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } },
      textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } },
    },
    initializationOptions: {},
  });
  await connection.sendNotification(rpc.InitializedNotification.type, {});
  await connection.sendNotification(rpc.DidChangeConfigurationNotification.type, { settings: subject.settings });
  await connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
    textDocument: { uri: openUri, languageId: 'yaml', version: 1, text: original },
  });
  const first = await next((x) => subject.complete(x.p.diagnostics));
  const firstMs = first.at - start;
  const firstCount = first.p.diagnostics.length;

  const latencies = [];
  for (let k = 1; k <= editCount; k++) {
    await sleep(100);
    const seen = publishes.length;
    const sent = performance.now();
    await connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
      textDocument: { uri: openUri, version: k + 1 },
      contentChanges: [{ text: edited(k) }],
    });
    // kube-routes versions its publishes; yaml-language-server does not, so take the next one.
    const got = await next((x) => (x.p.version !== undefined ? x.p.version === k + 1 : publishes.indexOf(x) >= seen));
    latencies.push(got.at - sent);
  }
  const rss = peakRssMiB(child.pid);
  await connection.sendRequest(rpc.ShutdownRequest.type);
  await connection.sendNotification(rpc.ExitNotification.type);
  await new Promise((done) => (child.exitCode !== null ? done() : child.once('exit', done)));
  connection.dispose();
  return {
    firstMs,
    firstCount,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    max: Math.max(...latencies),
    rss,
  };
}

const kubeRoutes = {
  name: 'kube-routes-language-server',
  command: [join(root, 'server/bin/kube-routes-language-server')],
  settings: { kubeRoutes: {} },
  complete: (diagnostics) => diagnostics.some((d) => d.code === 'duplicate-cluster-ip'),
};

const schema = pathToFileURL(join(root, 'bench/kubernetes-service.schema.json')).href;
const yamlLs = {
  name: `yaml-language-server ${yamlLsVersion}`,
  command: [yamlLsBin],
  settings: {
    yaml: {
      validate: true,
      hover: false,
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
if (withAnchor) {
  if (installYamlLs()) subjects.push(yamlLs);
  else console.error('yaml-language-server could not be installed; measuring kube-routes alone');
}
const results = [];
for (const s of subjects) results.push([s, await measure(s)]);

console.log(`corpus: ${services} Services in 1000 files, 3 regions; ${editCount} edits of one open file, 100 ms apart`);
console.log(`node ${process.version}, ${process.platform} ${process.arch}`);
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
console.log(
  `\nkube-routes p95 ${ours.p95.toFixed(1)} ms (target <= 50 ms${results[1] ? ` and below yaml-language-server's ${results[1][1].p95.toFixed(1)} ms` : ''})`,
);
