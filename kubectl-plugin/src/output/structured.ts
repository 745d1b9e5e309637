import { loadClientNode } from '@kube-routes/server/kube';

// -o json and -o yaml for the live views. YAML comes from the js-yaml that
// @kubernetes/client-node ships (its dumpYaml), so it reads like kubectl's.

export async function formatStructured(value: unknown, format: 'json' | 'yaml'): Promise<string> {
  // A JSON round trip drops undefined fields, which YAML cannot represent.
  const json = JSON.stringify(value, null, 2);
  if (format === 'json') return `${json}\n`;
  const { dumpYaml } = await loadClientNode();
  return dumpYaml(JSON.parse(json) as unknown, { lineWidth: -1, noRefs: true });
}
