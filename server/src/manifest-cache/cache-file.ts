import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { ManifestFile } from '@kube-routes/server/engine';
import type { FileStamp } from './file-stamp';

/**
 * The cache file: a header, then one or two sections, each in V8's serialization format (node:v8),
 * which round-trips a ManifestFile exactly (Maps, Sets, bigints, properties set to undefined) with
 * no codec of ours to keep in step with the engine's types.
 *
 *   "kube-routes-cache\n"   magic (18 bytes)
 *   u32 format              cacheFormat
 *   u32 n, n bytes          the key (UTF-8): another key means another version or config
 *   sections, each:         u32 length, 20 bytes SHA-1 of the section, serialize(...)
 *     base                  Map<path, CacheEntry>
 *     changes (optional)    Map<path, CacheEntry | null>: what changed since the base, null = gone
 *
 * A run that changes a few files writes the base section's bytes as it read them and a small
 * changes section, instead of serializing every entry again; the file is still written whole
 * (temporary file, rename). The key sits before the sections so a cache of another config is
 * dismissed unread; the checksums tell a truncated or damaged file apart.
 */
export const cacheFormat = 2;
const magic = Buffer.from('kube-routes-cache\n', 'latin1');
const sumBytes = 20;

export interface CacheEntry {
  readonly stamp: FileStamp;
  readonly hash: string;
  /** Date.now() when the stamp was taken: a file changed within the same tick could look unchanged. */
  readonly seenAt: number;
  readonly file: ManifestFile;
}

export type Entries = ReadonlyMap<string, CacheEntry>;
export type Changes = ReadonlyMap<string, CacheEntry | null>;

export interface DecodedSections {
  readonly base: Entries;
  /** The base section as read, to be written again unchanged. */
  readonly baseBytes: Section;
  readonly changes: Changes;
}

export type DecodedCache =
  | { readonly sections: DecodedSections }
  /** Another format or key: not a problem, just not ours to read. */
  | { readonly stale: true }
  /** One line on what is wrong with the file. */
  | { readonly corrupt: string };

function header(key: string): Buffer {
  const keyBytes = Buffer.from(key, 'utf8');
  const numbers = Buffer.alloc(8);
  numbers.writeUInt32BE(cacheFormat, 0);
  numbers.writeUInt32BE(keyBytes.length, 4);
  return Buffer.concat([magic, numbers, keyBytes]);
}

/**
 * A section as the pieces written one after another: never concatenated, since the body of a large
 * workspace is megabytes and each copy adds to the writer's peak memory (the language server's).
 */
export type Section = readonly Buffer[];

/** One section: length, checksum, body. */
export function encodeSection(value: Entries | Changes): Section {
  const body = serialize(value);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  return [length, createHash('sha1').update(body).digest(), body];
}

/** The whole file as the pieces to write in order. */
export function encodeCacheFile(key: string, sections: readonly Section[]): readonly Buffer[] {
  return [header(key), ...sections.flat()];
}

export function decodeCacheFile(bytes: Buffer, key: string): DecodedCache {
  if (bytes.length < magic.length + 8 || !bytes.subarray(0, magic.length).equals(magic))
    return { corrupt: 'not a kube-routes cache file' };
  let at = magic.length;
  if (bytes.readUInt32BE(at) !== cacheFormat) return { stale: true };
  const keyLength = bytes.readUInt32BE(at + 4);
  at += 8;
  if (at + keyLength > bytes.length) return { corrupt: 'truncated' };
  if (bytes.toString('utf8', at, at + keyLength) !== key) return { stale: true };
  at += keyLength;
  const sections: { bytes: Section; value: unknown }[] = [];
  while (at < bytes.length && sections.length < 2) {
    if (at + 4 + sumBytes > bytes.length) return { corrupt: 'truncated' };
    const end = at + 4 + sumBytes + bytes.readUInt32BE(at);
    if (end > bytes.length) return { corrupt: 'truncated' };
    const body = bytes.subarray(at + 4 + sumBytes, end);
    if (
      !createHash('sha1')
        .update(body)
        .digest()
        .equals(bytes.subarray(at + 4, at + 4 + sumBytes))
    )
      return { corrupt: 'damaged (checksum)' };
    try {
      sections.push({ bytes: [bytes.subarray(at, end)], value: deserialize(body) });
    } catch (e) {
      return { corrupt: `unreadable (${e instanceof Error ? e.message : String(e)})` };
    }
    at = end;
  }
  const [base, changes] = sections;
  if (at !== bytes.length || !base || !isEntries(base.value, false) || (changes && !isEntries(changes.value, true)))
    return { corrupt: 'unexpected content' };
  return {
    sections: {
      base: base.value,
      baseBytes: base.bytes,
      changes: (changes?.value as Changes | undefined) ?? new Map(),
    },
  };
}

function isEntries(value: unknown, nullable: boolean): value is Entries {
  if (!(value instanceof Map)) return false;
  for (const [path, entry] of value as Map<unknown, unknown>) {
    if (typeof path !== 'string') return false;
    if (entry === null && nullable) continue;
    if (typeof entry !== 'object' || entry === null) return false;
    const { stamp, hash, seenAt, file } = entry as Record<string, unknown>;
    if (typeof hash !== 'string' || typeof seenAt !== 'number' || typeof stamp !== 'object' || stamp === null)
      return false;
    if (typeof file !== 'object' || file === null || !Array.isArray((file as ManifestFile).services)) return false;
  }
  return true;
}
