import type { KubeClient } from '@kube-routes/server/kube';
import { UsageError } from '../cli/io';
import type { SpeakerTransport } from '../routes/speaker-client';

// --speaker k8s://NAMESPACE/SERVICE:PORT: the speaker running in a cluster, reached through the
// Kubernetes API's service proxy with the kubeconfig's credentials, so no extra network access
// or credentials are needed.

export interface SpeakerService {
  readonly namespace: string;
  readonly service: string;
  /** Port number or name; 8179 (the speaker's API port) when left out. */
  readonly port: string;
}

export function parseSpeakerService(url: string): SpeakerService {
  const m = /^k8s:\/\/([a-z0-9.-]+)\/([a-z0-9.-]+)(?::([a-z0-9-]+))?\/?$/.exec(url);
  if (!m) throw new UsageError(`invalid --speaker "${url}": expected k8s://NAMESPACE/SERVICE:PORT, e.g. k8s://kube-routes/speaker:8179`);
  return { namespace: m[1] ?? '', service: m[2] ?? '', port: m[3] ?? '8179' };
}

interface StatusBody {
  readonly kind?: string;
  readonly message?: string;
}

export function speakerThroughApi(url: string, client: KubeClient): SpeakerTransport {
  const s = parseSpeakerService(url);
  const label = `${url} (context ${client.context})`;
  const base = `/api/v1/namespaces/${encodeURIComponent(s.namespace)}/services/${encodeURIComponent(s.service)}:${encodeURIComponent(s.port)}/proxy`;
  return {
    label,
    async get(path) {
      const answer = await client.raw(`${base}${path}`);
      if (answer.status < 400) return answer;
      // The API server's own answers (a Status object) are about the proxy, not the speaker.
      let status: StatusBody = {};
      try { status = JSON.parse(answer.text) as StatusBody; } catch { /* the speaker's text */ }
      if (status.kind !== 'Status') return answer;
      const why = status.message ?? `${answer.status}`;
      if (answer.status === 404) throw new UsageError(`the speaker Service ${s.namespace}/${s.service} was not found in context "${client.context}" (${why}); check --speaker ${url}`);
      if (answer.status === 503) throw new UsageError(`the speaker Service ${s.namespace}/${s.service} in context "${client.context}" does not answer (${why}); is kube-routes-speaker running there?`);
      if (answer.status === 401 || answer.status === 403) throw new UsageError(`context "${client.context}": the API server refused the service proxy to ${s.namespace}/${s.service} (${answer.status}: ${why}); you need "get" on services/proxy in namespace ${s.namespace}, or pass --speaker http://... directly`);
      throw new UsageError(`the speaker Service ${s.namespace}/${s.service} in context "${client.context}": the API server answered ${answer.status}: ${why}`);
    },
  };
}
