import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  assertNoInternalErrors,
  Bird,
  freePort,
  LspClient,
  repoRoot,
  serviceYaml,
  speakerConfigYaml,
  startFleet,
  tempDir,
  waitFor,
} from '@kube-routes/test/support';

// `npm run release` once (scripts/release.mjs, after the build), then every artifact checked the
// way a user meets it: tarballs unpacked in a clean directory and run with no Node on PATH, the
// krew manifest against the archives, SHA256SUMS with sha256sum, and the speaker's OCI image
// unpacked layer by layer and run under chroot as its non-root user against BIRD on loopback
// (podman cannot run containers in these sandboxes). Needs root (buildah, chroot), as CI runs.

const release = join(repoRoot, 'release');
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const programs = ['kubectl-routes', 'kube-routes-speaker', 'kube-routes-language-server'];
const platforms = ['linux-amd64', 'linux-arm64', 'darwin-arm64'];
/** The executables run with an empty folder as PATH: no Node anywhere they could find it. */
const bareEnv = { PATH: tempDir('kube-routes-empty-path-'), NO_COLOR: '1' };
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function run(cmd: string, args: readonly string[], cwd = repoRoot, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function unpack(archive: string): string {
  const dir = tempDir('kube-routes-release-');
  const r = run('tar', ['xzf', archive, '-C', dir]);
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

/** The bundles a program loads on first use (scripts/bundle.mjs lazyModules), as written beside its bundle. */
async function lazyFilesOf(program: string): Promise<string[]> {
  const bundles = (await import(pathToFileURL(join(repoRoot, 'scripts/bundle.mjs')).href)) as {
    programs: { name: string }[];
    lazyFiles: (program: { name: string }) => string[];
  };
  return bundles.lazyFiles(bundles.programs.find((p) => p.name === program) ?? { name: program });
}

/**
 * The language server executable from its linux-amd64 tarball, with no Node on PATH, on a
 * workspace: the message of the first finding of a rule in one file, once published. Nothing
 * may reach its stderr and no internal error its log.
 */
async function executableFinding(
  root: string,
  settings: Record<string, unknown>,
  file: string,
  rule: string,
): Promise<string> {
  const dir = unpack(join(release, 'kube-routes-language-server-linux-amd64.tar.gz'));
  const { client } = await LspClient.start({
    root,
    executable: join(dir, 'kube-routes-language-server'),
    env: bareEnv,
    settings,
  });
  let message: string;
  try {
    await client.open(file, readFileSync(join(root, file), 'utf8'));
    const d = await client.waitForDiagnostics(file, (x) => x.some((y) => y.code === rule));
    message = d.find((x) => x.code === rule)?.message ?? '';
  } finally {
    await client.shutdown().catch(() => client.kill());
  }
  assertNoInternalErrors(client);
  assert.equal(client.stderr, '');
  return message;
}

before(
  () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/release.mjs')], { cwd: repoRoot, stdio: 'inherit' });
    assert.equal(r.status, 0, 'scripts/release.mjs failed (see its output above)');
  },
  { timeout: 15 * 60_000 },
);

describe('npm run release', () => {
  test('writes every artifact, and SHA256SUMS covers each one', () => {
    const expected = [
      ...programs.flatMap((p) => platforms.map((pl) => `${p}-${pl}.tar.gz`)),
      'krew/routes.yaml',
      'kube-routes-speaker.oci.tar',
      `kube-routes-${version}.vsix`,
    ].sort();
    const sums = readFileSync(join(release, 'SHA256SUMS'), 'utf8').trim().split('\n');
    assert.deepEqual(sums.map((l) => l.split('  ')[1]).sort(), expected);
    const check = run('sha256sum', ['-c', 'SHA256SUMS'], release);
    assert.equal(check.code, 0, check.stdout + check.stderr);
  });

  for (const program of programs) {
    test(`${program}-linux-amd64.tar.gz holds one executable and the licenses, and runs with no Node on PATH`, () => {
      const dir = unpack(join(release, `${program}-linux-amd64.tar.gz`));
      assert.deepEqual(readdirSync(dir).sort(), ['LICENSE', 'LICENSE.node', program]);
      assert.match(readFileSync(join(dir, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
      assert.notEqual(run('/bin/sh', ['-c', 'command -v node'], dir, bareEnv).code, 0, 'node must not be on PATH');
      const help = run(join(dir, program), ['--help'], dir, bareEnv);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /Usage:/);
      // Nothing on stderr: a code cache V8 rejects (a blob made under other flags) warns on every start.
      assert.equal(help.stderr, '');
    });
  }

  test('kube-routes-language-server from the tarball loads what it loads on first use from its SEA assets', async () => {
    // The route source (scripts/bundle.mjs lazyModules) is not in the executable's main bundle and
    // no file lies beside it: the BGP rules only run if the asset loads.
    const tree = tempDir('kube-routes-release-lsp-');
    cpSync(join(repoRoot, 'examples'), tree, { recursive: true });
    assert.match(
      await executableFinding(
        tree,
        { mrtPath: join(tree, 'fabric.mrt') },
        'nyc3/payments.yaml',
        'route-origin-mismatch',
      ),
      /originated by AS64514 \(region fra1\)/,
    );
  });

  test('kube-routes-language-server from the tarball reads a live cluster (the clusters bundle is an asset too)', async () => {
    const fleet = await startFleet(tempDir('kube-routes-release-fleet-'), [
      { context: 'nyc3-prod', serviceCidr: '172.25.0.0/20' },
    ]);
    try {
      fleet.cluster('nyc3-prod').addService({ name: 'ledger', namespace: 'payments', clusterIP: '172.25.0.20' });
      const root = tempDir('kube-routes-release-lsp-');
      writeFileSync(
        join(root, 'kube-routes.yaml'),
        'regions:\n  nyc3:\n    asns: [64512]\n    clusterIPRanges: [172.25.0.0/20]\n    contexts: [nyc3-prod]\n',
      );
      writeFileSync(
        join(root, 'checkout.yaml'),
        serviceYaml({ name: 'checkout', region: 'nyc3', clusterIP: '172.25.0.20' }),
      );
      assert.match(
        await executableFinding(
          root,
          { kubeconfig: fleet.kubeconfig, repositorySources: 'allow' },
          'checkout.yaml',
          'cluster-ip-allocated',
        ),
        /already allocated to Service payments\/ledger in context nyc3-prod/,
      );
    } finally {
      await fleet.stop();
    }
  });

  test('kubectl-routes from the tarball: --version and a check over the example fabric', () => {
    const dir = unpack(join(release, 'kubectl-routes-linux-amd64.tar.gz'));
    const v = run(join(dir, 'kubectl-routes'), ['--version'], dir, bareEnv);
    assert.deepEqual([v.code, v.stdout.trim()], [0, version]);
    const check = run(
      join(dir, 'kubectl-routes'),
      ['check', '--bgp', 'examples/fabric.mrt', 'examples/'],
      repoRoot,
      bareEnv,
    );
    assert.equal(check.code, 1, check.stderr);
    assert.match(check.stdout, /^13 errors, 2 warnings, 2 info in 4 of 4 files \(9 Services\)\.$/m);
    // A live view needs the Kubernetes client, an asset of the executable loaded on first use: an
    // unreachable cluster is then the one error line users get, not an internal error.
    const kubeconfig = join(tempDir('kube-routes-release-kubeconfig-'), 'config');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\n' +
        'users: [{name: u, user: {token: t}}]\ncontexts: [{name: nyc3-prod, context: {cluster: c, user: u}}]\n',
    );
    const live = run(join(dir, 'kubectl-routes'), ['--context', 'nyc3-prod'], repoRoot, {
      ...bareEnv,
      KUBECONFIG: kubeconfig,
    });
    assert.equal(live.code, 2, live.stderr);
    assert.match(live.stderr, /^error: context "nyc3-prod": cannot reach the API server at https:\/\/127\.0\.0\.1:1 /m);
    assert.doesNotMatch(live.stderr, /internal error/);
  });

  // Debian's qemu-user-static with the arm64 C and C++ runtimes of its cross toolchains
  // (scripts/test installs them) runs the linux-arm64 executables here; macOS cannot run here.
  const qemu = '/usr/bin/qemu-aarch64-static';
  const armSysroot = '/usr/aarch64-linux-gnu';

  test('the linux-arm64 executables run under qemu-user: --help, and --version of kubectl-routes', () => {
    assert.ok(existsSync(qemu), `${qemu} is missing: apt-get install qemu-user-static (scripts/test does)`);
    assert.ok(
      existsSync(join(armSysroot, 'lib/libstdc++.so.6')),
      'apt-get install libc6-arm64-cross libstdc++6-arm64-cross',
    );
    for (const program of programs) {
      const arm = unpack(join(release, `${program}-linux-arm64.tar.gz`));
      assert.deepEqual(readdirSync(arm).sort(), ['LICENSE', 'LICENSE.node', program]);
      const help = run(qemu, ['-L', armSysroot, join(arm, program), '--help'], arm, bareEnv);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /Usage:/);
      if (program === 'kubectl-routes') {
        const v = run(qemu, ['-L', armSysroot, join(arm, program), '--version'], arm, bareEnv);
        assert.deepEqual([v.code, v.stdout.trim()], [0, version]);
      }
    }
  });

  test('the arm64 and darwin archives hold an executable for their platform', async () => {
    const magic = (file: string) => readFileSync(file).subarray(0, 4).toString('hex');
    for (const program of programs) {
      const arm = unpack(join(release, `${program}-linux-arm64.tar.gz`));
      assert.equal(magic(join(arm, program)), '7f454c46', 'ELF');
      assert.equal(readFileSync(join(arm, program))[18], 0xb7, 'e_machine AArch64');
      const mac = unpack(join(release, `${program}-darwin-arm64.tar.gz`));
      // Lazy bundles lie beside the script (there are no SEA assets there).
      const lazy = await lazyFilesOf(program);
      assert.deepEqual(
        readdirSync(mac).sort(),
        ['LICENSE', 'LICENSE.node', program, `${program}.cjs`, 'node', ...lazy].sort(),
      );
      assert.equal(magic(join(mac, 'node')), 'cffaedfe', 'Mach-O 64-bit');
      assert.match(readFileSync(join(mac, program), 'utf8'), /^#!\/bin\/sh\n/);
    }
  });

  test('krew/routes.yaml is a krew Plugin manifest matching the archives', () => {
    const file = join(release, 'krew/routes.yaml');
    const plugin = parse(readFileSync(file, 'utf8')) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      spec: {
        version: string;
        shortDescription: string;
        platforms: {
          selector: { matchLabels: { os: string; arch: string } };
          uri: string;
          sha256: string;
          files: { from: string; to: string }[];
          bin: string;
        }[];
      };
    };
    assert.equal(plugin.apiVersion, 'krew.googlecontainertools.github.com/v1alpha2');
    assert.equal(plugin.kind, 'Plugin');
    assert.equal(`${plugin.metadata.name}.yaml`, 'routes.yaml');
    assert.equal(plugin.spec.version, `v${version}`);
    assert.ok(plugin.spec.shortDescription.length > 0 && plugin.spec.shortDescription.length <= 60);
    const seen = plugin.spec.platforms.map((p) => `${p.selector.matchLabels.os}-${p.selector.matchLabels.arch}`);
    assert.deepEqual(seen, platforms);
    for (const p of plugin.spec.platforms) {
      const archive = `kubectl-routes-${p.selector.matchLabels.os}-${p.selector.matchLabels.arch}.tar.gz`;
      assert.ok(p.uri.endsWith(`/${archive}`), p.uri);
      assert.equal(p.sha256, sha256(join(release, archive)));
      assert.ok(p.files.some((f) => f.from === 'LICENSE'));
      assert.equal(p.bin, 'kubectl-routes');
    }
  });

  test('the .vsix is the extension', async () => {
    const list = run('unzip', ['-l', join(release, `kube-routes-${version}.vsix`)]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /extension\/dist\/server\.js/);
    assert.match(list.stdout, /extension\/package\.json/);
    // What the server loads on first use is bundled apart (scripts/bundle.mjs lazyModules).
    const lazy = await lazyFilesOf('kube-routes-language-server');
    assert.ok(lazy.length >= 3, lazy.join(' '));
    for (const file of lazy) assert.ok(list.stdout.includes(`extension/dist/${file}`), `${file} is in the .vsix`);
  });
});

interface OciDescriptor {
  readonly mediaType: string;
  readonly digest: string;
}

/** The image's config and its root file system, unpacked from the OCI archive layer by layer. */
function unpackImage(archive: string, dir: string) {
  const oci = join(dir, 'oci');
  const rootfs = join(dir, 'rootfs');
  mkdirSync(oci);
  mkdirSync(rootfs);
  assert.equal(run('tar', ['xf', archive, '-C', oci]).code, 0);
  const blob = (d: OciDescriptor) => join(oci, 'blobs', ...d.digest.split(':'));
  const index = JSON.parse(readFileSync(join(oci, 'index.json'), 'utf8')) as { manifests: OciDescriptor[] };
  assert.equal(index.manifests.length, 1);
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0] as OciDescriptor), 'utf8')) as {
    config: OciDescriptor;
    layers: OciDescriptor[];
  };
  for (const layer of manifest.layers) {
    assert.match(layer.mediaType, /^application\/vnd\.oci\.image\.layer\.v1\.tar(\+gzip)?$/);
    const r = run('tar', ['xf', blob(layer), '-C', rootfs]);
    assert.equal(r.code, 0, r.stderr);
  }
  const config = JSON.parse(readFileSync(blob(manifest.config), 'utf8')) as {
    config: { User?: string; Entrypoint?: string[]; Cmd?: string[]; ExposedPorts?: Record<string, unknown> };
  };
  return { rootfs, config: config.config, layers: manifest.layers.length };
}

describe('the speaker image (kube-routes-speaker.oci.tar)', () => {
  const SPEAKER = '127.0.24.1';
  const ROUTER = '127.0.24.2';
  // Unpacked once for both tests, removed after them.
  const imageDir = mkdtempSync(join(tmpdir(), 'kube-routes-image-'));
  let image: ReturnType<typeof unpackImage>;
  before(() => {
    image = unpackImage(join(release, 'kube-routes-speaker.oci.tar'), imageDir);
  });
  let bird: Bird | undefined;
  let speaker: ChildProcess | undefined;
  let speakerLog = '';

  after(async () => {
    speaker?.kill('SIGTERM');
    await bird?.stop();
    rmSync(imageDir, { recursive: true, force: true });
  });

  test('is under 150 MiB, built from scratch: the speaker, its libraries, CA certificates, a non-root user', () => {
    const archive = join(release, 'kube-routes-speaker.oci.tar');
    assert.ok(statSync(archive).size < 150 * 1024 * 1024, `${statSync(archive).size} bytes`);
    assert.deepEqual(image.config.Entrypoint, ['/usr/local/bin/kube-routes-speaker']);
    assert.equal(image.config.User, '65532:65532');
    assert.deepEqual(Object.keys(image.config.ExposedPorts ?? {}).sort(), ['179/tcp', '8179/tcp']);
    assert.ok(existsSync(join(image.rootfs, 'etc/ssl/certs/ca-certificates.crt')));
    assert.match(readFileSync(join(image.rootfs, 'etc/passwd'), 'utf8'), /^speaker:x:65532:65532:/m);
    // From scratch: no shell and no package manager came with a base image.
    assert.equal(existsSync(join(image.rootfs, 'bin/sh')), false);
    assert.equal(existsSync(join(image.rootfs, 'usr/bin/apt')), false);
  });

  test('its speaker runs under chroot as user 65532 and learns BIRD routes on loopback', async () => {
    const [bgpPort, apiPort, birdPort] = [await freePort(SPEAKER), await freePort(SPEAKER), await freePort(ROUTER)];
    const dir = join(tempDir('kube-routes-image-bird-'), 'bird');
    bird = new Bird(
      {
        dir,
        address: ROUTER,
        port: birdPort,
        asn: 65024,
        routerId: '10.0.24.2',
        neighbors: [{ name: 'speaker', address: SPEAKER, port: bgpPort, asn: 65000 }],
      },
      { ipv4: [{ prefix: '10.24.0.0/24' }], nextHop4: '10.0.24.2' },
    );
    const config = speakerConfigYaml({
      asn: 65000,
      routerId: '10.0.24.1',
      listen: `${SPEAKER}:${bgpPort}`,
      api: `${SPEAKER}:${apiPort}`,
      holdTime: 9,
      peers: [{ address: ROUTER, asn: 65024, port: birdPort }],
    });
    writeFileSync(join(image.rootfs, 'etc/kube-routes/kube-routes.yaml'), config);
    const args = (image.config.Cmd ?? []) as string[];
    speaker = spawn('chroot', ['--userspec=65532:65532', image.rootfs, ...(image.config.Entrypoint ?? []), ...args], {
      env: { PATH: process.env.PATH ?? '' }, // for chroot itself; the speaker needs none
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    speaker.stderr?.on('data', (d: Buffer) => (speakerLog += d.toString()));
    bird.start();
    const lookup = await waitFor(
      'the chrooted speaker to learn 10.24.0.0/24 from BIRD',
      async () => {
        if (speaker?.exitCode != null) throw new Error(`the speaker exited with ${speaker.exitCode}:\n${speakerLog}`);
        const res = await fetch(`http://${SPEAKER}:${apiPort}/v1/lookup?ip=10.24.0.7`).catch(() => undefined);
        if (res?.status !== 200) return undefined;
        const body = (await res.json()) as { route?: { prefix: string; paths: { originAs: number }[] } };
        return body.route ? body : undefined;
      },
      30_000,
    );
    assert.equal(lookup.route?.prefix, '10.24.0.0/24');
    assert.deepEqual(
      lookup.route?.paths.map((p) => p.originAs),
      [65024],
    );
    assert.match(speakerLog, /"event":"peer-up"/);
    const ps = run('ps', ['-o', 'user=', '-p', String(speaker.pid)]);
    assert.match(ps.stdout.trim(), /^(65532|speaker)$/);
  });
});
