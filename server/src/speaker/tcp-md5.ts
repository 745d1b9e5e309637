import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Socket, type Server } from 'node:net';
import type { PasswordSource } from '@kube-routes/server/engine';

/** The native addon's surface (server/native/tcp-md5). */
interface TcpMd5Addon {
  createSocket(family: 4 | 6): number;
  setKey(fd: number, address: string, prefixLength: number, key: Uint8Array): void;
  close(fd: number): void;
}

/** A password that cannot be used: the daemon prints it as one line and exits 2 (or keeps the old config on SIGHUP). */
export class TcpMd5Error extends Error {}

let addon: TcpMd5Addon | undefined;

/** The addon, loaded on first use: only a config with a password needs it. */
export function tcpMd5(): TcpMd5Addon {
  if (addon) return addon;
  try {
    addon = createRequire(__filename)('@kube-routes/tcp-md5') as TcpMd5Addon;
    return addon;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new TcpMd5Error(
      `TCP-MD5 passwords need the native addon @kube-routes/tcp-md5 (server/native/tcp-md5), which cannot be loaded (${why}); build it with "npm rebuild @kube-routes/tcp-md5" (needs make, g++ and Node's headers), or remove the passwords`,
    );
  }
}

const MAX_KEY_BYTES = 80;

/** The key bytes of a password; a passwordFile is read now (one trailing newline dropped). */
export function resolvePassword(source: PasswordSource, owner: string): Uint8Array {
  if (source.kind === 'inline') return new TextEncoder().encode(source.secret.reveal());
  let text: string;
  try {
    text = readFileSync(source.path, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new TcpMd5Error(`cannot read passwordFile ${source.path} for ${owner}: ${code}`);
  }
  const key = new TextEncoder().encode(text);
  if (key.length === 0 || key.length > MAX_KEY_BYTES)
    throw new TcpMd5Error(
      `passwordFile ${source.path} for ${owner} holds ${key.length} bytes; a TCP-MD5 password is 1 to ${MAX_KEY_BYTES}`,
    );
  return key;
}

/** One key on a listening socket: a peer address (full length) or a dynamic group's prefix. */
export interface ListenerKey {
  readonly address: string;
  readonly prefixLength: number;
  readonly key: Uint8Array;
}

/**
 * The keys installed on the BGP listener. Accepted connections inherit them, so a peer that does
 * not sign (or signs with another key) never gets past the SYN: the kernel drops its segments.
 */
export class ListenerKeys {
  private installed = new Map<string, ListenerKey>();

  /** Installs `wanted`, replacing changed keys and deleting keys no longer configured. */
  apply(server: Server, wanted: readonly ListenerKey[]): void {
    if (wanted.length === 0 && this.installed.size === 0) return;
    const fd = listenerFd(server);
    const md5 = tcpMd5();
    const next = new Map(wanted.map((k) => [`${k.address}/${k.prefixLength}`, k]));
    for (const [id, old] of this.installed)
      if (!next.has(id)) {
        try {
          md5.setKey(fd, old.address, old.prefixLength, new Uint8Array(0));
        } catch {
          // Already gone: nothing to delete.
        }
      }
    for (const [id, k] of next) {
      const old = this.installed.get(id);
      if (old && sameBytes(old.key, k.key)) continue;
      try {
        md5.setKey(fd, k.address, k.prefixLength, k.key);
      } catch (e) {
        throw new TcpMd5Error(`cannot set the TCP-MD5 key for ${id} on the BGP listener: ${(e as Error).message}`);
      }
    }
    this.installed = next;
  }
}

/** A socket that signs its segments to `host` with `key`, ready for `connect()`. */
export function signedSocket(host: string, family: 4 | 6, key: Uint8Array): Socket {
  const md5 = tcpMd5();
  const fd = md5.createSocket(family);
  try {
    md5.setKey(fd, host, family === 4 ? 32 : 128, key);
  } catch (e) {
    md5.close(fd);
    throw new TcpMd5Error(`cannot set the TCP-MD5 key for ${host}: ${(e as Error).message}`);
  }
  return new Socket({ fd, readable: true, writable: true });
}

function listenerFd(server: Server): number {
  // Node keeps the descriptor on the listening handle; it has no public accessor.
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new TcpMd5Error('the BGP listener has no socket descriptor');
  return fd;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The resolved keys of a speaker config: static peers by address key, dynamic groups by name. */
export interface ResolvedKeys {
  readonly peers: ReadonlyMap<string, Uint8Array>;
  readonly groups: ReadonlyMap<string, Uint8Array>;
}

/** Reads every password (files too) and loads the addon when there is any; throws TcpMd5Error. */
export function resolveKeys(config: {
  readonly peers: readonly {
    readonly address: { readonly key: string };
    readonly addressText: string;
    readonly password: PasswordSource | undefined;
  }[];
  readonly dynamicPeers: readonly { readonly name: string; readonly password: PasswordSource | undefined }[];
}): ResolvedKeys {
  const peers = new Map<string, Uint8Array>();
  const groups = new Map<string, Uint8Array>();
  for (const p of config.peers)
    if (p.password) peers.set(p.address.key, resolvePassword(p.password, `peer ${p.addressText}`));
  for (const g of config.dynamicPeers)
    if (g.password) groups.set(g.name, resolvePassword(g.password, `dynamic peer group ${g.name}`));
  if (peers.size + groups.size > 0) tcpMd5();
  return { peers, groups };
}
