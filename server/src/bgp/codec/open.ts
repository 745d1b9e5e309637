/**
 * OPEN message (RFC 4271 4.2) with Capabilities optional parameters
 * (RFC 5492) and the extended optional-parameters length (RFC 9072).
 */
import { ByteWriter, EncodeError, readU16, readU32 } from './bytes';
import { type Capability, decodeCapabilities, encodeCapabilities } from './capabilities';
import { ErrorCode, OpenMessageSubcode } from './error-codes';
import { BgpError } from './errors';

/** AS_TRANS (RFC 6793): placed in My AS when the real ASN does not fit in 2 octets. */
export const AS_TRANS = 23456;

/** Optional Parameter type 2: Capabilities (RFC 5492). */
export const CAPABILITIES_PARAMETER = 2;

/** One Capabilities optional parameter. RFC 5492 allows one or several capabilities per parameter; the grouping is kept for round trips. */
export interface CapabilitiesParameter {
  readonly capabilities: readonly Capability[];
}

export interface OpenMessage {
  readonly type: 'OPEN';
  readonly version: number;
  /** My Autonomous System as on the wire: AS_TRANS (23456) when the real ASN is > 65535. See {@link openAsn}. */
  readonly myAs: number;
  /** Hold Time in seconds (0 or >= 3). */
  readonly holdTime: number;
  /** BGP Identifier as an unsigned 32-bit number. */
  readonly bgpId: number;
  readonly parameters: readonly CapabilitiesParameter[];
  /** The optional parameters use the RFC 9072 extended encoding (2-octet lengths). */
  readonly extendedParameters: boolean;
}

const FIXED_LENGTH = 10; // version, my AS, hold time, BGP identifier, opt parm len

function openError(subcode: number, reason: string, data?: Uint8Array): BgpError {
  return new BgpError(ErrorCode.OpenMessage, subcode, 'session-reset', reason, data);
}

/** Decode an OPEN body (bytes[start, end) after the 19-octet header). */
export function decodeOpen(bytes: Uint8Array, start: number, end: number): OpenMessage | BgpError {
  // The header check guarantees end - start >= FIXED_LENGTH.
  const version = bytes[start];
  if (version !== 4) {
    return openError(
      OpenMessageSubcode.UnsupportedVersionNumber,
      `version ${version}, only 4 is supported`,
      Uint8Array.of(0, 4),
    );
  }
  const myAs = readU16(bytes, start + 1);
  const holdTime = readU16(bytes, start + 3);
  const bgpId = readU32(bytes, start + 5);
  if (myAs === 0) return openError(OpenMessageSubcode.BadPeerAs, 'My Autonomous System is 0 (RFC 7607)');
  if (holdTime === 1 || holdTime === 2) {
    return openError(
      OpenMessageSubcode.UnacceptableHoldTime,
      `hold time ${holdTime}`,
      bytes.slice(start + 3, start + 5),
    );
  }
  if (bgpId === 0)
    return openError(
      OpenMessageSubcode.BadBgpIdentifier,
      'BGP Identifier is 0 (RFC 6286)',
      bytes.slice(start + 5, start + 9),
    );

  const declared = bytes[start + 9];
  let i = start + FIXED_LENGTH;
  let paramsEnd = i + declared;
  let extendedParameters = false;
  // RFC 9072: Non-Ext OP Type 255 announces the extended format.
  if (declared > 0 && i < end && bytes[i] === 255) {
    if (end - i < 3) return openError(OpenMessageSubcode.Unspecific, 'truncated extended optional parameters length');
    extendedParameters = true;
    paramsEnd = i + 3 + readU16(bytes, i + 1);
    i += 3;
  }
  if (paramsEnd !== end) {
    return openError(
      OpenMessageSubcode.Unspecific,
      `optional parameters end at ${paramsEnd - start}, message body is ${end - start} octets`,
    );
  }
  const headerLength = extendedParameters ? 3 : 2;
  const parameters: CapabilitiesParameter[] = [];
  while (i < paramsEnd) {
    if (paramsEnd - i < headerLength)
      return openError(OpenMessageSubcode.Unspecific, 'truncated optional parameter header');
    const type = bytes[i];
    const length = extendedParameters ? readU16(bytes, i + 1) : bytes[i + 1];
    const valueStart = i + headerLength;
    const valueEnd = valueStart + length;
    if (valueEnd > paramsEnd)
      return openError(OpenMessageSubcode.Unspecific, `optional parameter ${type} overruns the parameters`);
    if (type !== CAPABILITIES_PARAMETER) {
      return openError(
        OpenMessageSubcode.UnsupportedOptionalParameter,
        `optional parameter type ${type}`,
        bytes.slice(i, valueEnd),
      );
    }
    const capabilities = decodeCapabilities(bytes, valueStart, valueEnd);
    if (capabilities instanceof BgpError) return capabilities;
    parameters.push({ capabilities });
    i = valueEnd;
  }
  return { type: 'OPEN', version, myAs, holdTime, bgpId, parameters, extendedParameters };
}

/** Encode an OPEN body. */
export function encodeOpen(message: OpenMessage, out: ByteWriter): void {
  out.u8(message.version, 'version');
  out.u16(message.myAs, 'My AS (use AS_TRANS for 4-octet ASNs)');
  out.u16(message.holdTime, 'hold time');
  out.u32(message.bgpId, 'BGP identifier');
  const lengthAt = out.length;
  const extended = message.extendedParameters;
  if (extended) {
    out.u8(255);
    out.u8(255);
    out.u16(0);
  } else {
    out.u8(0);
  }
  const paramsStart = out.length;
  for (const parameter of message.parameters) {
    out.u8(CAPABILITIES_PARAMETER);
    const parameterLengthAt = out.length;
    if (extended) out.u16(0);
    else out.u8(0);
    const valueStart = out.length;
    encodeCapabilities(parameter.capabilities, out);
    const length = out.length - valueStart;
    if (extended) out.setU16(parameterLengthAt, length);
    else if (length > 255)
      throw new EncodeError(`capabilities parameter is ${length} octets; set extendedParameters (RFC 9072)`);
    else out.setU8(parameterLengthAt, length);
  }
  const total = out.length - paramsStart;
  if (extended) {
    out.setU16(lengthAt + 2, total, 'extended optional parameters length');
  } else {
    if (total > 255)
      throw new EncodeError(`optional parameters are ${total} octets; set extendedParameters (RFC 9072)`);
    out.setU8(lengthAt, total);
  }
}

/** All capabilities of an OPEN, flattened across parameters. */
export function openCapabilities(message: OpenMessage): Capability[] {
  return message.parameters.flatMap((p) => p.capabilities);
}

/** The speaker's real ASN: the 4-octet AS capability if present, else My AS. */
export function openAsn(message: OpenMessage): number {
  for (const capability of openCapabilities(message)) if (capability.type === 'four-octet-as') return capability.asn;
  return message.myAs;
}

export interface OpenOptions {
  /** The real ASN (may be 4-octet). */
  readonly asn: number;
  readonly holdTime: number;
  readonly bgpId: number;
  /** Capabilities to advertise. A four-octet-as capability for `asn` is added if missing. */
  readonly capabilities: readonly Capability[];
  /** Put each capability in its own parameter (GoBGP style) instead of one parameter (BIRD style). */
  readonly parameterPerCapability?: boolean;
}

/** Build an OPEN: AS_TRANS in My AS for 4-octet ASNs, the 4-octet AS capability, and the RFC 9072 encoding only when needed. */
export function createOpenMessage(options: OpenOptions): OpenMessage {
  const capabilities: Capability[] = [...options.capabilities];
  if (!capabilities.some((c) => c.type === 'four-octet-as'))
    capabilities.push({ type: 'four-octet-as', asn: options.asn });
  const parameters: CapabilitiesParameter[] = options.parameterPerCapability
    ? capabilities.map((c) => ({ capabilities: [c] }))
    : capabilities.length > 0
      ? [{ capabilities }]
      : [];
  let needsExtended = false;
  try {
    const sizer = new ByteWriter();
    for (const parameter of parameters) {
      const before = sizer.length;
      encodeCapabilities(parameter.capabilities, sizer);
      if (sizer.length - before > 255) needsExtended = true;
    }
    if (sizer.length + 2 * parameters.length > 255) needsExtended = true;
  } catch (error) {
    // An unencodable capability is reported by encodeMessage; the size does not matter then.
    if (!(error instanceof EncodeError)) throw error;
  }
  return {
    type: 'OPEN',
    version: 4,
    myAs: options.asn > 0xffff ? AS_TRANS : options.asn,
    holdTime: options.holdTime,
    bgpId: options.bgpId,
    parameters,
    extendedParameters: needsExtended,
  };
}
