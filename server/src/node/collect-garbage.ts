import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A garbage collection on demand, for the few places where a phase is known to leave memory that
// V8 would free late:
// - each v8.serialize() call leaves its serializer's native memory (a zone sized to the objects
//   it wrote) until the serializer object is collected; a cache save serializes hundreds of
//   groups with little JS allocation between them, so no collection comes and the zones pile
//   up (~13 MiB of peak RSS for 12,000 files): a young collection every few groups frees them
//   for about a millisecond each;
// - the language server's first index of a workspace promotes the parse garbage of thousands of
//   files to the old generation, which V8 grows by up to 4x before marking it: a full collection
//   each time the heap grew by a set amount keeps the peak near what the index holds.
// The gc function is taken as jest's leak detector takes it: the flag set at run time, the
// function read from a fresh context, which leaves this one's globals as they were.

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

/** Collects the young generation ('minor') or the whole heap ('major') now, if the runtime allows it (else nothing: memory is freed later). */
export function collectGarbage(type: 'minor' | 'major'): void {
  collector()?.({ type });
}
