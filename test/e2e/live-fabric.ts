import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Bird,
  freePort,
  runCliAsync,
  SpeakerProcess,
  serviceCidr,
  startCli,
  startFleet,
  waitFor,
  writeKubeconfig,
  type AsyncRunOptions,
  type CliRun,
  type Fleet,
  type RunningCli,
  type StaticRoute,
} from '@kube-routes/test/support';

// The fabric the `kubectl routes` tests run against: three regions, each a Kubernetes API test
// cluster (nyc3-prod, sgp1-prod, fra1-prod) and a real BIRD router originating the region's
// routes with the region's ASN, all feeding one real kube-routes-speaker. Planted on purpose:
//
//  - 172.25.0.20 (payments/ledger, nyc3) is also announced by sgp1's AS 64513: wrong origin;
//  - 172.25.1.5 is the cluster IP of shop/cart in nyc3 and of billing/invoices in fra1, whose
//    second ServiceCIDR "migrated" (172.25.1.0/24) lies outside fra1's range; nothing routes it;
//  - 172.25.7.0/24 is announced by nyc3 but no Service uses it;
//  - 172.30.0.10 is anycast: shop/web in nyc3 and sgp1, announced from both.
// fra1 announces only an aggregate (172.25.32.0/19) covering its whole range, and restarts
// gracefully (its routes go stale when it dies).
//
// The kubeconfig also holds broken contexts: lab-gone (nothing listens), nyc3-expired (a token
// the server does not know: 401), sgp1-restricted (a user who may only read namespace shop: 403).

export type Region = 'nyc3' | 'sgp1' | 'fra1';

export const regionAsn: Record<Region, number> = { nyc3: 64512, sgp1: 64513, fra1: 64514 };

export const birdRoutes: Record<Region, StaticRoute[]> = {
  nyc3: [
    { prefix: '172.25.0.0/24', communities: ['64512:100'] },
    { prefix: '172.30.0.10/32', communities: ['64512:300'], largeCommunities: ['64512:1:2'] },
    { prefix: '172.25.7.0/24' },
  ],
  sgp1: [
    { prefix: '172.25.144.0/24', communities: ['64513:100'] },
    { prefix: '172.30.0.10/32', communities: ['64513:300'] },
    { prefix: '172.25.0.20/32' },
  ],
  fra1: [{ prefix: '172.25.32.0/19', communities: ['64514:100'] }],
};

export interface LiveFabric {
  readonly dir: string;
  readonly fleet: Fleet;
  readonly speaker: SpeakerProcess;
  readonly birds: Record<Region, Bird>;
  readonly env: Record<string, string>;
  /** Runs `kubectl routes ARGS` through kubectl's plugin discovery, in the fabric's folder. */
  routes(args: readonly string[], options?: AsyncRunOptions): Promise<CliRun>;
  startRoutes(args: readonly string[], options?: AsyncRunOptions): RunningCli;
  /** Replaces a router's routes (BIRD reconfigures without dropping the session). */
  setRoutes(region: Region, routes: readonly StaticRoute[]): Promise<void>;
  stop(): Promise<void>;
}

/** base: a loopback /24 of this test file only, e.g. "127.0.9" (speaker .1, routers .2-.4). */
export async function startLiveFabric(dir: string, base: string): Promise<LiveFabric> {
  const fleet = await startFleet(dir, [
    { context: 'nyc3-prod', serviceCidr: '172.25.0.0/20' },
    {
      context: 'sgp1-prod',
      serviceCidr: '172.25.144.0/20',
      users: {
        'shop-only': {
          name: 'bob',
          rules: [{ verbs: ['get', 'list', 'watch'], resources: ['services'], namespaces: ['shop'] }],
        },
      },
    },
    { context: 'fra1-prod', serviceCidr: '172.25.32.0/20' },
  ]);
  const nyc3 = fleet.cluster('nyc3-prod');
  const sgp1 = fleet.cluster('sgp1-prod');
  const fra1 = fleet.cluster('fra1-prod');
  nyc3.addService({
    name: 'web',
    namespace: 'shop',
    labels: { app: 'web' },
    clusterIP: '172.25.0.10',
    externalIPs: ['172.30.0.10'],
    ports: [{ port: 80 }, { port: 443 }],
  });
  nyc3.addService({ name: 'ledger', namespace: 'payments', clusterIP: '172.25.0.20' });
  nyc3.addService({ name: 'cart', namespace: 'shop', clusterIP: '172.25.1.5' });
  nyc3.addService({
    name: 'speaker',
    namespace: 'kube-routes',
    clusterIP: '172.25.0.53',
    ports: [{ port: 8179, name: 'api' }],
  });
  sgp1.addService({
    name: 'web',
    namespace: 'shop',
    labels: { app: 'web' },
    type: 'LoadBalancer',
    loadBalancerIngress: ['172.30.0.10'],
  });
  fra1.put('servicecidrs', serviceCidr('migrated', ['172.25.1.0/24']));
  fra1.addService({ name: 'api', namespace: 'payments', clusterIP: '172.25.32.7' });
  fra1.addService({ name: 'invoices', namespace: 'billing', clusterIP: '172.25.1.5' });

  const addresses: Record<Region, string> = { nyc3: `${base}.2`, sgp1: `${base}.3`, fra1: `${base}.4` };
  const speaker = new SpeakerProcess({
    dir: join(dir, 'speaker'),
    address: `${base}.1`,
    peers: (Object.keys(addresses) as Region[]).map((r) => ({
      address: addresses[r],
      asn: regionAsn[r],
      description: `${r} router`,
    })),
  });
  speaker.port = await freePort(`${base}.1`);
  const nextHops: Record<Region, string> = { nyc3: '10.1.0.11', sgp1: '10.2.0.11', fra1: '10.3.0.11' };
  const birds = {} as Record<Region, Bird>;
  for (const r of Object.keys(addresses) as Region[]) {
    const port = await freePort(addresses[r]);
    birds[r] = new Bird(
      {
        dir: join(dir, `bird-${r}`),
        address: addresses[r],
        port,
        asn: regionAsn[r],
        routerId: addresses[r],
        neighbors: [
          {
            name: 'speaker',
            address: `${base}.1`,
            get port() {
              return speaker.port;
            },
            asn: 65000,
            gracefulRestart: r === 'fra1',
            restartTime: 300,
          },
        ],
      },
      { ipv4: birdRoutes[r], nextHop4: nextHops[r] },
    );
  }
  await speaker.start();
  for (const bird of Object.values(birds)) bird.start();
  for (const r of Object.keys(addresses) as Region[]) await speaker.waitForPeer(addresses[r]);
  for (const r of Object.keys(birdRoutes) as Region[])
    for (const route of birdRoutes[r])
      await speaker.waitForRoute(route.prefix, (x) => x.paths.some((p) => p.peer === addresses[r]));
  nyc3.setServiceProxy('kube-routes', 'speaker', 8179, `http://${base}.1:${speaker.apiPort}`);

  writeFileSync(
    join(dir, 'kube-routes.yaml'),
    `# the regions of the test fabric
externalIPPools: [172.30.0.0/24]
regions:
  nyc3: {asns: [64512], clusterIPRanges: [172.25.0.0/20], externalIPPools: [172.30.14.0/24], contexts: [nyc3-prod]}
  sgp1: {asns: [64513], clusterIPRanges: [172.25.144.0/20], contexts: [sgp1-prod]}
  fra1: {asns: [64514], clusterIPRanges: [172.25.32.0/20], contexts: [fra1-prod]}
speaker: {asn: 65000, routerId: 10.0.0.1, api: "${base}.1:${speaker.apiPort}"}
`,
  );
  const gonePort = await freePort();
  const entry = (context: string, server: string, token = 'test-token') => ({
    context,
    server,
    caCert: (context.startsWith('lab') ? nyc3 : fleet.cluster(`${context.split('-')[0]}-prod`)).tls.caCert,
    token,
  });
  writeKubeconfig(
    fleet.kubeconfig,
    [
      entry('nyc3-prod', nyc3.url),
      entry('sgp1-prod', sgp1.url),
      entry('fra1-prod', fra1.url),
      entry('lab-gone', `https://127.0.0.1:${gonePort}`),
      entry('nyc3-expired', nyc3.url, 'expired-token'),
      entry('sgp1-restricted', sgp1.url, 'shop-only'),
    ],
    'nyc3-prod',
  );

  const env = { ...fleet.env };
  const options = (o: AsyncRunOptions = {}): AsyncRunOptions => ({ cwd: dir, ...o, env: { ...env, ...o.env } });
  return {
    dir,
    fleet,
    speaker,
    birds,
    env,
    routes: (args, o) => runCliAsync('kubectl', ['routes', ...args], options(o)),
    startRoutes: (args, o) => startCli('kubectl', ['routes', ...args], options(o)),
    async setRoutes(region, routes) {
      const bird = birds[region];
      const next = new Bird(bird.spec, { ipv4: routes, nextHop4: nextHops[region] });
      writeFileSync(join(bird.spec.dir, 'bird.conf'), next.config());
      await waitFor(`BIRD ${region} to reconfigure`, () =>
        /Reconfigur/.test(bird.birdc('configure')) ? true : undefined,
      );
    },
    async stop() {
      await Promise.all(Object.values(birds).map((b) => b.stop()));
      await speaker.stop();
      await fleet.stop();
    },
  };
}

/**
 * Replaces the cells of time columns (AGE, UPTIME) with "<AGE>" and re-aligns the table as
 * kubectl would (padding 3, minimum width 6), so a snapshot does not depend on the clock.
 * Several tables separated by blank lines are handled one by one.
 */
export function normalizeTable(text: string, columns: readonly string[]): string {
  return text
    .split('\n\n')
    .map((block) => {
      const trailing = block.endsWith('\n');
      const lines = (trailing ? block.slice(0, -1) : block).split('\n');
      const header = lines[0] ?? '';
      const names = header.split(/\s+/).filter((n) => n !== '');
      if (!columns.some((c) => names.includes(c))) return block;
      const starts: number[] = [];
      let pos = 0;
      for (const n of names) {
        pos = header.indexOf(n, pos);
        starts.push(pos);
        pos += n.length;
      }
      const rows = lines.map((l, r) =>
        starts.map((s, i) => {
          const cell = l.slice(s, starts[i + 1]).trim();
          return r > 0 && columns.includes(names[i] ?? '') && /^\d+[smhdy]/.test(cell) ? `<${names[i]}>` : cell;
        }),
      );
      const widths = names.map((_, i) => Math.max(6, ...rows.map((row) => (row[i] ?? '').length + 3)));
      const out = rows
        .map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join(''))
        .join('\n');
      return trailing ? `${out}\n` : out;
    })
    .join('\n\n');
}
