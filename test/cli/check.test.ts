import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { freePort, matchSnapshot, repoRoot, runCli, tempDir, writeTree, type CliRun } from '@kube-routes/test/support';

// `kubectl routes check` end to end: the real kubectl finds the plugin on PATH and runs it.
const snapshots = join(repoRoot, 'test/cli/snapshots');
const check = (args: string[], options: Parameters<typeof runCli>[2] = {}) =>
  runCli('kubectl', ['routes', 'check', ...args], options);

function assertNoStackTrace(run: CliRun): void {
  assert.doesNotMatch(run.stderr, /^\s+at .+:\d+:\d+\)?$/m, `stack trace on stderr:\n${run.stderr}`);
  assert.doesNotMatch(run.stdout, /^\s+at .+:\d+:\d+\)?$/m, 'stack trace on stdout');
}

const config = `
externalIPPools: [172.30.0.0/24]
regions:
  nyc3: {clusterIPRanges: [172.25.0.0/20]}
  sgp1: {clusterIPRanges: [172.25.144.0/20]}
`;
const service = (name: string, region: string, clusterIP: string, extra = '') =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop, labels: {region: ${region}}}\nspec: {clusterIP: ${clusterIP}${extra}}\n`;

describe('kubectl routes check', () => {
  test('the bundled example: text findings, exit 1', () => {
    const run = check(['examples/']);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, '');
    matchSnapshot(run.stdout, join(snapshots, 'examples.txt'));
  });

  test('json output has the documented shape and counts', () => {
    const run = check(['-o', 'json', 'examples/']);
    assert.equal(run.code, 1);
    const result = JSON.parse(run.stdout) as {
      apiVersion: string;
      kind: string;
      findings: {
        rule: string;
        severity: string;
        file: string;
        range: { start: { line: number; column: number } };
        related: unknown[];
      }[];
      summary: { files: number; services: number; errors: number };
    };
    assert.equal(result.apiVersion, 'kube-routes/v1');
    assert.equal(result.kind, 'CheckResult');
    assert.equal(result.summary.files, 4);
    assert.equal(result.summary.services, 9);
    assert.equal(result.summary.errors, result.findings.filter((f) => f.severity === 'error').length);
    const dup = result.findings.find((f) => f.rule === 'duplicate-cluster-ip');
    assert.deepEqual(dup && { file: dup.file, start: dup.range.start, related: dup.related.length }, {
      file: 'examples/nyc3/payments.yaml',
      start: { line: 11, column: 18 },
      related: 1,
    });
  });

  test('sarif output is SARIF 2.1.0 with rule metadata and 1-based regions', () => {
    const run = check(['--output=sarif', 'examples/']);
    assert.equal(run.code, 1);
    const sarif = JSON.parse(run.stdout) as {
      version: string;
      runs: {
        tool: {
          driver: { name: string; rules: { id: string; shortDescription: { text: string }; help: { text: string } }[] };
        };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: Record<string, number> };
          }[];
          relatedLocations?: unknown[];
        }[];
      }[];
    };
    assert.equal(sarif.version, '2.1.0');
    const [runOut] = sarif.runs;
    assert.ok(runOut);
    assert.equal(runOut.tool.driver.name, 'kube-routes');
    assert.ok(runOut.tool.driver.rules.every((r) => r.shortDescription.text.length > 0 && r.help.text.length > 0));
    const dup = runOut.results.find(
      (r) =>
        r.ruleId === 'duplicate-cluster-ip' &&
        r.locations[0]?.physicalLocation.artifactLocation.uri === 'examples/nyc3/payments.yaml',
    );
    assert.ok(dup);
    assert.equal(runOut.tool.driver.rules[dup.ruleIndex]?.id, 'duplicate-cluster-ip');
    assert.equal(dup.level, 'error');
    assert.deepEqual(dup.locations[0]?.physicalLocation.region, {
      startLine: 11,
      startColumn: 18,
      endLine: 11,
      endColumn: 29,
    });
    assert.equal(dup.locations[0]?.physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.equal(dup.relatedLocations?.length, 1);
  });

  test('--fail-on decides the exit code; warnings alone pass by default', () => {
    const dir = tempDir();
    writeTree(dir, {
      'kube-routes.yaml': config,
      'svc.yaml': service('web', 'nyc3', '172.25.0.1', ', externalIPs: [198.51.100.1]'),
    });
    const plain = check(['.'], { cwd: dir });
    assert.equal(plain.code, 0, plain.stdout);
    assert.match(plain.stdout, /svc\.yaml:4:45: warning external-ip-outside-pools: /);
    assert.match(plain.stdout, /0 errors, 1 warning, 0 info in 1 of 1 file \(1 Service\)\./);
    assert.equal(check(['--fail-on', 'warning', '.'], { cwd: dir }).code, 1);
    assert.equal(check(['--fail-on=info', 'svc.yaml'], { cwd: dir }).code, 1);
  });

  test('a hostile tree: a manifest linked to /dev/zero is one line, read no further; a FIFO is not opened', () => {
    const dir = tempDir('kube-routes-check-hostile-');
    writeTree(dir, { 'kube-routes.yaml': config, 'nyc3/web.yaml': service('web', 'nyc3', '172.25.0.10') });
    symlinkSync('/dev/zero', join(dir, 'nyc3/zero.yaml'));
    execFileSync('mkfifo', [join(dir, 'nyc3/fifo.yaml')]);
    const run = check(['.'], { cwd: dir });
    assertNoStackTrace(run);
    assert.match(run.stderr + run.stdout, /zero\.yaml.*not a regular file/);
    // The folder walk lists regular files and links only: the FIFO is never opened.
    assert.doesNotMatch(run.stderr + run.stdout, /fifo\.yaml/);
    assert.notEqual(run.code, 0);
  });

  test('a clean tree passes with a one-line summary', () => {
    const dir = tempDir();
    writeTree(dir, {
      'kube-routes.yaml': config,
      'a/svc.yaml': service('web', 'nyc3', '172.25.0.1'),
      'b/svc.yml': service('api', 'sgp1', '172.25.144.1'),
    });
    const run = check(['.'], { cwd: dir });
    assert.equal(run.code, 0);
    assert.equal(run.stdout, 'No problems found in 2 files (2 Services).\n');
  });

  test('duplicates are found across files and directories given separately', () => {
    const dir = tempDir();
    writeTree(dir, {
      'kube-routes.yaml': config,
      'a/svc.yaml': service('web', 'nyc3', '172.25.0.1'),
      'b/svc.yaml': service('api', 'nyc3', '172.25.0.1'),
    });
    const run = check(['a', 'b/svc.yaml'], { cwd: dir });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /^a\/svc\.yaml:4:19: error duplicate-cluster-ip: .*\n {4}b\/svc\.yaml:4:19: Service shop\/api \(region nyc3\) also uses 172\.25\.0\.1$/m,
    );
  });

  test('the config is found by walking up from each file', () => {
    const dir = tempDir();
    writeTree(dir, { 'kube-routes.yaml': config, 'deep/er/still/svc.yaml': service('web', 'ams3', '172.25.0.1') });
    const run = check(['er/still/svc.yaml'], { cwd: join(dir, 'deep') });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /unknown-region: region "ams3" is not a configured region; known regions: nyc3, sgp1\. Fix the region label or add the region to \.\.\/kube-routes\.yaml\./,
    );
  });

  test('standard input with an explicit config', () => {
    const dir = tempDir();
    writeTree(dir, { 'regions.yaml': config });
    const run = check(['--config', join(dir, 'regions.yaml'), '-'], { input: service('web', 'nyc3', '172.25.144.7') });
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /^<stdin>:4:19: error cluster-ip-outside-region: clusterIP 172\.25\.144\.7 is outside region nyc3's/m,
    );
  });

  test('without a config only region-independent rules run, with a warning', () => {
    const dir = tempDir();
    writeTree(dir, {
      'svc.yaml': `${service('web', 'nowhere', '172.25.0.1')}---\n${service('api', 'nowhere', '172.25.0.1')}`,
    });
    const run = check(['svc.yaml'], { cwd: dir });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^warning: no kube-routes\.yaml found above svc\.yaml; region rules did not run\. Create one, or pass --config FILE\.$/m,
    );
    assert.match(run.stdout, /duplicate-cluster-ip/);
    assert.doesNotMatch(run.stdout, /unknown-region/);
  });

  test('config errors print file:line:col and exit 2', () => {
    const dir = tempDir();
    writeTree(dir, {
      'kube-routes.yaml': 'regions:\n  nyc3:\n    clusterIPRanges: [172.25.0.1/20]\n    asn: 1\n',
      'svc.yaml': service('web', 'nyc3', '172.25.0.1'),
    });
    const run = check(['.'], { cwd: dir });
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      [
        'kube-routes.yaml:4:5: unknown key "asn" in regions.nyc3 (did you mean "asns"?); expected one of: asns, clusterIPRanges, externalIPPools, contexts, paths, speaker',
        'error: the config has an error; fix it and run again',
        '',
      ].join('\n'),
    );
    const missing = check(['--config', 'nope.yaml', '.'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^nope\.yaml:1:1: cannot read config: no such file or directory$/m);
  });

  test('usage errors: one line, a pointer to help, exit 2', () => {
    for (const [args, message] of [
      [['--bogus', '.'], 'error: unknown flag: --bogus'],
      [['--cahce', '.'], 'error: unknown flag: --cahce (did you mean --cache?)'],
      [['-o', 'xml', '.'], 'error: invalid argument "xml" for "-o, --output" flag: must be one of: text, json, sarif'],
      [
        ['--fail-on', 'fatal', '.'],
        'error: invalid argument "fatal" for "--fail-on" flag: must be one of: error, warning, info',
      ],
      [['--max-file-size', 'huge', '.'], 'error: invalid size "huge": use bytes or a suffix, e.g. 512Ki, 16Mi'],
      [[], 'error: no paths given: pass files, directories, -k DIR, or - for standard input'],
      [['does/not/exist.yaml'], 'error: does/not/exist.yaml: no such file or directory'],
    ] as const) {
      const run = check([...args]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr.split('\n')[0], message);
      assertNoStackTrace(run);
    }
  });

  test('a directory without YAML files is a usage error', () => {
    const dir = tempDir();
    writeTree(dir, { 'empty/README.md': '# nothing here\n' });
    const run = check(['empty'], { cwd: dir });
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'error: empty: no *.yaml, *.yml or *.json files in this directory\n');
  });

  test('bad input files: binary, not UTF-8, empty, 50 MB', () => {
    const dir = tempDir();
    writeTree(dir, {
      'kube-routes.yaml': config,
      'binary.yaml': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]),
      'latin1.yaml': new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]),
      'empty.yaml': '',
      'ok.yaml': service('web', 'nyc3', '172.25.0.1'),
    });
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `# ${'x'.repeat(50 * 1024 * 1024)}\n`);
    const run = check(['.'], { cwd: dir });
    assertNoStackTrace(run);
    assert.equal(run.code, 1);
    assert.equal(
      run.stdout,
      [
        'big.yaml:1:1: error unreadable-file: file is 50.0 MiB, over the 16 MiB limit for a manifest; exclude it, or raise --max-file-size',
        'binary.yaml:1:1: error unreadable-file: file is binary (NUL byte at offset 6), not a YAML manifest',
        'latin1.yaml:1:1: error unreadable-file: file is not valid UTF-8 text; YAML manifests must be UTF-8',
        '3 errors, 0 warnings, 0 info in 3 of 5 files (1 Service).',
        '',
      ].join('\n'),
    );
    const empty = check(['empty.yaml'], { cwd: dir });
    assert.equal(empty.code, 0);
    assert.equal(empty.stdout, 'No problems found in 1 file (0 Services).\n');
  });

  test('help is kubectl-style and exits 0', () => {
    const run = check(['-h']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Examples:\n {2}# Check every manifest under deploy\/ /m);
    assert.match(run.stdout, /^ {4}-o, --output='text':\n\tOutput format\. One of: \(text, json, sarif\)\.$/m);
    assert.match(run.stdout, /^Usage:\n {2}kubectl routes check \[flags\] PATH\.\.\. \| -$/m);
    const root = runCli('kubectl', ['routes', '--help']);
    assert.equal(root.code, 0);
    assert.match(root.stdout, /^Available Commands:\n {2}check +Check Service manifests/m);
  });

  test('colour only when asked for by a terminal or FORCE_COLOR', () => {
    const plain = check(['examples/']);
    assert.doesNotMatch(plain.stdout, /\u001b\[/);
    const coloured = check(['examples/'], { env: { FORCE_COLOR: '1' } });
    assert.match(coloured.stdout, /\u001b\[1;31merror\u001b\[0m/);
  });
});

describe('kubectl routes check --speaker', () => {
  test('an unreachable speaker is one clear line and exit 2', async () => {
    const port = await freePort();
    const run = check(['--speaker', `http://127.0.0.1:${port}`, 'examples/']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      `error: cannot reach the speaker at http://127.0.0.1:${port}: ECONNREFUSED; is kube-routes-speaker running (see --speaker)?\n`,
    );
  });

  test('a malformed speaker URL is a usage error', () => {
    const run = check(['--speaker', 'ftp://x', 'examples/']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'error: invalid --speaker "ftp://x": only http:// and https:// are supported\n');
  });
});

describe('kubectl routes check --bgp', () => {
  test('the bundled example with its recorded BGP table: the BGP rules join in', () => {
    const run = check(['--bgp', 'examples/fabric.mrt', 'examples/']);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, '');
    matchSnapshot(run.stdout, join(snapshots, 'examples-bgp.txt'));
  });

  test('a missing or damaged MRT file: one clear line; damaged records are skipped with a warning', () => {
    const missing = check(['--bgp', 'nope.mrt', 'examples/']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'error: cannot read --bgp nope.mrt: no such file\n');
    const dir = tempDir();
    const good = readFileSync(join(repoRoot, 'examples/fabric.mrt'));
    // A record header claiming an unknown type in the middle: reported with its offset, the rest loads.
    const damaged = Buffer.concat([
      good.subarray(0, 0),
      Buffer.from([0, 0, 0, 0, 0, 99, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]),
      good,
    ]);
    writeTree(dir, { 'fabric.mrt': damaged, 'not-mrt.mrt': 'hello\n' });
    const run = check(['--bgp', join(dir, 'fabric.mrt'), 'examples/']);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^warning: .*fabric\.mrt: 1 MRT record\(s\) not loaded \(first at byte 0: .*\); the rest loaded\n$/,
    );
    assert.match(run.stdout, /route-origin-mismatch/);
    // Cut inside its last record (a download that stopped): what is missing is everything after.
    writeTree(dir, { 'cut.mrt': good.subarray(0, good.length - 5) });
    const cut = check(['--bgp', join(dir, 'cut.mrt'), 'examples/']);
    assert.equal(cut.code, 1);
    assert.match(cut.stderr, /^warning: .*cut\.mrt: read only to byte \d+ \(.*\); what came before loaded\n$/);
    const junk = check(['--bgp', join(dir, 'not-mrt.mrt'), 'examples/']);
    assert.equal(junk.code, 2);
    assertNoStackTrace(junk);
    assert.match(junk.stderr, /^(error|warning): /);
  });
});
