/**
 * The Node flags every start of the language server passes (the bin's shebang, the VS Code
 * extension's server options, the release executable's SEA config):
 * - a young generation of at most 1 MiB per semi-space. The server's garbage is short-lived (a
 *   file's parse) and what it keeps is the index; with the default (up to 16 MiB per semi-space)
 *   the heap's young part alone grew the peak by 5 to 10 MiB while indexing, and 1 MiB peaks ~2 MiB
 *   lower than 2 MiB for the same CPU;
 * - no TurboFan, and optimizing compilation (Maglev's, then) on the main thread: TurboFan's code
 *   and compile zones, and the worker threads' malloc arenas that keep the zones' freed memory,
 *   were 9 to 11 MiB of the peak while the first index warms the parser up. Maglev alone indexes
 *   the GitOps bench tree in the same time; on the all-Service tree the first complete
 *   diagnostics take longer (bench/RESULTS.md, issue 13 part 3).
 * A test holds server/bin's shebang to this list.
 */
export const languageServerNodeFlags: readonly string[] = [
  '--max-semi-space-size=1',
  '--no-concurrent-recompilation',
  '--no-turbofan',
];
