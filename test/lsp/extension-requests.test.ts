import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { PeersRequest, ServiceRoutesRequest, StatusRequest, type StatusResult } from '@kube-routes/server/lsp-protocol';
import {
  FakeSpeaker,
  fakePeer,
  fakeRoute,
  lspConfigYaml,
  positionOf,
  repoRoot,
  serviceYaml,
  startWorkspace,
  type LspClient,
} from '@kube-routes/test/support';

// kube-routes' own requests (server/src/lsp/protocol.ts), which the VS Code extension's status
// bar, peers view and "Show Routes for Service" use: what they answer for no source, a speaker
// (connected, then stale) and an MRT file, and the notification that tells the client to ask again.

const web = serviceYaml({ name: 'web', region: 'nyc3', clusterIP: '172.25.0.10', externalIPs: ['172.30.0.10'] });
const api = serviceYaml({ name: 'api', region: 'nyc3', clusterIP: '172.25.0.30' });
const shop = `${web}---\n${api}`;

const routes = [
  fakeRoute('172.25.0.0/24', [
    { originAs: 64512, peer: '127.0.0.2' },
    { originAs: 64512, peer: '127.0.0.3' },
  ]),
  fakeRoute('172.30.0.10/32', [{ originAs: 64513, peer: '127.0.0.4' }]),
];

/** Asks for the status after each statusChanged notification until it satisfies the predicate. */
async function waitForStatus(
  client: LspClient,
  what: string,
  predicate: (s: StatusResult) => boolean,
): Promise<StatusResult> {
  for (;;) {
    const seen = client.statusChanges;
    const status = await client.connection.sendRequest(StatusRequest.type);
    if (predicate(status)) return status;
    await client.waitFor(`a statusChanged notification (${what})`, () =>
      client.statusChanges > seen ? true : undefined,
    );
  }
}

describe('language server: status, peers and service routes requests', () => {
  test('no route source: an empty status, and the notification after the first check', async () => {
    const client = await startWorkspace({ 'kube-routes.yaml': lspConfigYaml, 'nyc3/shop.yaml': shop });
    await client.waitFor('statusChanged', () => (client.statusChanges > 0 ? true : undefined));
    assert.deepEqual(await client.connection.sendRequest(StatusRequest.type), { sources: [] });
    assert.deepEqual(await client.connection.sendRequest(PeersRequest.type), { sources: [] });
  });

  test("a speaker: connected with peer and prefix counts, its peers, a Service's routes; then stale", async () => {
    const speaker = new FakeSpeaker(routes);
    speaker.peers = [
      fakePeer('127.0.0.2', 65001, { 'ipv4-unicast': 2, 'ipv6-unicast': 1 }),
      fakePeer('127.0.0.3', 65002, {}, 'Active'),
    ];
    await speaker.start();
    after(() => speaker.stop());
    const client = await startWorkspace(
      { 'kube-routes.yaml': lspConfigYaml, 'nyc3/shop.yaml': shop },
      { settings: { speakerUrl: speaker.url, routeRefreshSeconds: 0.1 } },
    );
    await client.open('nyc3/shop.yaml', shop);

    const status = await waitForStatus(client, 'connected', (s) => s.sources[0]?.health === 'connected');
    assert.equal(status.sources.length, 1);
    const source = status.sources[0];
    assert.equal(source?.name, `speaker ${speaker.url}`);
    assert.deepEqual(source?.peers, { established: 1, total: 2 });
    assert.equal(source?.prefixes, 3);
    assert.match(source?.since ?? '', /^\d{4}-\d\d-\d\dT/);

    const peers = await client.connection.sendRequest(PeersRequest.type);
    assert.deepEqual(
      peers.sources.map((s) => [s.name, s.health, s.peers?.map((p) => [p.address, p.state])]),
      [
        [
          `speaker ${speaker.url}`,
          'connected',
          [
            ['127.0.0.2', 'Established'],
            ['127.0.0.3', 'Active'],
          ],
        ],
      ],
    );

    // Below the first Service's last value, on a line of the second one: the second Service.
    await client.waitForDiagnostics('nyc3/shop.yaml', (d) => d.some((x) => x.code === 'route-origin-mismatch'));
    const onApi = await client.connection.sendRequest(ServiceRoutesRequest.type, {
      textDocument: { uri: client.uri('nyc3/shop.yaml') },
      position: { line: positionOf(shop, 'name: api').line, character: 0 },
    });
    assert.equal(onApi?.service, 'shop/api');
    assert.match(
      onApi?.markdown ?? '',
      /^# Service `shop\/api`\n\nFile: nyc3\/shop\.yaml · region label: region=nyc3 · route source: speaker http:\/\/127\.0\.0\.1:\d+, as of /,
    );
    assert.match(
      onApi?.markdown ?? '',
      /\n\| clusterIP \| 172\.25\.0\.30 \| nyc3 172\.25\.0\.0\/20 \| `172\.25\.0\.0\/24` \| 2 \| AS64512 \(nyc3\) \|\n/,
    );
    const onWeb = await client.connection.sendRequest(ServiceRoutesRequest.type, {
      textDocument: { uri: client.uri('nyc3/shop.yaml') },
      position: { line: 0, character: 0 },
    });
    assert.equal(onWeb?.service, 'shop/web');
    assert.match(
      onWeb?.markdown ?? '',
      /\n\| externalIPs\[0\] \| 172\.30\.0\.10 \| shared pool 172\.30\.0\.0\/24 \| `172\.30\.0\.10\/32` \| 1 \| AS64513 \(sgp1\) \|\n/,
    );
    assert.match(
      onWeb?.markdown ?? '',
      /\n## Paths of `172\.30\.0\.10\/32`\n\n\| peer \| next hop \| AS path \| origin AS \| communities \| age \|\n\|---\|---\|---\|---\|---\|---\|\n\| 127\.0\.0\.4 \|/,
    );

    speaker.broken = true;
    const stale = await waitForStatus(client, 'stale', (s) => s.sources[0]?.health === 'stale');
    assert.match(stale.sources[0]?.reason ?? '', /cannot reach speaker/);
    assert.equal(stale.sources[0]?.peers, undefined, 'no counts from a source that does not answer');
    const stalePeers = await client.connection.sendRequest(PeersRequest.type);
    assert.equal(stalePeers.sources[0]?.peers, undefined);
    assert.match(stalePeers.sources[0]?.note ?? '', /cannot reach speaker/);
  });

  test('settings without a source any more: the status empties, after a notification', async () => {
    const speaker = new FakeSpeaker(routes);
    await speaker.start();
    after(() => speaker.stop());
    const client = await startWorkspace(
      { 'kube-routes.yaml': lspConfigYaml, 'nyc3/shop.yaml': shop },
      { settings: { speakerUrl: speaker.url } },
    );
    await client.open('nyc3/shop.yaml', shop);
    await waitForStatus(client, 'connected', (s) => s.sources[0]?.health === 'connected');
    await client.changeSettings({});
    assert.deepEqual(await waitForStatus(client, 'no source', (s) => s.sources.length === 0), { sources: [] });
  });

  test('an MRT file: a prefix count and no peers (a recorded table has no sessions)', async () => {
    const client = await startWorkspace(
      { 'kube-routes.yaml': lspConfigYaml, 'nyc3/shop.yaml': shop },
      { settings: { mrtPath: join(repoRoot, 'examples/fabric.mrt') } },
    );
    await client.open('nyc3/shop.yaml', shop);
    const status = await waitForStatus(client, 'connected', (s) => s.sources[0]?.health === 'connected');
    assert.equal(status.sources[0]?.name, 'MRT file fabric.mrt');
    assert.equal(status.sources[0]?.peers, undefined);
    assert.ok((status.sources[0]?.prefixes ?? 0) > 0, 'the table holds prefixes');
    const peers = await client.connection.sendRequest(PeersRequest.type);
    assert.match(peers.sources[0]?.note ?? '', /^a recorded table without BGP sessions; \d+ prefixes$/);
  });
});
