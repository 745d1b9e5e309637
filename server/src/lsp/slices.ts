import { setImmediate as nextTurn } from 'node:timers/promises';

/** About how long one slice of background work may hold the event loop. */
export const sliceMs = 10;

/**
 * Runs work over items in slices of about sliceMs, yielding to the event loop between slices
 * (setImmediate: after pending IO, so requests and edits that arrived meanwhile are served
 * first). Items may come from a generator that does work of its own (a folder walk). Stops
 * early when cancelled() turns true between items; returns whether it finished.
 */
export async function runInSlices<T>(
  items: Iterable<T>,
  work: (item: T) => void,
  options: { readonly cancelled: () => boolean; readonly sliced?: (done: number) => void },
): Promise<boolean> {
  let sliceStart = performance.now();
  let done = 0;
  for (const item of items) {
    if (performance.now() - sliceStart >= sliceMs) {
      options.sliced?.(done);
      await nextTurn();
      sliceStart = performance.now();
    }
    if (options.cancelled()) return false;
    work(item);
    done++;
  }
  options.sliced?.(done);
  return !options.cancelled();
}
