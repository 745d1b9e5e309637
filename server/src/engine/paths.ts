import picomatch from 'picomatch/posix';
import type { KubeRoutesConfig } from './config/model';

// Paths as the engine sees them: the strings the face gave for files and for the config (both
// relative to one working directory, or both absolute), compared with "/" separators. Globs of
// kube-routes.yaml (regions.*.paths, exclude) are relative to the config's folder.

function normalize(path: string): string[] {
  const out: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out;
}

/** The file's path relative to the config's folder; undefined when it is not below it. */
export function pathFromConfig(config: KubeRoutesConfig, file: string): string | undefined {
  const base = config.root ?? (config.file === undefined ? undefined : config.file.replace(/[^/\\]*$/, ''));
  const configParts = base === undefined ? [] : normalize(base);
  const absolute = file.startsWith('/');
  if (base !== undefined && absolute !== base.startsWith('/')) return undefined;
  const fileParts = normalize(file);
  if (configParts.some((p, i) => fileParts[i] !== p)) return undefined;
  return fileParts.slice(configParts.length).join('/');
}

const matchers = new Map<string, (path: string) => boolean>();

/** Whether a relative path matches a glob of kube-routes.yaml ("**" any depth; dot files too). */
export function globMatches(glob: string, path: string): boolean {
  let match = matchers.get(glob);
  if (!match) {
    const m = picomatch(glob.replace(/^\.\//, ''), { dot: true });
    match = (p: string) => m(p);
    matchers.set(glob, match);
  }
  return match(path);
}

/** Whether kube-routes.yaml's exclude globs skip the file (or a folder above it). */
export function isExcluded(config: KubeRoutesConfig, file: string): boolean {
  if (config.exclude.length === 0) return false;
  const path = pathFromConfig(config, file);
  if (path === undefined) return false;
  const parts = path.split('/');
  // A glob naming a folder ("charts") excludes what is under it.
  return config.exclude.some((g) => parts.some((_, i) => globMatches(g, parts.slice(0, i + 1).join('/'))));
}
