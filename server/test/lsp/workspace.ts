import assert from 'node:assert/strict';
import { setImmediate } from 'node:timers/promises';
import {
  checkManifests,
  parseConfig,
  parseIpAddress,
  readManifestFile,
  routeTableOf,
  type IpAddress,
  type KubeRoutesConfig,
  type ManifestFile,
  type Route,
} from '../../src/engine';
import type { AddressOwner, FeatureContext, OpenDocument } from '../../src/lsp/features/context';
import { serviceLiterals } from '../../src/lsp/features/service-literals';
import { LiveRoutes } from '../../src/lsp/route-sources/live-routes';
import type { RouteSource } from '../../src/speaker-client';

// The language server's features over an in-memory workspace: documents and config as text,
// route state as a list of routes answered by a source in the same process. No server process.

export const regionsConfig = [
  'externalIPPools: [172.30.0.0/24]',
  'regions:',
  '  nyc3: {asns: [64512], clusterIPRanges: [172.25.0.0/20], externalIPPools: [172.30.14.0/24]}',
  '  sgp1: {asns: [64513], clusterIPRanges: [172.25.144.0/20], externalIPPools: [172.30.15.0/24]}',
  '',
].join('\n');

export function parseTestConfig(text: string): KubeRoutesConfig {
  const { config, errors } = parseConfig(text, 'kube-routes.yaml');
  assert.ok(config, JSON.stringify(errors));
  return config;
}

export { routePath as path } from '@kube-routes/test/support';

/** A route source answering from a fixed list of routes, by longest match, that cannot push. */
function listSource(routes: readonly Route[]): RouteSource {
  const table = routeTableOf(routes, 'test routes');
  const lookup = async (text: string) => {
    const address = parseIpAddress(text);
    return address && table.lookup(address);
  };
  return {
    label: 'test routes',
    name: 'test routes',
    lookup,
    lookupAll: async (texts) => new Map(await Promise.all(texts.map(async (t) => [t, await lookup(t)] as const))),
    routesExact: async (prefix) => routes.filter((r) => r.prefix === prefix),
    routesWithin: async () => ({ routes: [], truncated: false }),
    peers: async () => undefined,
    summary: async () => ({ peers: undefined, prefixes: routes.length }),
    watch: () => undefined,
  };
}

export interface TestWorkspace {
  readonly docs: readonly OpenDocument[];
  /** The features' view of one document, with its findings from a check of the whole workspace. */
  context(path: string): FeatureContext;
  doc(path: string): OpenDocument;
  dispose(): void;
}

const noEvents = {
  changed: () => undefined,
  outage: () => undefined,
  recovered: () => undefined,
  statusChanged: () => undefined,
};

/**
 * Documents (path -> text) checked together under one config. With routes, every address is
 * answered before this returns, as the server's route state is once the source has answered.
 */
export async function testWorkspace(
  files: Readonly<Record<string, string>>,
  configText: string,
  routes?: readonly Route[],
): Promise<TestWorkspace> {
  const config = parseTestConfig(configText);
  const docs: OpenDocument[] = Object.entries(files).map(([path, text]) => ({
    path,
    uri: `file:///ws/${path}`,
    text,
    manifest: readManifestFile({ path, text }),
  }));
  const manifests: ManifestFile[] = docs.map((d) => d.manifest);
  const live = routes
    ? new LiveRoutes(listSource(routes), noEvents, () => new Date('2026-01-01T00:01:00.000Z'))
    : undefined;
  if (live) {
    const wanted = manifests.flatMap((m) =>
      m.services.flatMap((s) =>
        serviceLiterals(s).flatMap((l) => {
          const address = parseIpAddress(l.literal.value);
          return address ? [{ key: address.key, text: l.literal.value }] : [];
        }),
      ),
    );
    live.want(wanted);
    for (let i = 0; i < 100 && !wanted.every((w) => live.known(w.key)); i++) await setImmediate();
    assert.ok(
      wanted.every((w) => live.known(w.key)),
      'the test route source answered every address',
    );
  }
  const { findings } = checkManifests(manifests, config, { routes: live?.table() });
  const owners = (address: IpAddress): AddressOwner[] =>
    docs.flatMap((d) =>
      d.manifest.services.flatMap((s) =>
        serviceLiterals(s)
          .filter((l) => parseIpAddress(l.literal.value)?.key === address.key)
          .map((use) => ({ file: d.path, use })),
      ),
    );
  const doc = (path: string): OpenDocument => {
    const found = docs.find((d) => d.path === path);
    assert.ok(found, path);
    return found;
  };
  return {
    docs,
    doc,
    context: (path) => ({
      config,
      routes: live,
      findings: findings.filter((f) => f.file === path),
      owners,
      inUse: (address) => owners(address).length > 0,
      display: (p) => p,
      uri: (p) => `file:///ws/${p}`,
      now: () => new Date('2026-01-01T00:01:00.000Z'),
    }),
    dispose: () => live?.dispose(),
  };
}

/** A Service manifest as YAML, one document. */
export function service(
  name: string,
  region: string | undefined,
  spec: Readonly<Record<string, string | readonly string[]>>,
  extra = '',
): string {
  const lines = ['apiVersion: v1', 'kind: Service', 'metadata:', `  name: ${name}`, '  namespace: shop'];
  if (region) lines.push('  labels:', `    region: ${region}`);
  lines.push('spec:');
  for (const [key, value] of Object.entries(spec))
    lines.push(typeof value === 'string' ? `  ${key}: ${value}` : `  ${key}: [${value.join(', ')}]`);
  return `${lines.join('\n')}\n${extra}`;
}
