import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCidr, parseIpAddress, type LookupResult, type Route } from '@kube-routes/server/engine';
import { clusterService } from '@kube-routes/server/kube';
import {
  answerApiRequest,
  isApiRequestError,
  parseApiRequest,
  type RouteStateSource,
} from '@kube-routes/server/speaker-api';
import { routePath } from '@kube-routes/test/support';
import type { CliIO } from '../src/cli/io';
import type { LiveFlags } from '../src/live/flags';
import { LiveRun } from '../src/live/live-run';
import { speakerClient } from '../src/live/open-route-source';
import { resolveRoutes } from '../src/live/route-lookup';
import { watchServices } from '../src/live/watch';

// `kubectl routes -w` in process against a speaker that pushes (/v1/watch) and one that cannot:
// a route change reaches the rows through the stream, and polling is only the fallback.

const route = (prefix: string, asn: number): Route => ({
  prefix,
  paths: [routePath(asn, { peer: '192.0.2.1', nextHop: '192.0.2.1' })],
});

/** A speaker's JSON API over a route list the test changes, with or without a watch stream. */
class TestSpeaker {
  routes: Route[] = [];
  readonly watchers: ServerResponse[] = [];
  readonly asked: string[] = [];
  private seq = 0;
  private server: Server | undefined;

  constructor(private readonly pushes: boolean) {}

  private readonly source: RouteStateSource = {
    peers: () => [],
    lookup: (ip): LookupResult | undefined => {
      const a = parseIpAddress(ip);
      if (!a) return undefined;
      const covering = this.routes
        .map((r) => ({ r, c: parseCidr(r.prefix) }))
        .filter(
          ({ c }) => 'range' in c && c.range.family === a.family && c.range.first <= a.value && a.value <= c.range.last,
        )
        .sort((x, y) => Number(y.r.prefix.split('/')[1]) - Number(x.r.prefix.split('/')[1]));
      return { ip, route: covering[0]?.r };
    },
    routesExact: (prefix) =>
      'range' in parseCidr(prefix) ? this.routes.filter((r) => r.prefix === prefix) : undefined,
    routesWithin: (prefix, limit) => {
      const w = parseCidr(prefix);
      if (!('range' in w)) return undefined;
      const inside = this.routes.filter((r) => {
        const c = parseCidr(r.prefix);
        return (
          'range' in c &&
          c.range.family === w.range.family &&
          c.range.first >= w.range.first &&
          c.range.last <= w.range.last
        );
      });
      return { routes: inside.slice(0, limit), truncated: inside.length > limit };
    },
  };

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const request = parseApiRequest(req.method ?? 'GET', req.url ?? '/');
      this.asked.push(isApiRequestError(request) ? 'error' : request.endpoint);
      if (this.pushes && !isApiRequestError(request) && request.endpoint === 'watch') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`event: hello\ndata: {"seq":${this.seq}}\n\n`);
        this.watchers.push(res);
        return;
      }
      const reply = answerApiRequest(this.source, req.method ?? 'GET', req.url ?? '/');
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Changes the routes, and tells the watchers as the speaker does. */
  announce(r: Route): void {
    this.routes = [...this.routes, r];
    this.seq++;
    for (const w of this.watchers)
      w.write(
        `id: ${this.seq}\nevent: route\ndata: ${JSON.stringify({ seq: this.seq, action: 'added', prefix: r.prefix, peer: '192.0.2.1', pathId: 0 })}\n\n`,
      );
  }

  stop(): void {
    for (const w of this.watchers) w.end();
    this.server?.closeAllConnections();
    this.server?.close();
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('kubectl routes -w and the speaker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-routes-plugin-watch-'));
  const config = join(dir, 'kube-routes.yaml');
  before(() =>
    writeFileSync(
      config,
      'regions:\n  nyc3:\n    asns: [64512]\n    clusterIPRanges: [172.25.0.0/20]\n    contexts: [nyc3-prod]\n',
    ),
  );
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs -w over one Service until the row shows `announced`; returns what was printed and asked. */
  async function watchUntilAnnounced(
    pushes: boolean,
    watchInterval: number,
  ): Promise<{ stdout: string; stderr: string; code: number; asked: readonly string[] }> {
    const speaker = new TestSpeaker(pushes);
    const url = await speaker.start();
    let stdout = '';
    let stderr = '';
    const io: CliIO = {
      cwd: dir,
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      readStdin: async () => new Uint8Array(),
      color: false,
      tty: false,
    };
    const flags: LiveFlags = { context: [], config, watch: true, watchInterval, speaker: url };
    const run = LiveRun.open(flags, io);
    const source = speakerClient(url);
    const services = [
      clusterService('nyc3-prod', {
        metadata: { name: 'web', namespace: 'shop', resourceVersion: '1' },
        spec: { clusterIP: '172.25.1.5' },
      }),
    ];
    const answers = await resolveRoutes(source, ['172.25.1.5'], run.zones());
    const stop = new AbortController();
    const done = watchServices(
      run,
      [],
      { namespace: undefined, allNamespaces: true, selector: undefined, names: [] },
      source,
      { services, versions: new Map([['nyc3-prod', '1']]), answers },
      stop.signal,
    );
    let failure: unknown;
    try {
      if (pushes) await until('kubectl to follow /v1/watch', () => speaker.watchers.length > 0);
      else await new Promise((r) => setTimeout(r, 50));
      speaker.announce(route('172.25.1.0/24', 64512));
      await until('the row to show the route', () =>
        /^shop +web +nyc3 +172\.25\.1\.5 +<none> +announced +1 +64512$/m.test(stdout),
      );
    } catch (e) {
      failure = e;
    }
    stop.abort();
    const code = await done;
    speaker.stop();
    if (failure !== undefined) throw failure;
    return { stdout, stderr, code, asked: speaker.asked };
  }

  test('a route change arrives through /v1/watch, without polling', async () => {
    // An hour between polls: only the stream can bring the change in time.
    const { stdout, stderr, code, asked } = await watchUntilAnnounced(true, 3_600_000);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(stdout.split('\n').filter((l) => l.includes('shop')).length, 1, 'one changed row printed');
    assert.ok(asked.includes('watch'));
  });

  test('a speaker without /v1/watch is polled every --watch-interval', async () => {
    const { stderr, code, asked } = await watchUntilAnnounced(false, 100);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.ok(asked.filter((a) => a === 'watch').length === 1, 'asked for the stream once (404), then polled');
  });
});
