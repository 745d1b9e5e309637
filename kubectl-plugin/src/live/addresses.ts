import { parseIpAddress, type IpAddress } from '@kube-routes/server/engine';

// Every IP text parsed once per run. Parsing goes through the engine (ip-num), which costs
// microseconds per call; a Service's addresses are read by several steps (zones, longest match,
// verdicts, conflicts), and 10,000 Services made that a third of the run before this cache.

const cache = new Map<string, IpAddress | undefined>();

export function parseIp(text: string): IpAddress | undefined {
  let parsed = cache.get(text);
  if (parsed === undefined && !cache.has(text)) {
    parsed = parseIpAddress(text);
    cache.set(text, parsed);
  }
  return parsed;
}
