import { fileURLToPath, pathToFileURL } from 'node:url';

// The engine names files by path; LSP names documents by URI. Paths are the index keys, and a
// document's URI is remembered as the client spelled it (VS Code percent-encodes more characters
// than Node does), so diagnostics go back under the exact URI the client opened.

/** The file system path of a file: URI; other schemes (untitled:, ...) keep the URI as their name. */
export function uriToPath(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return fileURLToPath(uri);
  } catch {
    return uri;
  }
}

export function isFileUri(uri: string): boolean {
  return uri.startsWith('file:');
}

/** A name that is a non-file URI (untitled:Untitled-1), not a path (/a/b, C:\\a). */
function isUriName(name: string): boolean {
  return /^[a-z][a-z0-9+.-]+:/i.test(name);
}

export class UriSpelling {
  private readonly byPath = new Map<string, string>();

  remember(uri: string): string {
    const path = uriToPath(uri);
    this.byPath.set(path, uri);
    return path;
  }

  forget(path: string): void {
    this.byPath.delete(path);
  }

  /** The URI the client used for a path, if it ever named it (an open document always has). */
  known(path: string): string | undefined {
    return this.byPath.get(path);
  }

  uri(path: string): string {
    const known = this.byPath.get(path);
    if (known) return known;
    return isUriName(path) ? path : pathToFileURL(path).href;
  }
}
