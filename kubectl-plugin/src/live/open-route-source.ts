import type { RouteTable } from '@kube-routes/server/engine';
import type { KubeClient } from '@kube-routes/server/kube';
import {
  MrtTransport,
  SpeakerClient,
  httpTransport,
  k8sProxyTransport,
  loadMrtTable,
  parseSpeakerService,
  parseSpeakerUrl,
  type RouteSource,
} from '@kube-routes/server/speaker-client';
import { UsageError } from '../cli/io';

// kubectl's route sources, opened from its flags (--speaker URL, --speaker k8s://..., --bgp FILE)
// over the shared client; failures are UsageErrors worded for these flags (one line, exit 2).

const usage = (message: string) => new UsageError(message);
/** -w reconnects to a speaker that went away within this much, at most. */
const watch = { maxRetryMs: 10_000 };

/** Where a speaker URL was given, for the wording of its errors. */
export interface SpeakerOrigin {
  /** "--speaker", or "regions.nyc3.speaker of kube-routes.yaml". */
  readonly where: string;
  /** Prefixes every error of this speaker: "region nyc3: ". */
  readonly prefix?: string;
}

const flag: SpeakerOrigin = { where: '--speaker' };

/** --speaker http://HOST:PORT (or HOST:PORT), speaker.api of the config, and regions.*.speaker. */
export function speakerClient(url: string, origin: SpeakerOrigin = flag): SpeakerClient {
  const parsed = parseSpeakerUrl(url);
  if ('problem' in parsed) {
    throw new UsageError(
      parsed.problem === 'scheme'
        ? `invalid ${origin.where} "${url}": only http:// and https:// are supported`
        : `invalid ${origin.where} "${url}": expected a URL like http://127.0.0.1:8179`,
    );
  }
  const name = `the speaker at ${parsed.url.origin}`;
  const fail = prefixed(origin);
  return new SpeakerClient(
    httpTransport(parsed.url, { name, hint: `is kube-routes-speaker running (see ${origin.where})?`, fail }),
    { name, fail, watch },
  );
}

/** --speaker k8s://NAMESPACE/SERVICE:PORT (or regions.*.speaker), through the API server's service proxy of this context. */
export function proxiedSpeakerClient(url: string, client: KubeClient, origin: SpeakerOrigin = flag): SpeakerClient {
  const service = parseSpeakerService(url);
  if (!service)
    throw new UsageError(
      `invalid ${origin.where} "${url}": expected k8s://NAMESPACE/SERVICE:PORT, e.g. k8s://kube-routes/speaker:8179`,
    );
  const fail = prefixed(origin);
  const given = origin === flag ? `--speaker ${url}` : `${origin.where} (${url})`;
  const transport = k8sProxyTransport(url, service, client, fail, given);
  return new SpeakerClient(transport, { name: `the speaker at ${transport.label}`, fail, watch });
}

function prefixed(origin: SpeakerOrigin): (message: string) => UsageError {
  return (message) => usage(`${origin.prefix ?? ''}${message}`);
}

/**
 * --bgp FILE: an MRT file loaded once, in process. The engine's BGP rules read its table
 * directly; the live views ask it the speaker's questions through the client.
 */
export async function openMrtFile(
  path: string,
  display: string,
  warn: (line: string) => void,
): Promise<{ readonly table: RouteTable; readonly client: SpeakerClient }> {
  const loaded = await loadMrtTable(path, display);
  if (!loaded.ok) {
    if (loaded.problem === 'empty')
      throw new UsageError(
        `--bgp ${display} holds no MRT records; is it an MRT file (e.g. from bgpdump, BIRD "mrt dump" or kube-routes-speaker snapshot)?`,
      );
    throw new UsageError(`cannot read --bgp ${display}: ${loaded.detail}`);
  }
  const cut = loaded.cutShort;
  const others = loaded.skipped - (cut ? 1 : 0);
  const first = loaded.firstSkipped;
  if (cut)
    // A damaged or truncated file: what matters is that everything after the damage is missing.
    warn(
      `warning: ${display}: read only to byte ${cut.offset} (${cut.reason}); what came before loaded${others > 0 && first ? `, except ${others} MRT record(s) (first at byte ${first.offset}: ${first.reason})` : ''}`,
    );
  else if (loaded.skipped > 0)
    warn(
      `warning: ${display}: ${loaded.skipped} MRT record(s) not loaded${first ? ` (first at byte ${first.offset}: ${first.reason})` : ''}; the rest loaded`,
    );
  const transport = new MrtTransport(path, { label: `MRT ${display}`, loaded, fail: usage });
  return { table: loaded.table, client: new SpeakerClient(transport, { fail: usage }) };
}

/** A region whose speaker cannot even be asked (its context does not resolve): every request fails with that one line. */
export function unavailableSource(label: string, error: unknown): RouteSource {
  const fail = () => Promise.reject(error);
  return {
    label,
    name: label,
    lookup: fail,
    lookupAll: fail,
    routesExact: fail,
    routesWithin: fail,
    peers: fail,
    summary: fail,
    watch: () => undefined,
  };
}
