import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cacheFormat } from './cache-file';

/**
 * The key a cache is written under: entries are used only by a run with the same key. It always
 * covers the cache format, V8's serialization version and the code that extracts (see
 * codeFingerprint); the caller adds its version and whatever else changes what it stores (config
 * texts, exclusions, the working directory its display paths are relative to).
 */
export function manifestCacheKey(parts: readonly string[]): string {
  const hash = createHash('sha1');
  for (const part of [String(cacheFormat), process.versions.v8, codeFingerprint(), ...parts]) {
    hash.update(String(part.length));
    hash.update(':');
    hash.update(part);
  }
  return hash.digest('hex');
}

let fingerprint: string | undefined;

/**
 * What identifies the extraction code, so a rebuilt engine never reads entries an older one wrote
 * under the same version number: from a build tree, the content of the engine's compiled files
 * (dist/src/engine, beside this folder); from a bundle or a single executable, where that folder
 * does not exist, the size and time of the bundle itself.
 */
export function codeFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const engine = join(__dirname, '..', 'engine');
  const hash = createHash('sha1');
  try {
    const files = jsFiles(engine);
    // A folder that merely happens to be called "engine" beside a bundle is not ours.
    if (!files.includes('manifest/read-manifests.js')) throw new Error('not a build tree');
    for (const file of files) hash.update(file).update(readFileSync(join(engine, file)));
    fingerprint = `engine:${hash.digest('hex')}`;
  } catch {
    const self = statSync(__filename, { throwIfNoEntry: false });
    fingerprint = self ? `bundle:${self.size}:${self.mtimeMs}` : 'unknown';
  }
  return fingerprint;
}

function jsFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  const entries = readdirSync(join(dir, prefix), { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...jsFiles(dir, rel));
    else if (entry.name.endsWith('.js')) out.push(rel);
  }
  return out;
}
