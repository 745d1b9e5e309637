import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PeerStatus, Route } from '../../src/engine';
import { lookupQuery, peersQuery, routesQuery } from '../../src/speaker-api';
import {
  isVantageSource,
  MergedRouteSource,
  SpeakerClient,
  SpeakerError,
  type TransportReply,
} from '../../src/speaker-client';
import { routePath as path } from '@kube-routes/test/support';
import { FakeTransport, json } from './fake-transport';

// Several regions' speakers as one source: answers per vantage, their union with each path's
// region, paging across regions, and a region that cannot be reached left out with one report.

const route = (prefix: string, originAs: number): Route => ({ prefix, paths: [path(originAs)] });
const peer = (address: string): PeerStatus =>
  ({
    address,
    asn: 65001,
    source: 'bgp',
    state: 'Established',
    uptimeSeconds: 1,
    received: { 'ipv4-unicast': 2 },
    capabilities: [],
  }) as unknown as PeerStatus;

function speaker(answers: [string, TransportReply | Error][]) {
  const transport = new FakeTransport(new Map(answers));
  return { transport, client: new SpeakerClient(transport) };
}

function fabric() {
  const nyc3 = speaker([
    [lookupQuery('172.30.0.7'), json({ ip: '172.30.0.7', route: route('172.30.0.0/24', 64512) })],
    [lookupQuery('172.25.0.10'), json({ ip: '172.25.0.10', route: route('172.25.0.0/24', 64512) })],
    [peersQuery(), json({ peers: [peer('127.0.0.2')] })],
    [
      routesQuery({ within: '172.16.0.0/12', limit: 2 }),
      json({ routes: [route('172.25.0.0/24', 64512), route('172.30.0.0/24', 64512)], truncated: false }),
    ],
  ]);
  const sgp1 = speaker([
    [lookupQuery('172.30.0.7'), json({ ip: '172.30.0.7', route: route('172.30.0.0/24', 64513) })],
    [lookupQuery('172.25.0.10'), json({ ip: '172.25.0.10' })],
    [peersQuery(), json({ peers: [peer('127.0.0.3')] })],
    [
      routesQuery({ within: '172.16.0.0/12', limit: 2 }),
      json({ routes: [route('172.25.144.0/24', 64513), route('172.25.145.0/24', 64513)], truncated: true }),
    ],
    [
      routesQuery({ within: '172.16.0.0/12', limit: 2, after: '172.25.145.0/24' }),
      json({ routes: [route('172.30.0.0/24', 64513)], truncated: false }),
    ],
  ]);
  const ams3 = speaker([
    [lookupQuery('172.30.0.7'), new SpeakerError('cannot reach the speaker of region ams3: ECONNREFUSED')],
    [peersQuery(), new SpeakerError('cannot reach the speaker of region ams3: ECONNREFUSED')],
  ]);
  return { nyc3, sgp1, ams3 };
}

describe('MergedRouteSource', () => {
  test('each region answers on its own; the union tags every path with its region', async () => {
    const { nyc3, sgp1 } = fabric();
    const merged = new MergedRouteSource([
      { region: 'nyc3', source: nyc3.client },
      { region: 'sgp1', source: sgp1.client },
    ]);
    assert.ok(isVantageSource(merged));
    assert.ok(!isVantageSource(nyc3.client));
    assert.deepEqual(
      (await merged.lookupEach('172.30.0.7')).map((a) => [a.vantage, a.route?.paths[0]?.originAs]),
      [
        ['nyc3', 64512],
        ['sgp1', 64513],
      ],
    );
    const union = await merged.lookup('172.30.0.7');
    assert.deepEqual(
      union?.paths.map((p) => [p.vantage, p.originAs]),
      [
        ['nyc3', 64512],
        ['sgp1', 64513],
      ],
    );
    const all = await merged.lookupAllEach(['172.25.0.10']);
    assert.deepEqual(
      all.get('172.25.0.10')?.map((a) => [a.vantage, a.route?.prefix]),
      [
        ['nyc3', '172.25.0.0/24'],
        ['sgp1', undefined],
      ],
    );
    assert.deepEqual(
      (await merged.peers())?.map((p) => [p.vantage, p.address]),
      [
        ['nyc3', '127.0.0.2'],
        ['sgp1', '127.0.0.3'],
      ],
    );
    assert.equal(merged.name, 'the speakers of regions nyc3, sgp1');
  });

  test('routesWithin pages the union: a page ends at the smallest cursor, the rest comes next', async () => {
    const { nyc3, sgp1 } = fabric();
    const merged = new MergedRouteSource([
      { region: 'nyc3', source: nyc3.client },
      { region: 'sgp1', source: sgp1.client },
    ]);
    const first = await merged.routesWithin('172.16.0.0/12', 2);
    assert.deepEqual(
      first.routes.map((r) => r.prefix),
      ['172.25.0.0/24', '172.25.144.0/24', '172.25.145.0/24'],
    );
    assert.equal(first.truncated, true);
    assert.equal(first.next, '172.25.145.0/24');
    // nyc3's 172.30.0.0/24 lies past the cursor: it comes with the next page, not twice.
    assert.ok(!first.routes.some((r) => r.prefix === '172.30.0.0/24'));
  });

  test('a region that cannot be reached is reported once and left out; the others answer', async () => {
    const { nyc3, sgp1, ams3 } = fabric();
    const reported: string[] = [];
    const merged = new MergedRouteSource(
      [
        { region: 'nyc3', source: nyc3.client },
        { region: 'sgp1', source: sgp1.client },
        { region: 'ams3', source: ams3.client },
      ],
      { unreachable: (region, e) => reported.push(`${region}: ${(e as Error).message}`) },
    );
    const answers = await merged.lookupEach('172.30.0.7');
    assert.deepEqual(
      answers.map((a) => a.vantage),
      ['nyc3', 'sgp1'],
    );
    await merged.peers();
    assert.deepEqual(reported, ['ams3: cannot reach the speaker of region ams3: ECONNREFUSED']);
    assert.deepEqual(merged.unreachable(), ['ams3']);
    assert.equal(ams3.transport.asked.length, 1, 'left out once it failed');
  });

  test('retryDown asks a failed region again and says when it is back', async () => {
    const { nyc3 } = fabric();
    let up = false;
    const flaky = new SpeakerClient(
      new (class extends FakeTransport {
        override async get(target: string): Promise<TransportReply> {
          if (!up) throw new SpeakerError('cannot reach sgp1');
          return json({ ip: '172.30.0.7', route: route('172.30.0.0/24', 64513) }, target ? 200 : 500);
        }
      })(),
    );
    const events: string[] = [];
    const merged = new MergedRouteSource(
      [
        { region: 'nyc3', source: nyc3.client },
        { region: 'sgp1', source: flaky },
      ],
      {
        retryDown: true,
        unreachable: (region) => events.push(`down ${region}`),
        reachable: (region) => events.push(`up ${region}`),
      },
    );
    assert.equal((await merged.lookupEach('172.30.0.7')).length, 1);
    assert.equal((await merged.lookupEach('172.30.0.7')).length, 1);
    up = true;
    assert.equal((await merged.lookupEach('172.30.0.7')).length, 2);
    assert.deepEqual(events, ['down sgp1', 'up sgp1']);
  });

  test('when no region answers, the first failure rejects, and the same one again after', async () => {
    const { ams3 } = fabric();
    const merged = new MergedRouteSource([{ region: 'ams3', source: ams3.client }]);
    await assert.rejects(merged.lookup('172.30.0.7'), /region ams3: ECONNREFUSED/);
    await assert.rejects(merged.lookup('172.30.0.7'), /region ams3: ECONNREFUSED/);
  });

  test("watch: every region's stream; a region's lost stream passed on once per outage, naming it", async () => {
    const { nyc3 } = fabric();
    const sgp1Transport = new FakeTransport();
    // Three failed attempts, then a speaker without the stream (404): the follower stops.
    sgp1Transport.streams.push(500, 500, 500, 404);
    const sgp1 = new SpeakerClient(sgp1Transport, { watch: { initialRetryMs: 1, maxRetryMs: 2 } });
    nyc3.transport.streams.push(404);
    const merged = new MergedRouteSource(
      [
        { region: 'nyc3', source: nyc3.client },
        { region: 'sgp1', source: sgp1 },
      ],
      { annotate: (region, e) => new SpeakerError(`region ${region}: ${(e as Error).message}`) },
    );
    const lost: string[] = [];
    let unsupported = 0;
    const subscription = merged.watch({
      event: () => undefined,
      lost: (m) => lost.push(m),
      unsupported: () => unsupported++,
    });
    assert.ok(subscription);
    const deadline = Date.now() + 5_000;
    while (unsupported < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    subscription.close();
    assert.equal(unsupported, 2);
    assert.deepEqual(lost, ['region sgp1: speaker fake answered 500 for the watch stream']);
  });
});
