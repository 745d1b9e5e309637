import {
  MrtTransport,
  SpeakerClient,
  httpTransport,
  parseSpeakerUrl,
  type RouteSource,
} from '@kube-routes/server/speaker-client';
import type { RouteSourceSpec } from './route-source-spec';

/** The one place that maps a configured source to the shared client and its transport; throws (one line) for a bad URL. */
export function createRouteSource(spec: RouteSourceSpec): RouteSource {
  switch (spec.kind) {
    case 'speaker': {
      const parsed = parseSpeakerUrl(spec.url);
      if ('problem' in parsed)
        throw new Error(
          parsed.problem === 'scheme'
            ? `speaker URL "${spec.url}" must be http:// or https://`
            : `speaker URL "${spec.url}" is not a URL`,
        );
      return new SpeakerClient(httpTransport(parsed.url, { timeoutMs: 5_000 }));
    }
    case 'mrt':
      return new SpeakerClient(new MrtTransport(spec.path));
  }
}
