/**
 * OPEN capabilities (RFC 5492). One descriptor table drives decoding,
 * encoding and formatting; capabilities without a row are kept as raw bytes.
 */
import { type ByteWriter, EncodeError, readU16, readU32, toHex } from './bytes';
import { ErrorCode, OpenMessageSubcode } from './error-codes';
import { BgpError } from './errors';
import { formatAfiSafi } from './family';

export const CapabilityCode = {
  Multiprotocol: 1,
  RouteRefresh: 2,
  ExtendedNextHop: 5,
  ExtendedMessage: 6,
  GracefulRestart: 64,
  FourOctetAs: 65,
  AddPath: 69,
  EnhancedRouteRefresh: 70,
} as const;

/** Multiprotocol Extensions (RFC 4760 8): the speaker supports this AFI/SAFI. */
export interface MultiprotocolCapability {
  readonly type: 'multiprotocol';
  readonly afi: number;
  readonly safi: number;
}

/** Route Refresh (RFC 2918). */
export interface RouteRefreshCapability {
  readonly type: 'route-refresh';
}

/** Enhanced Route Refresh (RFC 7313): BoRR/EoRR demarcation. */
export interface EnhancedRouteRefreshCapability {
  readonly type: 'enhanced-route-refresh';
}

/** Extended Message (RFC 8654): messages other than OPEN/KEEPALIVE may be up to 65535 octets. */
export interface ExtendedMessageCapability {
  readonly type: 'extended-message';
}

/** One entry of the Extended Next Hop capability. */
export interface ExtendedNextHopEntry {
  readonly afi: number;
  readonly safi: number;
  /** AFI of the next hop that may be used with this NLRI family (2 = IPv6). */
  readonly nextHopAfi: number;
}

/** Extended Next Hop Encoding (RFC 8950): e.g. IPv4 NLRI with IPv6 next hops. */
export interface ExtendedNextHopCapability {
  readonly type: 'extended-next-hop';
  readonly entries: readonly ExtendedNextHopEntry[];
}

/** RFC 4724 3: the Flags for Address Family bit saying the forwarding state was preserved. */
export const GR_FORWARDING_STATE = 0x80;

/** One family of the Graceful Restart capability. */
export interface GracefulRestartFamily {
  readonly afi: number;
  readonly safi: number;
  /** Flags for Address Family octet; 0x80 = Forwarding State preserved. */
  readonly flags: number;
}

/** Graceful Restart (RFC 4724, RFC 8538). */
export interface GracefulRestartCapability {
  readonly type: 'graceful-restart';
  /** The 4 Restart Flags bits (0x8 = Restart State, 0x4 = Notification / RFC 8538). */
  readonly flags: number;
  /** Restart Time in seconds, 0..4095. */
  readonly restartTime: number;
  readonly families: readonly GracefulRestartFamily[];
}

/** Support for 4-octet AS numbers (RFC 6793); carries the speaker's real ASN. */
export interface FourOctetAsCapability {
  readonly type: 'four-octet-as';
  readonly asn: number;
}

export const AddPathMode = { Receive: 1, Send: 2, Both: 3 } as const;

/** One family of the ADD-PATH capability. */
export interface AddPathFamily {
  readonly afi: number;
  readonly safi: number;
  /** Send/Receive field: 1 receive, 2 send, 3 both (see `AddPathMode`). */
  readonly mode: number;
}

/** ADD-PATH (RFC 7911). */
export interface AddPathCapability {
  readonly type: 'add-path';
  readonly families: readonly AddPathFamily[];
}

/** A capability this codec does not interpret, kept byte for byte. */
export interface UnknownCapability {
  readonly type: 'unknown';
  readonly code: number;
  readonly value: Uint8Array;
}

export type Capability =
  | MultiprotocolCapability
  | RouteRefreshCapability
  | EnhancedRouteRefreshCapability
  | ExtendedMessageCapability
  | ExtendedNextHopCapability
  | GracefulRestartCapability
  | FourOctetAsCapability
  | AddPathCapability
  | UnknownCapability;

export type KnownCapability = Exclude<Capability, UnknownCapability>;

/** A row of the capability table. */
export interface CapabilityDescriptor<C extends KnownCapability = KnownCapability> {
  readonly code: number;
  readonly type: C['type'];
  /** IANA-style name, e.g. "MULTIPROTOCOL". */
  readonly name: string;
  /** Decode the value bytes[start, end); a reason string when malformed. */
  decode(bytes: Uint8Array, start: number, end: number): C | string;
  /** Write the value (without code and length). */
  encode(capability: C, out: ByteWriter): void;
  /** Human-readable value, e.g. "ipv6-unicast". */
  format(capability: C): string;
}

function empty<C extends RouteRefreshCapability | EnhancedRouteRefreshCapability | ExtendedMessageCapability>(
  code: number,
  type: C['type'],
  name: string,
): CapabilityDescriptor<C> {
  const value = { type } as C;
  return {
    code,
    type,
    name,
    decode: (_bytes, start, end) => (end === start ? value : `length ${end - start}, expected 0`),
    encode: () => undefined,
    format: () => '',
  };
}

/** The capability table: one row per capability this codec interprets. */
export const CAPABILITY_DESCRIPTORS: readonly CapabilityDescriptor[] = [
  {
    code: CapabilityCode.Multiprotocol,
    type: 'multiprotocol',
    name: 'MULTIPROTOCOL',
    decode(bytes, start, end): MultiprotocolCapability | string {
      if (end - start !== 4) return `length ${end - start}, expected 4`;
      // The third octet is Reserved: sent as 0, ignored on receipt.
      return { type: 'multiprotocol', afi: readU16(bytes, start), safi: bytes[start + 3] };
    },
    encode(c: MultiprotocolCapability, out) {
      out.u16(c.afi, 'AFI');
      out.u8(0);
      out.u8(c.safi, 'SAFI');
    },
    format: (c: MultiprotocolCapability) => formatAfiSafi(c.afi, c.safi),
  } satisfies CapabilityDescriptor<MultiprotocolCapability>,
  empty<RouteRefreshCapability>(CapabilityCode.RouteRefresh, 'route-refresh', 'ROUTE_REFRESH'),
  {
    code: CapabilityCode.ExtendedNextHop,
    type: 'extended-next-hop',
    name: 'EXTENDED_NEXT_HOP',
    decode(bytes, start, end): ExtendedNextHopCapability | string {
      if ((end - start) % 6 !== 0) return `length ${end - start} is not a multiple of 6`;
      const entries: ExtendedNextHopEntry[] = [];
      for (let i = start; i < end; i += 6) {
        entries.push({ afi: readU16(bytes, i), safi: readU16(bytes, i + 2), nextHopAfi: readU16(bytes, i + 4) });
      }
      return { type: 'extended-next-hop', entries };
    },
    encode(c: ExtendedNextHopCapability, out) {
      for (const e of c.entries) {
        out.u16(e.afi, 'AFI');
        out.u16(e.safi, 'SAFI');
        out.u16(e.nextHopAfi, 'next hop AFI');
      }
    },
    format: (c: ExtendedNextHopCapability) =>
      c.entries
        .map((e) => `${formatAfiSafi(e.afi, e.safi)} via ${e.nextHopAfi === 2 ? 'ipv6' : `afi-${e.nextHopAfi}`}`)
        .join(', '),
  } satisfies CapabilityDescriptor<ExtendedNextHopCapability>,
  empty<ExtendedMessageCapability>(CapabilityCode.ExtendedMessage, 'extended-message', 'EXTENDED_MESSAGE'),
  {
    code: CapabilityCode.GracefulRestart,
    type: 'graceful-restart',
    name: 'GRACEFUL_RESTART',
    decode(bytes, start, end): GracefulRestartCapability | string {
      if (end - start < 2 || (end - start - 2) % 4 !== 0) return `length ${end - start} is not 2 + a multiple of 4`;
      const head = readU16(bytes, start);
      const families: GracefulRestartFamily[] = [];
      for (let i = start + 2; i < end; i += 4) {
        families.push({ afi: readU16(bytes, i), safi: bytes[i + 2], flags: bytes[i + 3] });
      }
      return { type: 'graceful-restart', flags: head >>> 12, restartTime: head & 0x0fff, families };
    },
    encode(c: GracefulRestartCapability, out) {
      if (!Number.isInteger(c.flags) || c.flags < 0 || c.flags > 15) throw new EncodeError(`restart flags ${c.flags}`);
      if (!Number.isInteger(c.restartTime) || c.restartTime < 0 || c.restartTime > 4095) {
        throw new EncodeError(`restart time ${c.restartTime}`);
      }
      out.u16((c.flags << 12) | c.restartTime);
      for (const f of c.families) {
        out.u16(f.afi, 'AFI');
        out.u8(f.safi, 'SAFI');
        out.u8(f.flags, 'address family flags');
      }
    },
    format(c: GracefulRestartCapability) {
      const flags = [c.flags & 8 ? 'restarting' : '', c.flags & 4 ? 'notification' : ''].filter(Boolean).join(',');
      const families = c.families.map(
        (f) => `${formatAfiSafi(f.afi, f.safi)}${f.flags & GR_FORWARDING_STATE ? '(forwarding)' : ''}`,
      );
      return [`time ${c.restartTime}`, flags && `flags ${flags}`, ...families].filter(Boolean).join(' ');
    },
  } satisfies CapabilityDescriptor<GracefulRestartCapability>,
  {
    code: CapabilityCode.FourOctetAs,
    type: 'four-octet-as',
    name: 'FOUR_OCTET_AS',
    decode(bytes, start, end): FourOctetAsCapability | string {
      if (end - start !== 4) return `length ${end - start}, expected 4`;
      return { type: 'four-octet-as', asn: readU32(bytes, start) };
    },
    encode(c: FourOctetAsCapability, out) {
      out.u32(c.asn, 'ASN');
    },
    format: (c: FourOctetAsCapability) => String(c.asn),
  } satisfies CapabilityDescriptor<FourOctetAsCapability>,
  {
    code: CapabilityCode.AddPath,
    type: 'add-path',
    name: 'ADD_PATH',
    decode(bytes, start, end): AddPathCapability | string {
      if ((end - start) % 4 !== 0) return `length ${end - start} is not a multiple of 4`;
      const families: AddPathFamily[] = [];
      for (let i = start; i < end; i += 4)
        families.push({ afi: readU16(bytes, i), safi: bytes[i + 2], mode: bytes[i + 3] });
      return { type: 'add-path', families };
    },
    encode(c: AddPathCapability, out) {
      for (const f of c.families) {
        out.u16(f.afi, 'AFI');
        out.u8(f.safi, 'SAFI');
        out.u8(f.mode, 'send/receive');
      }
    },
    format: (c: AddPathCapability) =>
      c.families
        .map(
          (f) =>
            `${formatAfiSafi(f.afi, f.safi)} ${['none', 'receive', 'send', 'send-receive'][f.mode] ?? `mode-${f.mode}`}`,
        )
        .join(', '),
  } satisfies CapabilityDescriptor<AddPathCapability>,
  empty<EnhancedRouteRefreshCapability>(
    CapabilityCode.EnhancedRouteRefresh,
    'enhanced-route-refresh',
    'ENHANCED_ROUTE_REFRESH',
  ),
];

const BY_CODE: ReadonlyMap<number, CapabilityDescriptor> = new Map(CAPABILITY_DESCRIPTORS.map((d) => [d.code, d]));
const BY_TYPE: ReadonlyMap<string, CapabilityDescriptor> = new Map(CAPABILITY_DESCRIPTORS.map((d) => [d.type, d]));

/** The table row for a capability code, if this codec interprets it. */
export function capabilityDescriptor(code: number): CapabilityDescriptor | undefined {
  return BY_CODE.get(code);
}

/** Capability code of a value (raw code for unknown ones). */
export function capabilityCode(capability: Capability): number {
  return capability.type === 'unknown' ? capability.code : (BY_TYPE.get(capability.type)?.code ?? -1);
}

/**
 * Decode the capabilities inside one Capabilities Optional Parameter (RFC 5492 4).
 * Malformed capabilities are an OPEN Message Error (subcode 0, as BIRD does).
 */
export function decodeCapabilities(bytes: Uint8Array, start: number, end: number): Capability[] | BgpError {
  const out: Capability[] = [];
  let i = start;
  while (i < end) {
    if (end - i < 2) return openError(`truncated capability header at offset ${i - start}`);
    const code = bytes[i];
    const length = bytes[i + 1];
    const valueStart = i + 2;
    const valueEnd = valueStart + length;
    if (valueEnd > end) return openError(`capability ${code} length ${length} overruns its parameter`);
    const descriptor = BY_CODE.get(code);
    if (descriptor === undefined) {
      out.push({ type: 'unknown', code, value: bytes.slice(valueStart, valueEnd) });
    } else {
      const decoded = descriptor.decode(bytes, valueStart, valueEnd);
      if (typeof decoded === 'string') return openError(`malformed ${descriptor.name} capability: ${decoded}`);
      out.push(decoded);
    }
    i = valueEnd;
  }
  return out;
}

function openError(reason: string): BgpError {
  return new BgpError(ErrorCode.OpenMessage, OpenMessageSubcode.Unspecific, 'session-reset', reason);
}

/** Encode capabilities as code/length/value triples (the content of one Capabilities parameter). */
export function encodeCapabilities(capabilities: readonly Capability[], out: ByteWriter): void {
  for (const capability of capabilities) {
    const lengthAt = out.length + 1;
    if (capability.type === 'unknown') {
      out.u8(capability.code, 'capability code');
      out.u8(0);
      out.bytes(capability.value);
    } else {
      const descriptor = BY_TYPE.get(capability.type);
      if (descriptor === undefined) throw new EncodeError(`unknown capability type ${String(capability.type)}`);
      out.u8(descriptor.code);
      out.u8(0);
      descriptor.encode(capability, out);
    }
    const length = out.length - lengthAt - 1;
    if (length > 255)
      throw new EncodeError(`capability ${capabilityCode(capability)} value is ${length} octets (max 255)`);
    out.setU8(lengthAt, length);
  }
}

/** "MULTIPROTOCOL ipv4-unicast", "CAPABILITY_73 0a6c6f63616c" */
export function formatCapability(capability: Capability): string {
  if (capability.type === 'unknown') return `CAPABILITY_${capability.code} ${toHex(capability.value)}`.trimEnd();
  const descriptor = BY_TYPE.get(capability.type);
  if (descriptor === undefined) return String(capability.type);
  return `${descriptor.name} ${descriptor.format(capability)}`.trimEnd();
}
