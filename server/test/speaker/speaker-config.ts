import type { SpeakerConfig } from '../../src/engine';
import { parsedConfig, speakerConfigYaml } from '@kube-routes/test/support';

/**
 * A speaker config for in-process tests, built by the same parser as kube-routes.yaml, so a test
 * cannot hand the speaker a shape the parser would never produce. The BGP and API listeners get
 * port 0 (free ports; the parser rightly refuses 0 in a config file).
 */
export function speakerConfig(speaker: Record<string, unknown>): SpeakerConfig {
  const config = parsedConfig([
    speakerConfigYaml({
      asn: 65000,
      routerId: '10.0.0.1',
      listen: '127.0.0.1:1179',
      api: '127.0.0.1:8179',
      ...speaker,
    }),
  ]).speaker;
  if (config === undefined) throw new Error('test speaker config has no speaker section');
  return { ...config, listen: { ...config.listen, port: 0 }, api: { ...config.api, port: 0 } };
}
