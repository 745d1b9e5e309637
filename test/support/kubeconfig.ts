import { writeFileSync } from 'node:fs';

// Kubeconfig files for test clusters: one cluster, user and context per entry, the cluster's CA
// inline as certificate-authority-data and a bearer token, as cloud providers write them.

export interface KubeconfigEntry {
  /** The context name (also used for the cluster and user names). */
  readonly context: string;
  /** https://host:port of the API server. */
  readonly server: string;
  /** PEM of the CA that signed the server's certificate. */
  readonly caCert: string;
  readonly token: string;
  readonly namespace?: string;
}

export function kubeconfigText(
  entries: readonly KubeconfigEntry[],
  currentContext = entries[0]?.context ?? '',
): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': currentContext,
    clusters: entries.map((e) => ({
      name: e.context,
      cluster: { server: e.server, 'certificate-authority-data': Buffer.from(e.caCert).toString('base64') },
    })),
    users: entries.map((e) => ({ name: `${e.context}-user`, user: { token: e.token } })),
    contexts: entries.map((e) => ({
      name: e.context,
      context: { cluster: e.context, user: `${e.context}-user`, ...(e.namespace ? { namespace: e.namespace } : {}) },
    })),
  };
  // JSON is YAML: kubectl and client-node read it as a kubeconfig.
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function writeKubeconfig(path: string, entries: readonly KubeconfigEntry[], currentContext?: string): string {
  writeFileSync(path, kubeconfigText(entries, currentContext), { mode: 0o600 });
  return path;
}
