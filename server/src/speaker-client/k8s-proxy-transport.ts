import type { KubeClient } from '@kube-routes/server/kube';
import { speakerError, type ErrorFactory } from './errors';
import type { SpeakerTransport } from './transport';

// k8s://NAMESPACE/SERVICE:PORT: the speaker running in a cluster, reached through the Kubernetes
// API's service proxy with the kubeconfig's credentials, so no extra network access or
// credentials are needed.

export interface SpeakerService {
  readonly namespace: string;
  readonly service: string;
  /** Port number or name; 8179 (the speaker's API port) when left out. */
  readonly port: string;
}

/** The Service a k8s:// URL names, or undefined when it is not one. */
export function parseSpeakerService(url: string): SpeakerService | undefined {
  const m = /^k8s:\/\/([a-z0-9.-]+)\/([a-z0-9.-]+)(?::([a-z0-9-]+))?\/?$/.exec(url);
  return m ? { namespace: m[1] ?? '', service: m[2] ?? '', port: m[3] ?? '8179' } : undefined;
}

interface StatusBody {
  readonly kind?: string;
  readonly message?: string;
}

export function k8sProxyTransport(
  url: string,
  service: SpeakerService,
  client: KubeClient,
  fail: ErrorFactory = speakerError,
  /** Where the URL was given, for "check ...": "--speaker URL" by default. */
  given = `--speaker ${url}`,
): SpeakerTransport {
  const s = service;
  const base = `/api/v1/namespaces/${encodeURIComponent(s.namespace)}/services/${encodeURIComponent(s.service)}:${encodeURIComponent(s.port)}/proxy`;
  /** The API server's own answers (a Status object) are about the proxy, not the speaker: one line each. */
  const proxyProblem = (status: number, text: string): Error | undefined => {
    if (status < 400) return undefined;
    let body: StatusBody = {};
    try {
      body = JSON.parse(text) as StatusBody;
    } catch {
      /* the speaker's text */
    }
    if (body.kind !== 'Status') return undefined;
    const why = body.message ?? `${status}`;
    if (status === 404)
      return fail(
        `the speaker Service ${s.namespace}/${s.service} was not found in context "${client.context}" (${why}); check ${given}`,
      );
    if (status === 503)
      return fail(
        `the speaker Service ${s.namespace}/${s.service} in context "${client.context}" does not answer (${why}); is kube-routes-speaker running there?`,
      );
    if (status === 401 || status === 403)
      return fail(
        `context "${client.context}": the API server refused the service proxy to ${s.namespace}/${s.service} (${status}: ${why}); you need "get" on services/proxy in namespace ${s.namespace}, or pass --speaker http://... directly`,
      );
    return fail(
      `the speaker Service ${s.namespace}/${s.service} in context "${client.context}": the API server answered ${status}: ${why}`,
    );
  };
  return {
    label: `${url} (context ${client.context})`,
    async get(target) {
      const answer = await client.raw(`${base}${target}`);
      const problem = proxyProblem(answer.status, answer.text);
      if (problem) throw problem;
      return answer;
    },
    async stream(target, headers, signal) {
      const answer = await client.stream(`${base}${target}`, headers, signal);
      if (answer.status < 400) return answer;
      const chunks: Uint8Array[] = [];
      for await (const chunk of answer.body) chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      const problem = proxyProblem(answer.status, text);
      if (problem) throw problem;
      return { status: answer.status, body: once(Buffer.from(text)) };
    },
  };
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
