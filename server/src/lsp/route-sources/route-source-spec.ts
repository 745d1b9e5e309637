import type { KubeRoutesConfig } from '@kube-routes/server/engine';

/** One region's speaker (regions.*.speaker): a URL, or k8s://NS/SVC:PORT through the region's context. */
export interface RegionSpeakerSpec {
  readonly region: string;
  readonly target: string;
  /** The context whose API server proxies a k8s:// target (the region's first). */
  readonly context: string | undefined;
}

/** A route source as configured (speakerUrl or speaker.api, regions.*.speaker, mrtPath): what createRouteSource opens. */
export type RouteSourceSpec =
  | { readonly kind: 'speaker'; readonly url: string }
  | { readonly kind: 'mrt'; readonly path: string }
  | {
      readonly kind: 'regions';
      readonly speakers: readonly RegionSpeakerSpec[];
      /** For k8s:// targets; undefined: $KUBECONFIG, else ~/.kube/config. */
      readonly kubeconfig: string | undefined;
    };

export function routeSourceKey(spec: RouteSourceSpec): string {
  switch (spec.kind) {
    case 'speaker':
      return `speaker ${spec.url}`;
    case 'mrt':
      return `mrt ${spec.path}`;
    case 'regions':
      return `speakers ${spec.speakers.map((s) => `${s.region}=${s.target}`).join(', ')}${spec.kubeconfig ? ` (kubeconfig ${spec.kubeconfig})` : ''}`;
  }
}

/** The regions of a config that name a speaker, in the config's order. */
export function regionSpeakers(config: KubeRoutesConfig): RegionSpeakerSpec[] {
  return [...config.regions.values()].flatMap((r) =>
    r.speaker === undefined ? [] : [{ region: r.name, target: r.speaker, context: r.contexts[0] }],
  );
}
