import type { RequestOptions } from 'node:https';
import { closestMatch } from '@kube-routes/server/engine';
// client-node is an ES module; this CommonJS project names its type with resolution-mode: import.
type KubeConfig = import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' }}).KubeConfig;
import { KubeconfigError, KubeError } from './errors';

// Kubeconfig handling is @kubernetes/client-node's: KUBECONFIG lists, relative paths, token and
// certificate files, exec and auth-provider plugins, proxies. It is an ES module loaded on
// first use, so commands that never touch a cluster (check without --live) do not pay for it.
// Kubernetes client types stay in this folder: callers get ContextAccess and plain data.

type ClientNode = typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' }});
let clientNode: Promise<ClientNode> | undefined;

export function loadClientNode(): Promise<ClientNode> {
  return (clientNode ??= import('@kubernetes/client-node'));
}

/** How to reach one context's API server: what a request needs, read once per command. */
export interface ContextAccess {
  readonly context: string;
  readonly server: string;
  /** The kubeconfig user entry, for messages. */
  readonly user: string;
  /** The context's namespace, else "default". */
  readonly namespace: string;
  /** TLS material, agent and Authorization header from the kubeconfig. */
  readonly options: RequestOptions;
}

export class Kubeconfig {
  private constructor(
    private readonly config: KubeConfig,
    private readonly lib: ClientNode,
    readonly source: string,
  ) {}

  /** FILE (--kubeconfig, a setting), else $KUBECONFIG, else ~/.kube/config (as kubectl); KubeconfigError when unreadable. */
  static async load(file?: string): Promise<Kubeconfig> {
    const lib = await loadClientNode();
    const config = new lib.KubeConfig();
    const source = file ?? process.env.KUBECONFIG ?? '~/.kube/config';
    try {
      if (file) config.loadFromFile(file);
      else config.loadFromDefault();
    } catch (e) {
      const code = (e as { code?: string }).code;
      const why = code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new KubeconfigError(source, why);
    }
    return new Kubeconfig(config, lib, source);
  }

  get contexts(): string[] {
    return this.config.getContexts().map((c) => c.name);
  }

  get currentContext(): string | undefined {
    return this.config.getCurrentContext() || undefined;
  }

  /** Resolves a context's cluster, user and credentials; exec plugins run here. */
  async access(context: string, origin?: string): Promise<ContextAccess> {
    const ctx = this.config.getContextObject(context);
    if (!ctx) {
      const suggestion = closestMatch(context, this.contexts);
      const known = this.contexts.length > 0 ? `known contexts: ${this.contexts.join(', ')}` : 'it has no contexts';
      throw new KubeError(
        context,
        'unknown-context',
        `context "${context}"${origin ? ` (${origin})` : ''} is not in the kubeconfig ${this.source}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; ${known}`,
      );
    }
    const cluster = this.config.getCluster(ctx.cluster);
    if (!cluster)
      throw new KubeError(
        context,
        'unknown-context',
        `context "${context}" names cluster "${ctx.cluster}", which is not in the kubeconfig ${this.source}; fix the kubeconfig`,
      );
    const single = new this.lib.KubeConfig();
    single.loadFromOptions({
      clusters: this.config.getClusters(),
      users: this.config.getUsers(),
      contexts: this.config.getContexts(),
      currentContext: context,
    });
    const options: RequestOptions = {};
    try {
      await single.applyToHTTPSOptions(options);
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new KubeError(
        context,
        'credentials',
        `context "${context}": cannot get credentials for user "${ctx.user}": ${why}; check the user's token, certificates or exec plugin in the kubeconfig`,
      );
    }
    return { context, server: cluster.server, user: ctx.user, namespace: ctx.namespace || 'default', options };
  }
}
