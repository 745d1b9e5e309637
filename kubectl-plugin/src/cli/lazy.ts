/**
 * A module loaded on its first use. Commands require what they run inside their action, so
 * `kubectl routes check` starts without the kube client, the speaker client or the live views
 * (their load is a measurable share of a warm cached check).
 *
 *   const live = lazy(() => require('./live-run') as typeof import('./live-run'));
 *   live().LiveRun.open(flags, io);
 */
export function lazy<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}
