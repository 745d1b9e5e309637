import { parseConfig, type KubeRoutesConfig } from '@kube-routes/server/engine';

/** A kube-routes.yaml for in-memory tests, from its lines; a config the parser refuses fails the test. */
export function parsedConfig(lines: readonly string[]): KubeRoutesConfig {
  const parsed = parseConfig([...lines, ''].join('\n'), 'kube-routes.yaml');
  if (parsed.config === undefined)
    throw new Error(`test config rejected: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return parsed.config;
}
