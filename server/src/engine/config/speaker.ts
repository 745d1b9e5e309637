import { parseCidr, parseIpAddress, rangesOverlap, type IpAddress, type IpRange } from '../addresses';
import { parseAsnRanges, type AsnRange } from './asn-ranges';
import { parsePassword, type PasswordSource, type RawPassword } from './password';

export { asnInRanges, formatAsnRanges, type AsnRange } from './asn-ranges';
export { Secret, type PasswordSource } from './password';

/** What a static peer and a dynamic peer group both set (the parsed form of RawPeerOptions). */
export interface PeerOptions {
  readonly description: string | undefined;
  readonly addPath: boolean;
  readonly maxPrefixes: number;
  readonly holdTime: number;
  readonly gracefulRestart: boolean;
  /** TCP-MD5 (RFC 2385) key source; undefined for no signature. */
  readonly password: PasswordSource | undefined;
}

/** One configured BGP peer of the speaker. */
export interface SpeakerPeerConfig extends PeerOptions {
  readonly address: IpAddress;
  /** As written in the config, for logs and the API. */
  readonly addressText: string;
  readonly asn: number;
  /** Connect actively to this port too; passive only when undefined. */
  readonly port: number | undefined;
  /** A dynamic session: the group it belongs to and the ASNs its OPEN may carry (`asn` is then the first). */
  readonly dynamic?: { readonly group: string; readonly asns: readonly AsnRange[] };
}

/** `speaker.dynamicPeers[]`: any address in `prefix` may open a session (passively accepted). */
export interface SpeakerDynamicPeerConfig extends PeerOptions {
  /** The group's name in /v1/peers, logs and metrics (default: the prefix). */
  readonly name: string;
  readonly prefix: IpRange;
  /** The prefix length, for per-prefix TCP-MD5 keys. */
  readonly prefixLength: number;
  readonly asns: readonly AsnRange[];
  /** Sessions of this group at once; more connections get Cease / Connection Rejected. */
  readonly maxSessions: number;
}

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** The `speaker:` section: the bundled BGP speaker's identity, sockets and peers. */
export interface SpeakerConfig {
  readonly asn: number;
  readonly routerId: string;
  /** routerId as an unsigned 32-bit number, for the OPEN and collision resolution. */
  readonly routerIdValue: number;
  readonly listen: Endpoint;
  readonly api: Endpoint;
  readonly holdTime: number;
  readonly peers: readonly SpeakerPeerConfig[];
  readonly dynamicPeers: readonly SpeakerDynamicPeerConfig[];
  /** BMP station listener, when configured. */
  readonly bmp: { readonly listen: Endpoint; readonly maxPrefixes: number } | undefined;
}

/** Session options a static peer and a dynamic peer group share, as written. */
interface RawPeerOptions {
  description?: string;
  addPath?: boolean;
  maxPrefixes?: number;
  holdTime?: number;
  gracefulRestart?: boolean;
  password?: string;
  passwordFile?: string;
}

export interface RawSpeakerPeer extends RawPeerOptions {
  address: string;
  asn: number;
  port?: number;
}

export interface RawDynamicPeer extends RawPeerOptions {
  prefix: string;
  asns: (number | string)[];
  name?: string;
  maxSessions?: number;
}

export interface RawSpeaker {
  asn: number;
  routerId: string;
  listen?: string;
  api?: string;
  holdTime?: number;
  peers?: RawSpeakerPeer[];
  dynamicPeers?: RawDynamicPeer[];
  bmp?: { listen: string; maxPrefixes?: number };
}

export const defaultListen = '0.0.0.0:179';
export const defaultApi = '127.0.0.1:8179';
export const defaultHoldTime = 90;
export const defaultMaxPrefixes = 2_000_000;
export const defaultMaxSessions = 4096;

type At = (path: (string | number)[], message: string) => void;

/** "HOST:PORT" or "[IPv6]:PORT", the host an IP address. */
export function parseEndpoint(text: string): Endpoint | string {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || host === undefined) return `"${text}" is not HOST:PORT (e.g. 127.0.0.1:8179, [::1]:8179)`;
  if (!parseIpAddress(host)) return `"${host}" in "${text}" is not an IP address`;
  if (port < 1 || port > 65535) return `port ${m[3]} in "${text}" is out of range (1-65535)`;
  return { host, port };
}

function holdTimeError(value: number): string | undefined {
  return value === 1 || value === 2
    ? `hold time ${value} is not allowed: use 0 or 3 to 65535 (RFC 4271 4.2)`
    : undefined;
}

/** Semantic checks after the schema: addresses, endpoints, duplicate peers, hold times. */
export function parseSpeaker(raw: RawSpeaker, at: At): SpeakerConfig | undefined {
  let ok = true;
  const fail = (path: (string | number)[], message: string) => {
    ok = false;
    at(['speaker', ...path], message);
  };
  const routerId = parseIpAddress(raw.routerId);
  if (routerId?.family !== 4)
    fail(['routerId'], `routerId "${raw.routerId}" must be an IPv4 address (the BGP identifier)`);
  else if (routerId.value === 0n) fail(['routerId'], 'routerId 0.0.0.0 is not a valid BGP identifier');
  const endpoint = (field: 'listen' | 'api', fallback: string): Endpoint => {
    const parsed = parseEndpoint(raw[field] ?? fallback);
    if (typeof parsed === 'string') {
      fail([field], parsed);
      return { host: '', port: 0 };
    }
    return parsed;
  };
  const listen = endpoint('listen', defaultListen);
  const api = endpoint('api', defaultApi);
  let bmp: SpeakerConfig['bmp'];
  if (raw.bmp) {
    const parsed = parseEndpoint(raw.bmp.listen);
    if (typeof parsed === 'string') fail(['bmp', 'listen'], parsed);
    else bmp = { listen: parsed, maxPrefixes: raw.bmp.maxPrefixes ?? defaultMaxPrefixes };
  }
  const holdTime = raw.holdTime ?? defaultHoldTime;
  const holdError = holdTimeError(holdTime);
  if (holdError) fail(['holdTime'], holdError);

  const seen = new Map<string, number>();
  const peers: SpeakerPeerConfig[] = [];
  (raw.peers ?? []).forEach((p, i) => {
    const address = parseIpAddress(p.address);
    if (!address) {
      fail(['peers', i, 'address'], `peer address "${p.address}" is not an IP address`);
      return;
    }
    const first = seen.get(address.key);
    if (first !== undefined)
      fail(
        ['peers', i, 'address'],
        `peer ${p.address} is configured twice (also peers[${first}]); one session per address`,
      );
    seen.set(address.key, i);
    const options = parsePeerOptions(p, holdTime, (field, message) => fail(['peers', i, field], message));
    peers.push({ address, addressText: p.address, asn: p.asn, port: p.port, ...options });
  });
  const dynamicPeers = parseDynamicPeers(raw.dynamicPeers ?? [], holdTime, fail);
  if (!ok || !routerId) return undefined;
  return {
    asn: raw.asn,
    routerId: raw.routerId,
    routerIdValue: Number(routerId.value),
    listen,
    api,
    holdTime,
    peers,
    dynamicPeers,
    bmp,
  };
}

/** The options a static peer and a dynamic group share, with the speaker's defaults. */
function parsePeerOptions(
  raw: RawPeerOptions,
  speakerHoldTime: number,
  at: (field: string, message: string) => void,
): PeerOptions {
  const holdTime = raw.holdTime ?? speakerHoldTime;
  const holdError = holdTimeError(holdTime);
  if (holdError && raw.holdTime !== undefined) at('holdTime', holdError);
  return {
    description: raw.description,
    addPath: raw.addPath ?? false,
    maxPrefixes: raw.maxPrefixes ?? defaultMaxPrefixes,
    holdTime,
    gracefulRestart: raw.gracefulRestart ?? true,
    password: parsePassword(raw as RawPassword, at),
  };
}

/** `speaker.dynamicPeers`: prefixes, ASN ranges, unique names, no overlapping prefixes. */
function parseDynamicPeers(
  raws: readonly RawDynamicPeer[],
  speakerHoldTime: number,
  fail: (path: (string | number)[], message: string) => void,
): SpeakerDynamicPeerConfig[] {
  const groups: SpeakerDynamicPeerConfig[] = [];
  raws.forEach((g, i) => {
    const at = (field: string | number, message: string) => fail(['dynamicPeers', i, field], message);
    const cidr = parseCidr(g.prefix);
    if ('error' in cidr) return at('prefix', cidr.error);
    const name = g.name ?? g.prefix;
    for (const other of groups) {
      if (rangesOverlap(other.prefix, cidr.range))
        at(
          'prefix',
          `prefix ${g.prefix} overlaps dynamic peer group ${other.name} (${other.prefix.cidr}); one group per address`,
        );
      if (other.name === name) at('name', `dynamic peer group name "${name}" is used twice`);
    }
    const asns = parseAsnRanges(g.asns, (j, message) => fail(['dynamicPeers', i, 'asns', j], message));
    groups.push({
      name,
      prefix: cidr.range,
      prefixLength: Number(g.prefix.slice(g.prefix.indexOf('/') + 1)),
      asns,
      ...parsePeerOptions(g, speakerHoldTime, at),
      maxSessions: g.maxSessions ?? defaultMaxSessions,
    });
  });
  return groups;
}
