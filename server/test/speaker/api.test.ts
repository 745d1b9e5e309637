import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import type { LookupResult, PeerStatus, Route } from '../../src/engine';
import { defaultRouteLimit, handleApiRequest, startApiServer, type RouteStateSource } from '../../src/speaker/api';

// The read-only HTTP API as a pure function over a fake RouteStateSource, plus one real server
// on an ephemeral loopback port for what only the wire shows (headers, HEAD, 500).

const route: Route = {
  prefix: '10.0.0.0/24',
  paths: [
    {
      peer: '192.0.2.1',
      pathId: 0,
      nextHop: '192.0.2.1',
      asPath: [65001],
      originAs: 65001,
      origin: 'igp',
      med: undefined,
      localPref: undefined,
      communities: ['65001:1'],
      largeCommunities: [],
      extendedCommunities: [],
      stale: false,
      receivedAt: '2026-01-01T00:00:00.000Z',
    },
  ],
};
const peer: PeerStatus = {
  address: '192.0.2.1',
  asn: 65001,
  description: 'edge',
  source: 'bgp',
  state: 'Established',
  uptimeSeconds: 5,
  received: { 'ipv4-unicast': 1 },
  capabilities: ['4-octet-as'],
  lastError: undefined,
};

/** A source that answers from the fixture and records how it was asked. */
function fakeSource(): RouteStateSource & { calls: string[] } {
  const calls: string[] = [];
  const isPrefix = (p: string) => /^[\d.]+\/\d+$|^[\da-f:]+\/\d+$/i.test(p);
  return {
    calls,
    peers: () => {
      calls.push('peers');
      return [peer];
    },
    lookup(ip): LookupResult | undefined {
      calls.push(`lookup ${ip}`);
      if (!/^[\d.]+$|^[\da-f:]+$/i.test(ip)) return undefined;
      return { ip, route: ip.startsWith('10.0.0.') ? route : undefined };
    },
    routesExact(prefix) {
      calls.push(`exact ${prefix}`);
      if (!isPrefix(prefix)) return undefined;
      return prefix === route.prefix ? [route] : [];
    },
    routesWithin(prefix, limit) {
      calls.push(`within ${prefix} ${limit}`);
      if (!isPrefix(prefix)) return undefined;
      return { routes: [route].slice(0, limit), truncated: false };
    },
  };
}

const get = (url: string, method = 'GET') => {
  const source = fakeSource();
  return { ...handleApiRequest(source, method, url), calls: source.calls };
};

const errorOf = (body: unknown) => (body as { error: string }).error;

describe('handleApiRequest', () => {
  test('/healthz', () => {
    assert.deepEqual(get('/healthz'), { status: 200, body: { status: 'ok' }, calls: [] });
  });

  test("/v1/peers lists the source's peers", () => {
    assert.deepEqual(get('/v1/peers'), { status: 200, body: { peers: [peer] }, calls: ['peers'] });
  });

  test('/v1/lookup?ip= returns the longest match, or route undefined', () => {
    assert.deepEqual(get('/v1/lookup?ip=10.0.0.9'), {
      status: 200,
      body: { ip: '10.0.0.9', route },
      calls: ['lookup 10.0.0.9'],
    });
    assert.deepEqual(get('/v1/lookup?ip=172.16.0.1').body, { ip: '172.16.0.1', route: undefined });
    assert.equal(
      get('/v1/lookup?ip=2001%3Adb8%3A%3A1').calls[0],
      'lookup 2001:db8::1',
      'query parameters are URL-decoded',
    );
  });

  test('/v1/lookup without ip, or with an empty one: 400 with an example', () => {
    for (const url of ['/v1/lookup', '/v1/lookup?ip=', '/v1/lookup?address=10.0.0.1']) {
      const reply = get(url);
      assert.equal(reply.status, 400, url);
      assert.equal(errorOf(reply.body), 'missing query parameter "ip", e.g. /v1/lookup?ip=172.30.0.10');
      assert.deepEqual(reply.calls, [], 'the source is not asked');
    }
  });

  test('/v1/lookup with something that is not an address: 400 naming it', () => {
    const reply = get('/v1/lookup?ip=not-an-ip');
    assert.equal(reply.status, 400);
    assert.equal(errorOf(reply.body), '"not-an-ip" is not an IP address');
  });

  test('/v1/routes?prefix= is an exact match', () => {
    assert.deepEqual(get('/v1/routes?prefix=10.0.0.0/24'), {
      status: 200,
      body: { routes: [route] },
      calls: ['exact 10.0.0.0/24'],
    });
    assert.deepEqual(get('/v1/routes?prefix=10.9.0.0/24').body, { routes: [] });
  });

  test('/v1/routes?within= passes the default limit, or the one given', () => {
    assert.deepEqual(get('/v1/routes?within=10.0.0.0/8'), {
      status: 200,
      body: { routes: [route], truncated: false },
      calls: [`within 10.0.0.0/8 ${defaultRouteLimit}`],
    });
    assert.deepEqual(get('/v1/routes?within=10.0.0.0/8&limit=1').calls, ['within 10.0.0.0/8 1']);
    assert.equal(defaultRouteLimit, 10_000);
  });

  test('/v1/routes needs exactly one of prefix and within', () => {
    for (const url of ['/v1/routes', '/v1/routes?prefix=10.0.0.0/24&within=10.0.0.0/8', '/v1/routes?limit=5']) {
      const reply = get(url);
      assert.equal(reply.status, 400, url);
      assert.match(errorOf(reply.body), /^pass exactly one of "prefix" \(exact match\) or "within"/);
      assert.deepEqual(reply.calls, []);
    }
  });

  test('/v1/routes with a malformed prefix: 400 naming it', () => {
    const exact = get('/v1/routes?prefix=banana');
    assert.equal(exact.status, 400);
    assert.equal(errorOf(exact.body), '"banana" is not a prefix like 10.0.0.0/24');
    const within = get('/v1/routes?within=10.0.0.0');
    assert.equal(within.status, 400);
    assert.equal(errorOf(within.body), '"10.0.0.0" is not a prefix like 10.0.0.0/8');
  });

  test('/v1/routes with a bad limit: 400, the source is not asked', () => {
    for (const limit of ['0', '-1', '1.5', 'ten', '', '1e400']) {
      const reply = get(`/v1/routes?within=10.0.0.0/8&limit=${limit}`);
      assert.equal(reply.status, 400, `limit=${limit}`);
      assert.equal(errorOf(reply.body), '"limit" must be a positive integer');
      assert.deepEqual(reply.calls, []);
    }
  });

  test('unknown paths: 404 listing the endpoints', () => {
    for (const url of ['/', '/v1', '/v1/peer', '/v2/peers', '/healthz/extra']) {
      const reply = get(url);
      assert.equal(reply.status, 404, url);
      assert.match(
        errorOf(reply.body),
        /^no such endpoint .*; see \/v1\/peers, \/v1\/lookup, \/v1\/routes, \/v1\/watch, \/v1\/snapshot, \/metrics, \/healthz$/,
      );
    }
  });

  test('methods other than GET and HEAD: 405, read-only', () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const reply = get('/v1/peers', method);
      assert.equal(reply.status, 405, method);
      assert.equal(errorOf(reply.body), `${method} is not allowed: the API is read-only`);
      assert.deepEqual(reply.calls, []);
    }
    assert.equal(get('/v1/peers', 'HEAD').status, 200);
  });
});

describe('startApiServer', () => {
  let throwing = false;
  const source = fakeSource();
  const server = startApiServer(
    {
      ...source,
      peers: () =>
        throwing
          ? (() => {
              throw new Error('boom');
            })()
          : source.peers(),
    },
    '127.0.0.1',
    0,
  );
  after(async () => (await server).close());

  const call = async (path: string, method = 'GET') => {
    const port = ((await server).address() as AddressInfo).port;
    return new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
      });
      req.on('error', reject);
      req.end();
    });
  };

  test('answers JSON, one document per line', async () => {
    const reply = await call('/v1/peers');
    assert.equal(reply.status, 200);
    assert.equal(reply.type, 'application/json');
    assert.ok(reply.body.endsWith('}\n'));
    assert.deepEqual(
      JSON.parse(reply.body),
      JSON.parse(JSON.stringify({ peers: [peer] })),
      'undefined fields are left out',
    );
  });

  test('HEAD has the status and no body', async () => {
    const reply = await call('/v1/lookup?ip=10.0.0.1', 'HEAD');
    assert.equal(reply.status, 200);
    assert.equal(reply.body, '');
  });

  test('errors keep their status on the wire', async () => {
    assert.equal((await call('/nope')).status, 404);
    assert.equal((await call('/v1/peers', 'POST')).status, 405);
    assert.equal((await call('/v1/lookup')).status, 400);
  });

  test('a source that throws gives 500 with the message, and the server keeps serving', async () => {
    throwing = true;
    const reply = await call('/v1/peers');
    throwing = false;
    assert.equal(reply.status, 500);
    assert.deepEqual(JSON.parse(reply.body), { error: 'internal error: boom' });
    assert.equal((await call('/healthz')).status, 200);
  });
});

describe('startApiServer streams `within` answers', () => {
  // Routes with 16,000 communities each (a 64 KB attribute set), as a hostile peer may send.
  const communities = Array.from({ length: 16_000 }, (_, i) => `65001:${i}`);
  const big = (i: number): Route => ({
    prefix: `10.${i >> 8}.${i & 255}.0/24`,
    paths: [{ ...route.paths[0]!, communities }],
  });
  const total = 3_000;
  const order = (p: string) => Number(p.split('.')[1]) * 256 + Number(p.split('.')[2]);
  const asks: { limit: number; ticks: number }[] = [];
  let ticks = 0;
  let throwAt = -1;
  const source: RouteStateSource = {
    ...fakeSource(),
    routesWithin(prefix, limit, afterPrefix) {
      if (prefix !== '0.0.0.0/0') return undefined;
      asks.push({ limit, ticks });
      const from = afterPrefix === undefined ? 0 : order(afterPrefix) + 1;
      if (throwAt >= 0 && from >= throwAt) throw new Error('the RIB broke');
      const routes = Array.from({ length: Math.max(0, Math.min(limit, total - from)) }, (_, k) => big(from + k));
      return { routes, truncated: from + limit < total };
    },
  };
  const server = startApiServer(source, '127.0.0.1', 0);
  after(async () => (await server).close());

  /** Reads up to `stopAfter` bytes of the answer, then hangs up. */
  const read = async (path: string, stopAfter = Infinity) => {
    const port = ((await server).address() as AddressInfo).port;
    return new Promise<{ status: number; bytes: number; text: string; complete: boolean }>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path }, (res) => {
        let bytes = 0;
        const keep: string[] = [];
        res.on('data', (d: Buffer) => {
          bytes += d.length;
          if (stopAfter === Infinity) keep.push(d.toString('utf8'));
          if (bytes >= stopAfter) {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, bytes, text: '', complete: false });
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, text: keep.join(''), complete: true }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, bytes, text: '', complete: false }));
      });
      req.on('error', () => resolve({ status: 0, bytes: 0, text: '', complete: false }));
      req.end();
    });
  };

  test('a huge answer is produced a page at a time, only as fast as the client reads, yielding in between', async () => {
    asks.length = 0;
    const spin = setInterval(() => ticks++, 0);
    const reply = await read('/v1/routes?within=0.0.0.0/0&limit=3000', 16 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 50));
    clearInterval(spin);
    assert.equal(reply.status, 200);
    assert.ok(
      asks.every((a) => a.limit <= 64),
      'at most 64 routes a step',
    );
    const routesRead = asks.reduce((n, a) => n + a.limit, 0);
    assert.ok(routesRead < 150, `${routesRead} routes produced for a client that read ${reply.bytes} bytes`);
    assert.ok(asks.length > 1 && asks.at(-1)!.ticks > asks[0]!.ticks, 'timers ran between pages');
  });

  test('a complete paged answer parses, with the cursor of the next page', async () => {
    const reply = await read('/v1/routes?within=0.0.0.0/0&limit=70');
    assert.equal(reply.complete, true);
    const body = JSON.parse(reply.text) as { routes: Route[]; truncated: boolean; next: string };
    assert.equal(body.routes.length, 70);
    assert.equal(body.truncated, true);
    assert.equal(body.next, '10.0.69.0/24');
    assert.equal(body.routes[69]!.paths[0]!.communities.length, 16_000);
  });

  test('a source that throws mid-answer cuts that connection only; the server keeps serving', async () => {
    throwAt = 100;
    const reply = await read('/v1/routes?within=0.0.0.0/0&limit=3000');
    throwAt = -1;
    assert.equal(reply.status, 200);
    assert.equal(reply.complete, false, 'an incomplete answer, never a truncated one that parses');
    assert.equal((await read('/healthz')).status, 200);
  });
});
