import { checkManifests, type KubeRoutesConfig, type ManifestFile, type SourceRange } from '@kube-routes/server/engine';
import type { PoolOverlap } from './conflicts';

// `kubectl routes conflicts` asks the engine's own pool-overlap rule about the live pools of
// every context (each read as a manifest of its context's region), so the verdict is the rule's.

const sameRange = (a: SourceRange, b: SourceRange) =>
  a.start.line === b.start.line && a.start.column === b.start.column;

export function poolOverlaps(files: readonly ManifestFile[], config: KubeRoutesConfig): PoolOverlap[] {
  const { findings } = checkManifests(files, config);
  const out: PoolOverlap[] = [];
  for (const f of findings) {
    if (f.rule !== 'pool-overlap') continue;
    const file = files.find((m) => m.file === f.file);
    const literal = file?.pools.flatMap((p) => p.ranges).find((r) => sameRange(r.range, f.range));
    out.push({ range: literal?.value ?? '', detail: `${f.file}: ${f.message}` });
  }
  return out;
}
