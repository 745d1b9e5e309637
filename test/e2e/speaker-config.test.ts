import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort, runCli, speakerConfigYaml, tempDir, writeTree } from '@kube-routes/test/support';

// kube-routes-speaker refuses a bad configuration with one clear line on stderr and exit code 2,
// never a stack trace (addresses 127.0.6.x, this file only).

const HOST = '127.0.6.1';
const dir = tempDir('kube-routes-speaker-config-');
const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

function runWith(name: string, yaml: string): { code: number | null; stderr: string; stdout: string } {
  writeTree(dir, { [`${name}/kube-routes.yaml`]: yaml });
  return runCli('kube-routes-speaker', ['--config', 'kube-routes.yaml'], { cwd: join(dir, name) });
}

/** Exit 2, nothing on stdout, exactly one stderr line matching `line`, no stack trace. */
function assertRefused(run: { code: number | null; stderr: string; stdout: string }, line: RegExp): void {
  assert.equal(run.code, 2, `exit code; stderr: ${run.stderr}`);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${run.stderr}`);
  assert.match(lines[0] ?? '', line);
  assert.doesNotMatch(run.stderr, /\bat .*\.js:\d+|Error:|internal error/, 'no stack trace');
}

const base = async () => ({
  asn: 65000,
  routerId: '10.0.6.1',
  listen: `${HOST}:${await freePort(HOST)}`,
  api: `${HOST}:${await freePort(HOST)}`,
});

test('an unknown peer field: the file position and the allowed keys', async () => {
  const yaml = speakerConfigYaml({ ...(await base()), peers: [{ address: '127.0.6.2', asn: 65001, colour: 'red' }] });
  assertRefused(
    runWith('unknown-field', yaml),
    /^kube-routes\.yaml:\d+:\d+: unknown key "colour" in speaker\.peers\[0\]; expected one of: address, asn, port, /,
  );
});

test('a bad peer address', async () => {
  const yaml = speakerConfigYaml({ ...(await base()), peers: [{ address: '10.0.0.300', asn: 65001 }] });
  assertRefused(
    runWith('bad-address', yaml),
    /^kube-routes\.yaml:\d+:\d+: peer address "10\.0\.0\.300" is not an IP address$/,
  );
});

test('a listen address that is a host name', async () => {
  const yaml = speakerConfigYaml({ ...(await base()), listen: 'localhost:1179' });
  assertRefused(
    runWith('bad-listen', yaml),
    /^kube-routes\.yaml:\d+:\d+: "localhost" in "localhost:1179" is not an IP address$/,
  );
});

test('the BGP port in use', async () => {
  const config = await base();
  const port = Number(config.listen.split(':')[1]);
  servers.push(await listen(port));
  assertRefused(
    runWith('bgp-port-in-use', speakerConfigYaml({ ...config, peers: [] })),
    new RegExp(`^error: cannot listen on ${HOST}:${port} for BGP: address already in use$`),
  );
});

test('the API port in use', async () => {
  const config = await base();
  const port = Number(config.api.split(':')[1]);
  servers.push(await listen(port));
  assertRefused(
    runWith('api-port-in-use', speakerConfigYaml({ ...config, peers: [] })),
    new RegExp(`^error: cannot listen on ${HOST}:${port} for the API: address already in use$`),
  );
});

test('a listen address not on this host', async () => {
  const yaml = speakerConfigYaml({ ...(await base()), listen: '192.0.2.1:1179' });
  assertRefused(
    runWith('not-local', yaml),
    /^error: cannot listen on 192\.0\.2\.1:1179 for BGP: address not available on this host$/,
  );
});

test('a config without a speaker section', () => {
  assertRefused(
    runWith('no-speaker', 'regions:\n  a:\n    clusterIPRanges: [10.0.0.0/16]\n'),
    /^error: kube-routes\.yaml has no speaker: section \(asn, routerId, listen, api, peers\)/,
  );
});

test('a config file that does not exist', () => {
  const run = runCli('kube-routes-speaker', ['--config', join(dir, 'missing.yaml')]);
  assertRefused(run, /missing\.yaml:1:1: cannot read config: no such file or directory$/);
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, HOST, () => resolve(server));
  });
}
