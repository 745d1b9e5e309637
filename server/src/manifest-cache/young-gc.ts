import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Each v8.serialize() call leaves its serializer's native memory (a zone sized to the objects it
// wrote) to be freed when the serializer object is collected; a save serializes hundreds of
// groups with little JS allocation between them, so no collection comes and the zones pile up
// (~13 MiB of peak RSS for 12,000 files). A young-generation collection every few groups frees
// them for about a millisecond each. The gc function is taken as jest's leak detector takes it:
// the flag set at run time, the function read from a fresh context, which leaves this one's
// globals as they were.

type Collect = (options: { type: 'minor' | 'major' }) => void;

let collect: Collect | null | undefined;

function collector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    collect = typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Collects the young generation now, if the runtime allows it (else nothing: memory is freed later). */
export function collectYoungGarbage(): void {
  collector()?.({ type: 'minor' });
}
