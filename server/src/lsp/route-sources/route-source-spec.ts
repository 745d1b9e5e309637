/** A route source as configured (speakerUrl or speaker.api, mrtPath): what createRouteSource opens. */
export type RouteSourceSpec =
  | { readonly kind: 'speaker'; readonly url: string }
  | { readonly kind: 'mrt'; readonly path: string };

export function routeSourceKey(spec: RouteSourceSpec): string {
  return spec.kind === 'speaker' ? `speaker ${spec.url}` : `mrt ${spec.path}`;
}
