import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PeerStatus, Route } from '../../src/engine';
import { lookupQuery, peersQuery, routesQuery, type WatchEvent } from '../../src/speaker-api';
import { SpeakerClient, SpeakerError, type RecordedTable, type TransportReply } from '../../src/speaker-client';
import { FakeTransport, json } from './fake-transport';

// The one client over a fake transport: the targets it asks, what it makes of the answers, and
// every failure as one line.

const route: Route = { prefix: '10.0.0.0/24', paths: [] };
/** As it comes over the wire: JSON has no undefined fields. */
const peer = (address: string, v4: number, v6: number): PeerStatus =>
  JSON.parse(
    JSON.stringify({
      address,
      asn: 65001,
      description: undefined,
      source: 'bgp',
      state: 'Established',
      uptimeSeconds: 1,
      received: { 'ipv4-unicast': v4, 'ipv6-unicast': v6 },
      capabilities: [],
      lastError: undefined,
    }),
  ) as PeerStatus;

const answers = new Map<string, TransportReply | Error>([
  [lookupQuery('10.0.0.1'), json({ ip: '10.0.0.1', route })],
  [lookupQuery('192.0.2.1'), json({ ip: '192.0.2.1' })],
  [lookupQuery('bad'), json({ error: '"bad" is not an IP address' }, 400)],
  [lookupQuery('10.0.0.2'), { status: 200, text: '<html>proxy login</html>' }],
  [lookupQuery('10.0.0.3'), { status: 502, text: 'Bad Gateway' }],
  [lookupQuery('10.0.0.4'), new SpeakerError('cannot reach fake: ECONNREFUSED')],
  [peersQuery(), json({ peers: [peer('192.0.2.1', 3, 1), peer('192.0.2.2', 2, 0)] })],
  [routesQuery({ exact: '10.0.0.0/24' }), json({ routes: [route] })],
  [routesQuery({ within: '10.0.0.0/8', limit: 2 }), json({ routes: [route, route], truncated: true })],
  [routesQuery({ within: '10.0.0.0/16', limit: 5 }), json({ routes: [route] })],
]);

describe('SpeakerClient over a transport', () => {
  const cases: readonly {
    readonly name: string;
    readonly call: (c: SpeakerClient) => Promise<unknown>;
    readonly asked: readonly string[];
    readonly result: unknown;
  }[] = [
    { name: 'lookup', call: (c) => c.lookup('10.0.0.1'), asked: ['/v1/lookup?ip=10.0.0.1'], result: route },
    {
      name: 'lookup without a route',
      call: (c) => c.lookup('192.0.2.1'),
      asked: ['/v1/lookup?ip=192.0.2.1'],
      result: undefined,
    },
    {
      name: 'routesExact',
      call: (c) => c.routesExact('10.0.0.0/24'),
      asked: ['/v1/routes?prefix=10.0.0.0%2F24'],
      result: [route],
    },
    {
      name: 'routesWithin, truncated',
      call: (c) => c.routesWithin('10.0.0.0/8', 2),
      asked: ['/v1/routes?within=10.0.0.0%2F8&limit=2'],
      result: { routes: [route, route], truncated: true, next: route.prefix },
    },
    {
      name: 'routesWithin, truncated absent = false',
      call: (c) => c.routesWithin('10.0.0.0/16', 5),
      asked: ['/v1/routes?within=10.0.0.0%2F16&limit=5'],
      result: { routes: [route], truncated: false },
    },
    {
      name: 'peers',
      call: (c) => c.peers(),
      asked: ['/v1/peers'],
      result: [peer('192.0.2.1', 3, 1), peer('192.0.2.2', 2, 0)],
    },
    {
      name: 'summary: peers and paths received',
      call: (c) => c.summary(),
      asked: ['/v1/peers'],
      result: { peers: [peer('192.0.2.1', 3, 1), peer('192.0.2.2', 2, 0)], prefixes: 6 },
    },
  ];
  for (const { name, call, asked, result } of cases) {
    test(name, async () => {
      const transport = new FakeTransport(answers);
      assert.deepEqual(await call(new SpeakerClient(transport)), result);
      assert.deepEqual(transport.asked, asked);
    });
  }

  test('the client is named after its transport, unless told otherwise', () => {
    assert.equal(new SpeakerClient(new FakeTransport()).name, 'speaker fake');
    assert.equal(new SpeakerClient(new FakeTransport(), { name: 'the speaker at fake' }).name, 'the speaker at fake');
    assert.equal(new SpeakerClient(new FakeTransport()).label, 'fake');
  });
});

describe('SpeakerClient failures: one line each', () => {
  const failures: readonly { readonly ip: string; readonly message: string }[] = [
    { ip: 'bad', message: 'speaker fake answered 400 for /v1/lookup: "bad" is not an IP address' },
    {
      ip: '10.0.0.2',
      message: 'speaker fake sent something that is not JSON for /v1/lookup; is that URL a kube-routes-speaker API?',
    },
    { ip: '10.0.0.3', message: 'speaker fake answered 502 for /v1/lookup: Bad Gateway' },
    { ip: '10.0.0.4', message: 'cannot reach fake: ECONNREFUSED' },
  ];
  for (const { ip, message } of failures) {
    test(message, async () => {
      await assert.rejects(new SpeakerClient(new FakeTransport(answers)).lookup(ip), (e: Error) => {
        assert.ok(e instanceof SpeakerError);
        assert.equal(e.message, message);
        assert.ok(!e.message.includes('\n'));
        return true;
      });
    });
  }

  test("a face's own error class, through the factory", async () => {
    class UsageLike extends Error {}
    const client = new SpeakerClient(new FakeTransport(answers), { fail: (m) => new UsageLike(m) });
    await assert.rejects(client.lookup('bad'), UsageLike);
  });

  test('lookupAll answers every address; the first failure stops the workers', async () => {
    const ok = new FakeTransport(answers);
    const all = await new SpeakerClient(ok).lookupAll(['10.0.0.1', '192.0.2.1']);
    assert.deepEqual(
      [...all],
      [
        ['10.0.0.1', route],
        ['192.0.2.1', undefined],
      ],
    );

    const many = Array.from({ length: 200 }, () => '10.0.0.4');
    const failing = new FakeTransport(answers);
    await assert.rejects(new SpeakerClient(failing, { concurrency: 4 }).lookupAll(many), /ECONNREFUSED/);
    assert.ok(failing.asked.length <= 4, `asked ${failing.asked.length} times, one per worker at most`);
  });
});

describe('SpeakerClient over a recorded table', () => {
  test('no sessions, a prefix count, nothing to watch', async () => {
    const fake = new FakeTransport(answers);
    const recorded: RecordedTable = { prefixCount: async () => 42 };
    const transport = { label: fake.label, recorded, asked: fake.asked, get: (t: string) => fake.get(t) };
    const client = new SpeakerClient(transport);
    assert.equal(await client.peers(), undefined);
    assert.deepEqual(await client.summary(), { peers: undefined, prefixes: 42 });
    assert.equal(client.watch({ event: () => undefined }), undefined);
    assert.deepEqual(transport.asked, [], 'the table is not asked for peers');
    assert.equal(client.name, 'fake', 'a recorded table is named by its label');
  });
});

describe('SpeakerClient.watch', () => {
  test('events in order, reconnect with Last-Event-ID, stop on 404', async () => {
    const transport = new FakeTransport();
    transport.streams.push(
      [
        'event: hello\ndata: {"seq":0}\n\n',
        'id: 1\nevent: route\ndata: {"seq":1,"action":"added",',
        '"prefix":"10.0.0.0/24","peer":"p","pathId":0}\n\n',
      ],
      503,
      ['id: 2\nevent: resync\ndata: {"seq":2,"reason":"gone"}\n\n'],
      404,
    );
    const events: WatchEvent[] = [];
    const lost: string[] = [];
    let connected = 0;
    await new Promise<void>((resolve) => {
      new SpeakerClient(transport, { watch: { initialRetryMs: 1, maxRetryMs: 2 } }).watch({
        event: (e) => events.push(e),
        connected: () => connected++,
        lost: (m) => lost.push(m),
        unsupported: resolve,
      });
    });
    assert.deepEqual(
      events.map((e) => e.type),
      ['hello', 'route', 'resync'],
    );
    assert.deepEqual(transport.streamHeaders, [
      {},
      { 'last-event-id': '1' },
      { 'last-event-id': '1' },
      { 'last-event-id': '2' },
    ]);
    assert.equal(connected, 2);
    assert.deepEqual(lost, ['speaker fake answered 503 for the watch stream']);
  });

  test('close stops reconnecting', async () => {
    const transport = new FakeTransport();
    for (let i = 0; i < 1000; i++) transport.streams.push([]);
    const sub = new SpeakerClient(transport, { watch: { initialRetryMs: 5, maxRetryMs: 5 } }).watch({
      event: () => undefined,
    });
    assert.ok(sub);
    await new Promise((r) => setTimeout(r, 30));
    sub.close();
    const opened = transport.streamHeaders.length;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(transport.streamHeaders.length, opened);
    assert.ok(opened >= 1);
  });
});

test('routesWithinAll reads every page, passing each next as after', async () => {
  const r = (i: number): Route => ({ prefix: `10.0.${i}.0/24`, paths: [] });
  const transport = new FakeTransport(
    new Map<string, TransportReply>([
      [
        routesQuery({ within: '10.0.0.0/16', limit: 2 }),
        json({ routes: [r(0), r(1)], truncated: true, next: '10.0.1.0/24' }),
      ],
      [
        routesQuery({ within: '10.0.0.0/16', limit: 2, after: '10.0.1.0/24' }),
        json({ routes: [r(2), r(3)], truncated: true, next: '10.0.3.0/24' }),
      ],
      [routesQuery({ within: '10.0.0.0/16', limit: 2, after: '10.0.3.0/24' }), json({ routes: [r(4)] })],
    ]),
  );
  const client = new SpeakerClient(transport);
  const pages: string[][] = [];
  for await (const page of client.routesWithinAll('10.0.0.0/16', 2)) pages.push(page.map((x) => x.prefix));
  assert.deepEqual(pages, [['10.0.0.0/24', '10.0.1.0/24'], ['10.0.2.0/24', '10.0.3.0/24'], ['10.0.4.0/24']]);
  assert.equal(transport.asked.length, 3);
});
