import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { LookupResult, PeerStatus, Route } from '../../src/engine';
import type { RouteStateSource, WatchEvent } from '../../src/speaker-api';
import { SpeakerClient, SpeakerError, httpTransport, parseSpeakerUrl } from '../../src/speaker-client';
import { startApiServer } from '../../src/speaker/api';
import { WatchHub } from '../../src/speaker/watch';

// The client over HTTP against the speaker's own API server, in process (no daemon): the server
// and the client read the same declaration, so this is the wire between them.

const route: Route = { prefix: '10.1.0.0/16', paths: [] };
const peer = JSON.parse(
  JSON.stringify({
    address: '192.0.2.1',
    asn: 65001,
    source: 'bgp',
    state: 'Established',
    uptimeSeconds: 2,
    received: { 'ipv4-unicast': 1 },
    capabilities: [],
  }),
) as PeerStatus;
const source: RouteStateSource = {
  peers: () => [peer],
  lookup: (ip): LookupResult | undefined =>
    ip.startsWith('10.1.') ? { ip, route } : /^[\d.]+$/.test(ip) ? { ip, route: undefined } : undefined,
  routesExact: (p) => (p === route.prefix ? [route] : p.includes('/') ? [] : undefined),
  routesWithin: (p, limit) => (p.includes('/') ? { routes: [route].slice(0, limit), truncated: false } : undefined),
};

describe("SpeakerClient over HTTP, against the speaker's server", () => {
  const hub = new WatchHub({ capacity: 16, heartbeatMs: 60_000 });
  let server: Server;
  let client: SpeakerClient;
  before(async () => {
    server = await startApiServer(source, '127.0.0.1', 0, { watch: hub });
    const parsed = parseSpeakerUrl(`127.0.0.1:${(server.address() as AddressInfo).port}`);
    assert.ok('url' in parsed);
    client = new SpeakerClient(httpTransport(parsed.url), { watch: { initialRetryMs: 10 } });
  });
  after(() => {
    hub.close();
    server.closeAllConnections();
    server.close();
  });

  test('every JSON endpoint', async () => {
    assert.deepEqual(await client.lookup('10.1.2.3'), route);
    assert.equal(await client.lookup('192.0.2.9'), undefined);
    assert.deepEqual(await client.routesExact('10.1.0.0/16'), [route]);
    assert.deepEqual(await client.routesWithin('10.0.0.0/8', 5), { routes: [route], truncated: false });
    assert.deepEqual(await client.peers(), [peer]);
    assert.deepEqual(await client.summary(), { peers: [peer], prefixes: 1 });
  });

  test("the server's 400 comes back as one line", async () => {
    await assert.rejects(
      client.lookup('nope'),
      (e: Error) =>
        e instanceof SpeakerError &&
        /^speaker http:\/\/127\.0\.0\.1:\d+ answered 400 for \/v1\/lookup: "nope" is not an IP address$/.test(
          e.message,
        ),
    );
  });

  test('watch: what the speaker publishes reaches the client, typed', async () => {
    const events: WatchEvent[] = [];
    let subscription: { close(): void } | undefined;
    await new Promise<void>((resolve) => {
      subscription = client.watch({
        connected: () => {
          // Publish once the stream is open; "hello" comes first.
          setTimeout(() => {
            hub.publish('route', () => ({ action: 'added', prefix: '10.1.0.0/16', peer: '192.0.2.1', pathId: 0 }));
            hub.publish('routes', () => ({ action: 'removed', peer: '192.0.2.1', paths: 1 }));
          }, 20);
        },
        event: (e) => {
          events.push(e);
          if (e.type === 'routes') resolve();
        },
      });
    });
    subscription?.close();
    assert.deepEqual(
      events.map((e) => e.type),
      ['hello', 'route', 'routes'],
    );
    assert.deepEqual(events[1], {
      type: 'route',
      seq: 1,
      action: 'added',
      prefix: '10.1.0.0/16',
      peer: '192.0.2.1',
      pathId: 0,
    });
  });
});

describe('HTTP transport failures', () => {
  test('a speaker that is not there: one line with the cause and the hint', async () => {
    const server = await startApiServer(source, '127.0.0.1', 0);
    const port = (server.address() as AddressInfo).port;
    server.close();
    const client = new SpeakerClient(httpTransport(new URL(`http://127.0.0.1:${port}`), { hint: 'is it running?' }));
    await assert.rejects(client.peers(), {
      message: `cannot reach speaker http://127.0.0.1:${port}: ECONNREFUSED; is it running?`,
    });
  });

  test('URLs: host:port means http; other schemes and garbage are refused as data', () => {
    const ok = parseSpeakerUrl('127.0.0.1:8179');
    assert.ok('url' in ok && ok.url.href === 'http://127.0.0.1:8179/');
    assert.deepEqual(parseSpeakerUrl('ftp://x'), { problem: 'scheme' });
    assert.deepEqual(parseSpeakerUrl('http://'), { problem: 'malformed' });
  });
});

test('an endless reply is refused at maxReplyBytes, not buffered', async () => {
  const { createServer } = await import('node:http');
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let written = 0;
  const endless = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const pump = () => {
      while (written < 64 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
      if (written < 64 * 1024 * 1024) res.once('drain', pump);
      else res.end();
    };
    res.on('error', () => undefined);
    pump();
  });
  await new Promise<void>((r) => endless.listen(0, '127.0.0.1', r));
  try {
    const url = new URL(`http://127.0.0.1:${(endless.address() as AddressInfo).port}`);
    const client = new SpeakerClient(httpTransport(url, { maxReplyBytes: 1024 * 1024 }));
    await assert.rejects(client.peers(), (e: Error) => {
      assert.ok(e instanceof SpeakerError);
      assert.match(
        e.message,
        /^speaker http:\/\/127\.0\.0\.1:\d+ sent more than 1 MiB for \/v1\/peers; not read further$/,
      );
      return true;
    });
    assert.ok(written < 16 * 1024 * 1024, `the server got to write ${written} bytes`);
  } finally {
    endless.closeAllConnections();
    endless.close();
  }
});
