import { KubeClient, Kubeconfig } from '@kube-routes/server/kube';
import {
  MergedRouteSource,
  MrtTransport,
  SpeakerClient,
  httpTransport,
  k8sProxyTransport,
  parseSpeakerService,
  parseSpeakerUrl,
  type RouteSource,
  type SpeakerTransport,
} from '@kube-routes/server/speaker-client';
import type { RegionSpeakerSpec, RouteSourceSpec } from './route-source-spec';

/** The one place that maps a configured source to the shared client and its transport; throws (one line) for a bad URL. */
export function createRouteSource(spec: RouteSourceSpec): RouteSource {
  switch (spec.kind) {
    case 'speaker':
      return new SpeakerClient(httpTransport(parseUrl(spec.url, 'speaker URL'), { timeoutMs: 5_000 }));
    case 'mrt':
      return new SpeakerClient(new MrtTransport(spec.path));
    case 'regions':
      // One vantage per region; a region that fails is asked again on the next refresh.
      return new MergedRouteSource(
        spec.speakers.map((s) => ({ region: s.region, source: regionSource(s, spec.kubeconfig) })),
        { retryDown: true, annotate: (region, e) => new Error(`region ${region}: ${messageOf(e)}`) },
      );
  }
}

function regionSource(s: RegionSpeakerSpec, kubeconfig: string | undefined): RouteSource {
  const what = `regions.${s.region}.speaker`;
  if (!s.target.startsWith('k8s://'))
    return new SpeakerClient(httpTransport(parseUrl(s.target, what), { timeoutMs: 5_000 }));
  const service = parseSpeakerService(s.target);
  if (!service || s.context === undefined)
    throw new Error(`${what} "${s.target}" must be k8s://NAMESPACE/SERVICE:PORT in a region with contexts`);
  const context = s.context;
  return new SpeakerClient(
    lazyTransport(`${s.target} (context ${context})`, async () => {
      const config = await Kubeconfig.load(kubeconfig);
      const client = new KubeClient(await config.access(context, `regions.${s.region}.contexts`), userAgent);
      return k8sProxyTransport(s.target, service, client, undefined, `${what} (${s.target})`);
    }),
  );
}

const userAgent = 'kube-routes-language-server';

function parseUrl(url: string, what: string): URL {
  const parsed = parseSpeakerUrl(url);
  if ('problem' in parsed)
    throw new Error(
      parsed.problem === 'scheme' ? `${what} "${url}" must be http:// or https://` : `${what} "${url}" is not a URL`,
    );
  return parsed.url;
}

/**
 * A transport opened on first use (reading the kubeconfig, resolving the context), and opened
 * again after a failure: a kubeconfig fixed while the editor runs is picked up.
 */
function lazyTransport(label: string, open: () => Promise<SpeakerTransport>): SpeakerTransport {
  let opening: Promise<SpeakerTransport> | undefined;
  const transport = () => {
    opening ??= open().catch((e: unknown) => {
      opening = undefined;
      throw e;
    });
    return opening;
  };
  return {
    label,
    async get(target) {
      return (await transport()).get(target);
    },
    async stream(target, headers, signal) {
      const t = await transport();
      if (!t.stream) throw new Error(`${label} cannot stream`);
      return t.stream(target, headers, signal);
    },
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
