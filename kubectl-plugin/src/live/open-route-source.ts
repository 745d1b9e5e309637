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
} from '@kube-routes/server/speaker-client';
import { UsageError } from '../cli/io';

// kubectl's route sources, opened from its flags (--speaker URL, --speaker k8s://..., --bgp FILE)
// over the shared client; failures are UsageErrors worded for these flags (one line, exit 2).

const usage = (message: string) => new UsageError(message);
/** -w reconnects to a speaker that went away within this much, at most. */
const watch = { maxRetryMs: 10_000 };

/** --speaker http://HOST:PORT (or HOST:PORT), and speaker.api of the config. */
export function speakerClient(url: string): SpeakerClient {
  const parsed = parseSpeakerUrl(url);
  if ('problem' in parsed) {
    throw new UsageError(
      parsed.problem === 'scheme'
        ? `invalid --speaker "${url}": only http:// and https:// are supported`
        : `invalid --speaker "${url}": expected a URL like http://127.0.0.1:8179`,
    );
  }
  const name = `the speaker at ${parsed.url.origin}`;
  return new SpeakerClient(
    httpTransport(parsed.url, { name, hint: 'is kube-routes-speaker running (see --speaker)?', fail: usage }),
    { name, fail: usage, watch },
  );
}

/** --speaker k8s://NAMESPACE/SERVICE:PORT, through the API server's service proxy of this context. */
export function proxiedSpeakerClient(url: string, client: KubeClient): SpeakerClient {
  const service = parseSpeakerService(url);
  if (!service)
    throw new UsageError(
      `invalid --speaker "${url}": expected k8s://NAMESPACE/SERVICE:PORT, e.g. k8s://kube-routes/speaker:8179`,
    );
  const transport = k8sProxyTransport(url, service, client, usage);
  return new SpeakerClient(transport, { name: `the speaker at ${transport.label}`, fail: usage, watch });
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
  if (loaded.skipped > 0) {
    const first = loaded.firstSkipped;
    warn(
      `warning: ${display}: ${loaded.skipped} MRT record(s) not loaded${first ? ` (first at byte ${first.offset}: ${first.reason})` : ''}; the rest loaded`,
    );
  }
  const transport = new MrtTransport(path, { label: `MRT ${display}`, loaded, fail: usage });
  return { table: loaded.table, client: new SpeakerClient(transport, { fail: usage }) };
}
