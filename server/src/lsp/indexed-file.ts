import {
  linkKeys as engineLinkKeys,
  poolsLinkKey,
  readManifestFile,
  type ManifestFile,
} from '@kube-routes/server/engine';
import { decodeSource, defaultMaxFileBytes, helmChartOf, readSourceFile } from '@kube-routes/server/node';
import { Compactor } from './compact';

/** One YAML file as the server knows it: parsed once per version of its text. */
export interface IndexedFile {
  readonly path: string;
  /** 'open': the editor's text, unsaved edits included; 'disk': the file system's. */
  readonly origin: 'open' | 'disk';
  /** The kube-routes.yaml that governs it; files with the same config are checked together. */
  readonly configPath: string | undefined;
  /** Undefined when the file cannot be YAML text (then problem says why). */
  readonly manifest: ManifestFile | undefined;
  readonly problem: string | undefined;
  /**
   * What links it to other files' findings, scoped by config: the address of every IP literal
   * (duplicates, conflicts) and every Service id (anycast regions of one Service).
   */
  readonly keys: readonly string[];
  /** Whether diagnostics are shown for it: it has Services, pools or ServiceCIDRs, is a Helm template, or names the kind (a broken one). */
  readonly holdsServices: boolean;
}

/** Shared by every file read: positions are shared across files. */
const compactor = new Compactor();

const serviceKind = /\bkind\s*:\s*["']?Service\b/;

export function scopedKey(configPath: string | undefined, key: string): string {
  return `${configPath ?? ''}\u0000${key}`;
}

export function addressKey(configPath: string | undefined, addressKeyText: string): string {
  return scopedKey(configPath, `ip:${addressKeyText}`);
}

const poolsSuffix = `\u0000${poolsLinkKey}`;

/** Held by every file declaring a pool or ServiceCIDR: they take part in every check of their config. */
export function poolsKey(configPath: string | undefined): string {
  return `${configPath ?? ''}${poolsSuffix}`;
}

/** The config a pools key belongs to ('' for none), or undefined for another key. */
export function poolsKeyConfig(key: string): string | undefined {
  return key.endsWith(poolsSuffix) ? key.slice(0, -poolsSuffix.length) : undefined;
}

function linkKeys(manifest: ManifestFile, configPath: string | undefined): string[] {
  return engineLinkKeys(manifest).map((key) => scopedKey(configPath, key));
}

/** Parses text; a parser failure the engine did not foresee (a stack overflow) becomes a problem, not a crash. */
export function indexText(
  path: string,
  text: string,
  origin: IndexedFile['origin'],
  configPath: string | undefined,
): IndexedFile {
  if (text.length > defaultMaxFileBytes) {
    const read = decodeSource(new TextEncoder().encode(text), path);
    return unreadable(
      path,
      origin,
      configPath,
      'problem' in read ? read.problem : 'file is too large to be a manifest',
    );
  }
  let manifest: ManifestFile;
  try {
    // As `kubectl routes check`: a file under a chart's templates/ is a template, not a manifest.
    manifest = readManifestFile({ path, text }, helmChartOf(path));
  } catch (e) {
    return unreadable(
      path,
      origin,
      configPath,
      `cannot parse this file as YAML: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  // A closed file keeps only what was extracted, copied compactly (compact.ts): its values are
  // slices of the text, and a slice keeps the whole text alive (V8's sliced strings). An open
  // document's text is kept anyway, and it changes as the user types: kept as it is.
  const kept = origin === 'disk' ? compactor.manifest(manifest, path) : manifest;
  return fromManifest(path, origin, configPath, kept, serviceKind.test(text));
}

/**
 * A file from what the engine extracted. namesService: the text names kind Service (a broken
 * one shows its syntax errors); without the text (a cached file) only what was extracted counts.
 */
export function fromManifest(
  path: string,
  origin: IndexedFile['origin'],
  configPath: string | undefined,
  manifest: ManifestFile,
  namesService = false,
): IndexedFile {
  return {
    path,
    origin,
    configPath,
    manifest,
    problem: undefined,
    keys: linkKeys(manifest, configPath),
    holdsServices:
      manifest.services.length > 0 ||
      manifest.pools.length > 0 ||
      manifest.serviceCIDRs.length > 0 ||
      manifest.helmTemplate !== undefined ||
      namesService,
  };
}

export function indexDiskFile(path: string, configPath: string | undefined): IndexedFile {
  const read = readSourceFile(path, path);
  if ('problem' in read) return unreadable(path, 'disk', configPath, read.problem);
  return indexText(path, read.source.text, 'disk', configPath);
}

function unreadable(
  path: string,
  origin: IndexedFile['origin'],
  configPath: string | undefined,
  problem: string,
): IndexedFile {
  return { path, origin, configPath, manifest: undefined, problem, keys: [], holdsServices: true };
}

/** The same file under another config (a kube-routes.yaml appeared or went away above it). */
export function withConfig(file: IndexedFile, configPath: string | undefined): IndexedFile {
  if (file.configPath === configPath) return file;
  return { ...file, configPath, keys: file.manifest ? linkKeys(file.manifest, configPath) : [] };
}
