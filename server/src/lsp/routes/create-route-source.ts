import { MrtRouteSource } from './mrt-source';
import type { RouteSource, RouteSourceSpec } from './route-source';
import { SpeakerRouteSource } from './speaker-source';

/** The one place that maps a configured source to its implementation (an MRT file goes here too). */
export function createRouteSource(spec: RouteSourceSpec): RouteSource {
  switch (spec.kind) {
    case 'speaker':
      return new SpeakerRouteSource(spec.url);
    case 'mrt':
      return new MrtRouteSource(spec.path);
  }
}
