import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { ManifestFile } from '@kube-routes/server/engine';
import type { FileStamp } from './file-stamp';

/**
 * The cache file: a fixed header, then the entries in V8's serialization format (node:v8), which
 * round-trips a ManifestFile exactly (Maps, Sets, bigints, properties set to undefined) with no
 * codec of ours to keep in step with the engine's types.
 *
 *   "kube-routes-cache\n"  magic (18 bytes)
 *   u32 format             cacheFormat
 *   u32 n, n bytes         the key (UTF-8): another key means another version or config
 *   20 bytes               SHA-1 of the payload: a truncated or damaged file is told apart
 *   payload                serialize(CachePayload)
 *
 * The key sits before the payload so a cache of another config is dismissed unread.
 */
export const cacheFormat = 1;
const magic = Buffer.from('kube-routes-cache\n', 'latin1');

export interface CacheEntry {
  readonly stamp: FileStamp;
  readonly hash: string;
  readonly file: ManifestFile;
}

export interface CachePayload {
  /** Date.now() when the file was written: stamps this recent are checked by hash (racy files). */
  readonly savedAt: number;
  readonly entries: ReadonlyMap<string, CacheEntry>;
}

export type DecodedCache =
  | { readonly payload: CachePayload }
  /** Another format or key: not a problem, just not ours to read. */
  | { readonly stale: true }
  /** One line on what is wrong with the file. */
  | { readonly corrupt: string };

export function encodeCacheFile(key: string, payload: CachePayload): Buffer {
  const body = serialize(payload);
  const keyBytes = Buffer.from(key, 'utf8');
  const head = Buffer.alloc(8);
  head.writeUInt32BE(cacheFormat, 0);
  head.writeUInt32BE(keyBytes.length, 4);
  const sum = createHash('sha1').update(body).digest();
  return Buffer.concat([magic, head.subarray(0, 4), head.subarray(4), keyBytes, sum, body]);
}

export function decodeCacheFile(bytes: Buffer, key: string): DecodedCache {
  if (bytes.length < magic.length + 8 || !bytes.subarray(0, magic.length).equals(magic))
    return { corrupt: 'not a kube-routes cache file' };
  let at = magic.length;
  if (bytes.readUInt32BE(at) !== cacheFormat) return { stale: true };
  const keyLength = bytes.readUInt32BE(at + 4);
  at += 8;
  if (at + keyLength + 20 > bytes.length) return { corrupt: 'truncated' };
  if (bytes.toString('utf8', at, at + keyLength) !== key) return { stale: true };
  at += keyLength;
  const sum = bytes.subarray(at, at + 20);
  const body = bytes.subarray(at + 20);
  if (!createHash('sha1').update(body).digest().equals(sum)) return { corrupt: 'truncated or damaged (checksum)' };
  let payload: unknown;
  try {
    payload = deserialize(body);
  } catch (e) {
    return { corrupt: `unreadable (${e instanceof Error ? e.message : String(e)})` };
  }
  return isPayload(payload) ? { payload } : { corrupt: 'unexpected content' };
}

function isPayload(value: unknown): value is CachePayload {
  if (typeof value !== 'object' || value === null) return false;
  const { savedAt, entries } = value as Record<string, unknown>;
  if (typeof savedAt !== 'number' || !(entries instanceof Map)) return false;
  for (const [path, entry] of entries as Map<unknown, unknown>) {
    if (typeof path !== 'string' || typeof entry !== 'object' || entry === null) return false;
    const { stamp, hash, file } = entry as Record<string, unknown>;
    if (typeof hash !== 'string' || typeof stamp !== 'object' || stamp === null) return false;
    if (typeof file !== 'object' || file === null || !Array.isArray((file as ManifestFile).services)) return false;
  }
  return true;
}
