import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpeakerMetrics } from '../../src/speaker/metrics';

// prom-client is loaded at the first scrape, not at start (its code is ~10 MiB of resident memory).

const loaded = (): boolean => Object.keys(require.cache).some((f) => f.includes('/prom-client/'));

test('prom-client is loaded at the first scrape; the content type is the Prometheus text format', async () => {
  const metrics = new SpeakerMetrics({
    peers: () => [],
    watcherCount: () => 2,
    ribMemoryBytes: () => 1234,
    ribPrefixes: (family) => (family === 4 ? 10 : 1),
    changeCounts: () => [{ peer: '192.0.2.1', announcements: 5, withdrawals: 1 }],
    malformedCounts: () => [],
  });
  assert.equal(loaded(), false, 'not at start');
  const text = await metrics.text();
  assert.equal(loaded(), true);
  const { Registry } = await import('prom-client');
  assert.equal(metrics.contentType, Registry.PROMETHEUS_CONTENT_TYPE);
  for (const line of [
    'kube_routes_speaker_rib_memory_bytes 1234',
    'kube_routes_speaker_watchers 2',
    'kube_routes_speaker_rib_prefixes{family="ipv4-unicast"} 10',
    'kube_routes_speaker_announcements_total{peer="192.0.2.1"} 5',
  ])
    assert.ok(text.split('\n').includes(line), `${line} in\n${text}`);
  assert.match(text, /^kube_routes_speaker_process_cpu_seconds_total /m, 'the process metrics');
});
