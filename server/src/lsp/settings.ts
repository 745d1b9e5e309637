// Client settings under the "kubeRoutes" section (workspace/configuration, or initializationOptions
// for clients without it). Read defensively: a client can send anything, and a bad value must
// fall back to the default instead of breaking the server.

import type { RepositorySources } from './trust';

export interface Settings {
  /** kube-routes.yaml for every file, instead of the nearest one above each file. */
  readonly configPath: string | undefined;
  /** A kube-routes-speaker API URL; overrides the config's `speaker.api`. */
  readonly speakerUrl: string | undefined;
  /** An MRT file (TABLE_DUMP_V2 or BGP4MP, plain or gzip) loaded in-process; used when no speaker URL is set. */
  readonly mrtPath: string | undefined;
  /** Globs relative to a workspace folder (files.exclude style): matching files and folders are not indexed. */
  readonly exclude: readonly string[];
  /** Re-checks run at most once per this many milliseconds; edits in between are batched. */
  readonly debounceMs: number;
  /** How often to refresh route state from the live source (0: only when addresses change). */
  readonly routeRefreshSeconds: number;
  /** The kube contexts whose Services cluster-ip-allocated reads; undefined: every context under regions.*.contexts. */
  readonly contexts: readonly string[] | undefined;
  /** The kubeconfig for those contexts; undefined: $KUBECONFIG, else ~/.kube/config. */
  readonly kubeconfig: string | undefined;
  /** Whether kube-routes.yaml's speaker.api and regions.*.contexts may be contacted: ask first, always, never. */
  readonly repositorySources: RepositorySources;
  /** The editor's workspace trust (VS Code's Restricted Mode is false); clients without one: true. */
  readonly workspaceTrusted: boolean;
  /** Targets the user allowed for this workspace before (remembered by the client). */
  readonly allowedRepositorySources: readonly string[];
  /** A folder the client keeps this workspace's state in (VS Code's storageUri): the index cache goes there. */
  readonly storagePath: string | undefined;
}

export const defaultSettings: Settings = {
  configPath: undefined,
  speakerUrl: undefined,
  mrtPath: undefined,
  exclude: [],
  debounceMs: 50,
  routeRefreshSeconds: 30,
  contexts: undefined,
  kubeconfig: undefined,
  repositorySources: 'ask',
  workspaceTrusted: true,
  allowedRepositorySources: [],
  storagePath: undefined,
};

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function number(value: unknown, fallback: number, min: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : fallback;
}

/** Accepts the section itself ({configPath, ...}) or a wrapper ({kubeRoutes: {...}}). */
export function readSettings(raw: unknown): Settings {
  const outer = record(raw);
  const section = record(outer?.kubeRoutes) ?? outer ?? {};
  const exclude = Array.isArray(section.exclude)
    ? section.exclude.filter((g): g is string => typeof g === 'string' && g !== '')
    : [];
  return {
    configPath: nonEmptyString(section.configPath),
    speakerUrl: nonEmptyString(section.speakerUrl),
    mrtPath: nonEmptyString(section.mrtPath),
    exclude,
    debounceMs: number(section.debounceMs, defaultSettings.debounceMs, 0, 10_000),
    routeRefreshSeconds: number(section.routeRefreshSeconds, defaultSettings.routeRefreshSeconds, 0, 86_400),
    contexts: Array.isArray(section.contexts)
      ? [...new Set(section.contexts.map(nonEmptyString).filter((c): c is string => c !== undefined))]
      : undefined,
    kubeconfig: nonEmptyString(section.kubeconfig),
    repositorySources:
      section.repositorySources === 'allow' || section.repositorySources === 'deny' ? section.repositorySources : 'ask',
    // Set by the client itself (initializationOptions), not a user setting.
    workspaceTrusted: section.workspaceTrusted !== false,
    allowedRepositorySources: Array.isArray(section.allowedRepositorySources)
      ? section.allowedRepositorySources.filter((k): k is string => typeof k === 'string')
      : [],
    // Set by the client itself (initializationOptions), not a user setting.
    storagePath: nonEmptyString(section.storagePath),
  };
}

export function sameSettings(a: Settings, b: Settings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
