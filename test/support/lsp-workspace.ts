import { LspClient, type LspClientOptions } from './lsp-client';
import { tempDir, writeTree } from './temp';
import assert from 'node:assert/strict';
import { after } from 'node:test';

// Fixture workspaces for the language server tests: the rules-doc regions, Service manifests
// written from a few fields, and a client that is shut down when the test file ends.

export const lspConfigYaml = `externalIPPools: [172.30.0.0/24]
regions:
  nyc3:
    asns: [64512]
    clusterIPRanges: [172.25.0.0/20, fd00:25::/108]
    externalIPPools: [172.30.14.0/24]
  sgp1:
    asns: [64513]
    clusterIPRanges: [172.25.144.0/20]
    externalIPPools: [172.30.15.0/24]
`;

export interface ServiceSpec {
  readonly name: string;
  readonly namespace?: string;
  /** Omitted: no labels at all. */
  readonly region?: string;
  readonly clusterIP?: string;
  readonly externalIPs?: readonly string[];
}

/** A Service manifest in block style; line numbers are predictable (clusterIP on line 8 when labelled). */
export function serviceYaml(s: ServiceSpec): string {
  const lines = [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${s.name}`,
    `  namespace: ${s.namespace ?? 'shop'}`,
  ];
  if (s.region !== undefined) lines.push('  labels:', `    region: ${s.region}`);
  lines.push('spec:');
  if (s.clusterIP !== undefined) lines.push(`  clusterIP: ${s.clusterIP}`);
  if (s.externalIPs && s.externalIPs.length > 0)
    lines.push('  externalIPs:', ...s.externalIPs.map((ip) => `    - ${ip}`));
  lines.push('  ports:', '    - port: 80');
  return `${lines.join('\n')}\n`;
}

/** A temporary workspace with the files written, and a started client shut down after the test file. */
export async function startWorkspace(
  files: Record<string, string>,
  options: Omit<LspClientOptions, 'root'> = {},
): Promise<LspClient> {
  const root = tempDir('kube-routes-lsp-');
  writeTree(root, files);
  const { client } = await LspClient.start({ root, ...options });
  after(async () => {
    if (client.alive) await client.shutdown().catch(() => client.kill());
    assertNoInternalErrors(client);
  });
  return client;
}

/** The server caught nothing unexpected: no internal error on stderr or in its log messages. */
export function assertNoInternalErrors(client: LspClient): void {
  const logged = client.logs.map((l) => l.message).filter((m) => m.includes('internal error'));
  assert.deepEqual(logged, [], 'internal errors logged by the server');
  assert.doesNotMatch(client.stderr, /internal error/, "internal errors on the server's stderr");
}

/** "line:character" of the first occurrence of a text in a file's lines (0-based, as LSP counts). */
export function positionOf(text: string, needle: string, occurrence = 0): { line: number; character: number } {
  let from = 0;
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, from);
    if (index < 0) throw new Error(`"${needle}" not found (occurrence ${occurrence})`);
    from = index + 1;
  }
  const before = text.slice(0, index).split('\n');
  return { line: before.length - 1, character: (before[before.length - 1] ?? '').length };
}
