/**
 * UPDATE message (RFC 4271 4.3) with the revised error handling of RFC 7606:
 * attribute errors become treat-as-withdraw or attribute-discard where the
 * RFCs allow it, and only the rest resets the session.
 */
import {
  AttributeCode,
  AttributeFlag,
  type MpReachNlriAttribute,
  type MpUnreachNlriAttribute,
  type PathAttribute,
} from './attribute-types';
import { attributeBytes, attributeCode, attributeDescriptor, encodeAttribute } from './attributes';
import { type ByteWriter, EncodeError, readU16 } from './bytes';
import { ErrorCode, UpdateMessageSubcode } from './error-codes';
import { BgpError } from './errors';
import { Afi, type AfiSafi, Safi, isPrefixFamily } from './family';
import { decodeNlri, encodeNlri } from './nlri';
import type { Nlri } from './prefix';
import { type SessionContext, hasAddPath } from './session-context';

export interface UpdateMessage {
  readonly type: 'UPDATE';
  /** Withdrawn Routes field (IPv4 unicast). */
  readonly withdrawn: readonly Nlri[];
  /** Path attributes in wire order. */
  readonly attributes: readonly PathAttribute[];
  /** Network Layer Reachability Information field (IPv4 unicast). */
  readonly nlri: readonly Nlri[];
}

/** A decoded UPDATE and the errors that were handled without a session reset. */
export interface DecodedUpdate {
  /**
   * The UPDATE as decoded. When an error required treat-as-withdraw, this is
   * the equivalent withdrawal instead: every prefix of the NLRI field and of
   * MP_REACH_NLRI is listed as withdrawn (in `withdrawn`, or in one
   * MP_UNREACH_NLRI per family) and no other attributes are kept. With two
   * families that is two MP_UNREACH_NLRI attributes, which one UPDATE cannot
   * carry on the wire: it is meant for the RIB, not for re-sending.
   */
  readonly message: UpdateMessage;
  /** Errors handled by treat-as-withdraw or attribute-discard (empty for a clean UPDATE). */
  readonly errors: readonly BgpError[];
}

const NO_ERRORS: readonly BgpError[] = Object.freeze([]);
const OPTIONAL_AND_TRANSITIVE = AttributeFlag.Optional | AttributeFlag.Transitive;

function updateError(subcode: number, action: BgpError['action'], reason: string, data?: Uint8Array): BgpError {
  return new BgpError(ErrorCode.UpdateMessage, subcode, action, reason, data);
}

/** UPDATE Message Error / Malformed Attribute List. */
function malformedList(action: BgpError['action'], reason: string): BgpError {
  return updateError(UpdateMessageSubcode.MalformedAttributeList, action, reason);
}

// Duplicate detection: one bit per attribute code, cleared at the start of each decode. Decoding
// is synchronous, so no message sees another's bits; one array for all saves an allocation per
// UPDATE (a typed array costs far more to make than to clear).
const seenCodes = new Uint32Array(8);
const newSeenCodes = (): Uint32Array => seenCodes.fill(0);
const wasSeen = (seen: Uint32Array, code: number): boolean => (seen[code >>> 5] & (1 << (code & 31))) !== 0;
const markSeen = (seen: Uint32Array, code: number): void => void (seen[code >>> 5] |= 1 << (code & 31));

/** Decode an UPDATE body (bytes[start, end) after the header). */
export function decodeUpdate(
  bytes: Uint8Array,
  start: number,
  end: number,
  context: SessionContext,
): DecodedUpdate | BgpError {
  // The header check guarantees end - start >= 4.
  const withdrawnLength = readU16(bytes, start);
  const withdrawnStart = start + 2;
  const withdrawnEnd = withdrawnStart + withdrawnLength;
  if (withdrawnEnd + 2 > end) {
    return malformedList('session-reset', `Withdrawn Routes Length ${withdrawnLength} exceeds the message`);
  }
  const attributesLength = readU16(bytes, withdrawnEnd);
  const attributesStart = withdrawnEnd + 2;
  const attributesEnd = attributesStart + attributesLength;
  if (attributesEnd > end) {
    return malformedList('session-reset', `Total Path Attribute Length ${attributesLength} exceeds the message`);
  }

  // Withdrawn Routes and NLRI fields: malformed means session reset (RFC 7606 5.3).
  const addPathIpv4 = hasAddPath(context, Afi.Ipv4, Safi.Unicast);
  const withdrawn: Nlri[] = [];
  let problem = decodeNlri(bytes, withdrawnStart, withdrawnEnd, 4, addPathIpv4, withdrawn);
  if (problem !== undefined)
    return updateError(UpdateMessageSubcode.InvalidNetworkField, 'session-reset', `Withdrawn Routes: ${problem}`);
  const nlri: Nlri[] = [];
  problem = decodeNlri(bytes, attributesEnd, end, 4, addPathIpv4, nlri);
  if (problem !== undefined)
    return updateError(UpdateMessageSubcode.InvalidNetworkField, 'session-reset', `NLRI: ${problem}`);

  const seen = newSeenCodes();
  const attributes: PathAttribute[] = [];
  const errors: BgpError[] = []; // handled without a session reset

  let i = attributesStart;
  while (i < attributesEnd) {
    const flags = bytes[i];
    const headerLength = flags & AttributeFlag.ExtendedLength ? 4 : 3;
    if (attributesEnd - i < headerLength) {
      // RFC 7606 4: not even a minimum-sized attribute is left.
      errors.push(
        malformedList('treat-as-withdraw', `${attributesEnd - i} trailing octets in the path attributes (RFC 7606 4)`),
      );
      break;
    }
    const code = bytes[i + 1];
    const valueStart = i + headerLength;
    const valueEnd = valueStart + (headerLength === 4 ? readU16(bytes, i + 2) : bytes[i + 2]);
    if (valueEnd > attributesEnd) {
      // RFC 7606 4: the attribute length overruns the path attributes.
      errors.push(malformedList('treat-as-withdraw', `attribute ${code} overruns the path attributes (RFC 7606 4)`));
      break;
    }
    i = valueEnd;

    if (wasSeen(seen, code)) {
      // RFC 7606 3(g): MP_* twice resets the session; other duplicates are discarded.
      if (code === AttributeCode.MpReachNlri || code === AttributeCode.MpUnreachNlri) {
        return malformedList('session-reset', `attribute ${code} appears more than once`);
      }
      errors.push(
        malformedList('attribute-discard', `attribute ${code} appears more than once; later copies discarded`),
      );
      continue;
    }
    markSeen(seen, code);

    const descriptor = attributeDescriptor(code);
    if (descriptor === undefined) {
      if ((flags & AttributeFlag.Optional) === 0) {
        return updateError(
          UpdateMessageSubcode.UnrecognizedWellKnownAttribute,
          'session-reset',
          `unrecognized well-known attribute ${code}`,
          attributeBytes(bytes, valueStart, valueEnd, flags),
        );
      }
      attributes.push({ type: 'unknown', code, flags, value: bytes.slice(valueStart, valueEnd) });
      continue;
    }
    if (descriptor.internalOnly && context.external) {
      // Not for us to use from an eBGP peer: dropped, and only a malformed copy is worth a report.
      const wellFormed =
        ((flags ^ descriptor.flags) & OPTIONAL_AND_TRANSITIVE) === 0 &&
        !(descriptor.decode(bytes, valueStart, valueEnd, flags, context) instanceof BgpError);
      if (!wellFormed) {
        errors.push(
          updateError(
            UpdateMessageSubcode.AttributeLengthError,
            'attribute-discard',
            `${descriptor.name} from an external peer is malformed; discarded (RFC 7606 7)`,
            attributeBytes(bytes, valueStart, valueEnd, flags),
          ),
        );
      }
      continue;
    }
    if (((flags ^ descriptor.flags) & OPTIONAL_AND_TRANSITIVE) !== 0) {
      // RFC 7606 3(c): conflicting Optional/Transitive bits make the attribute malformed.
      const error = updateError(
        UpdateMessageSubcode.AttributeFlagsError,
        descriptor.malformedAction === 'session-reset' ? 'session-reset' : 'treat-as-withdraw',
        `${descriptor.name}: flags 0x${flags.toString(16)} conflict with the expected 0x${descriptor.flags.toString(16)}`,
        attributeBytes(bytes, valueStart, valueEnd, flags),
      );
      if (error.action === 'session-reset') return error;
      errors.push(error);
      continue;
    }
    const value = descriptor.decode(bytes, valueStart, valueEnd, flags, context);
    if (value instanceof BgpError) {
      if (value.action === 'session-reset') return value;
      errors.push(value);
      continue;
    }
    attributes.push(value);
  }

  let mpReach: MpReachNlriAttribute | undefined;
  let rawMpReach = false;
  for (const a of attributes) {
    if (a.type === 'mp-reach-nlri') mpReach = a;
    else if (a.type === 'unknown' && a.code === AttributeCode.MpReachNlri) rawMpReach = true;
  }
  const reachable = nlri.length > 0 || rawMpReach || (mpReach !== undefined && mpReach.nlri.length > 0);
  let withdraw = errors.some((e) => e.action === 'treat-as-withdraw');

  // RFC 7606 3(d): missing well-known mandatory attributes mean treat-as-withdraw
  // (NEXT_HOP only for the NLRI field, RFC 4760 3).
  if (reachable && !withdraw) {
    const mandatory = nlri.length > 0 ? MANDATORY_WITH_NEXT_HOP : MANDATORY;
    for (const code of mandatory) {
      if (!wasSeen(seen, code)) {
        const reason = `missing well-known attribute ${MANDATORY_NAMES[code]}`;
        errors.push(
          updateError(UpdateMessageSubcode.MissingWellKnownAttribute, 'treat-as-withdraw', reason, Uint8Array.of(code)),
        );
        withdraw = true;
      }
    }
  }

  if (!withdraw) {
    return {
      message: { type: 'UPDATE', withdrawn, attributes, nlri },
      errors: errors.length === 0 ? NO_ERRORS : errors,
    };
  }
  if (!reachable) {
    // RFC 7606 5.2: with no reachable NLRI found, we cannot be sure what to withdraw.
    const first = errors.find((e) => e.action === 'treat-as-withdraw');
    return malformedList(
      'session-reset',
      `${first?.reason ?? 'malformed attribute'}; no reachable NLRI to treat as withdrawn (RFC 7606 5.2)`,
    );
  }
  return { message: asWithdrawal(withdrawn, nlri, attributes), errors: errors.length === 0 ? NO_ERRORS : errors };
}

const MANDATORY: readonly number[] = [AttributeCode.Origin, AttributeCode.AsPath];
const MANDATORY_WITH_NEXT_HOP: readonly number[] = [AttributeCode.Origin, AttributeCode.AsPath, AttributeCode.NextHop];
const MANDATORY_NAMES: Readonly<Record<number, string>> = { 1: 'ORIGIN', 2: 'AS_PATH', 3: 'NEXT_HOP' };

/** The UPDATE that withdraws everything `attributes`/`nlri` announced or withdrew (RFC 7606 2, treat-as-withdraw). */
function asWithdrawal(
  withdrawn: readonly Nlri[],
  nlri: readonly Nlri[],
  attributes: readonly PathAttribute[],
): UpdateMessage {
  const unreach: MpUnreachNlriAttribute[] = [];
  const add = (afi: number, safi: number, prefixes: readonly Nlri[]): void => {
    const index = unreach.findIndex((u) => u.afi === afi && u.safi === safi);
    if (index < 0)
      unreach.push({ type: 'mp-unreach-nlri', flags: AttributeFlag.Optional, afi, safi, withdrawn: prefixes });
    else unreach[index] = { ...unreach[index], withdrawn: [...unreach[index].withdrawn, ...prefixes] };
  };
  for (const a of attributes) {
    if (a.type === 'mp-unreach-nlri') add(a.afi, a.safi, a.withdrawn);
    else if (a.type === 'mp-reach-nlri') add(a.afi, a.safi, a.nlri);
  }
  return { type: 'UPDATE', withdrawn: [...withdrawn, ...nlri], attributes: unreach, nlri: [] };
}

/** Encode an UPDATE body. */
export function encodeUpdate(message: UpdateMessage, out: ByteWriter, context: SessionContext): void {
  const addPathIpv4 = hasAddPath(context, Afi.Ipv4, Safi.Unicast);
  const withdrawnAt = out.length;
  out.u16(0);
  encodeNlri(message.withdrawn, 4, addPathIpv4, out);
  out.setU16(withdrawnAt, out.length - withdrawnAt - 2, 'Withdrawn Routes Length');
  const attributesAt = out.length;
  out.u16(0);
  const codes = new Set<number>();
  for (const attribute of message.attributes) {
    // RFC 7606 3(g): a repeated attribute makes the UPDATE malformed; refuse to produce one.
    const code = attributeCode(attribute);
    if (codes.has(code)) throw new EncodeError(`attribute ${code} appears more than once`);
    codes.add(code);
    encodeAttribute(attribute, out, context);
  }
  out.setU16(attributesAt, out.length - attributesAt - 2, 'Total Path Attribute Length');
  encodeNlri(message.nlri, 4, addPathIpv4, out);
}

/** The family an UPDATE marks End-of-RIB for (RFC 4724 2), or `undefined` if it is not an End-of-RIB marker. */
export function endOfRibFamily(update: UpdateMessage): AfiSafi | undefined {
  if (update.withdrawn.length > 0 || update.nlri.length > 0) return undefined;
  if (update.attributes.length === 0) return { afi: Afi.Ipv4, safi: Safi.Unicast };
  if (update.attributes.length !== 1) return undefined;
  const a = update.attributes[0];
  if (a.type === 'mp-unreach-nlri' && a.withdrawn.length === 0) return { afi: a.afi, safi: a.safi };
  if (a.type === 'unknown' && a.code === AttributeCode.MpUnreachNlri && a.value.length === 3) {
    return { afi: readU16(a.value, 0), safi: a.value[2] };
  }
  return undefined;
}

/** The End-of-RIB marker for a family: an empty UPDATE for IPv4 unicast, else an empty MP_UNREACH_NLRI. */
export function createEndOfRib(afi: number, safi: number): UpdateMessage {
  if (afi === Afi.Ipv4 && safi === Safi.Unicast) return { type: 'UPDATE', withdrawn: [], attributes: [], nlri: [] };
  const attribute: PathAttribute = isPrefixFamily(afi, safi)
    ? { type: 'mp-unreach-nlri', flags: AttributeFlag.Optional, afi, safi, withdrawn: [] }
    : {
        type: 'unknown',
        code: AttributeCode.MpUnreachNlri,
        flags: AttributeFlag.Optional,
        value: Uint8Array.of(afi >>> 8, afi & 0xff, safi),
      };
  return { type: 'UPDATE', withdrawn: [], attributes: [attribute], nlri: [] };
}
