/**
 * Encoding MRT records: TABLE_DUMP_V2 PEER_INDEX_TABLE and RIB records, BGP4MP(_ET) messages
 * and state changes. Invalid values throw `EncodeError` (from the BGP codec).
 */
import { ByteWriter, EncodeError, type Prefix, encodeUtf8 } from '../bgp';
import { Bgp4mpSubtype, MRT_HEADER_LENGTH, MrtType, TableDumpV2Subtype } from './constants';
import type { MrtAddress, MrtPeerEntry } from './types';

function checkUint(value: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new EncodeError(`${what} ${String(value)} is not an integer in 0..${max}`);
  return value;
}

/** The codec's byte writer, plus MRT's address, prefix and record framing; {@link take} hands out what was written. */
export class RecordBuffer extends ByteWriter {
  constructor(capacity = 1 << 16) {
    super(capacity);
  }

  address(address: MrtAddress): void {
    if (address.family === 4) {
      this.u32(checkUint(address.address, 0xffffffff, 'IPv4 address'));
      return;
    }
    const a = address.address;
    if (typeof a !== 'bigint' || a < 0n || a >= 1n << 128n) throw new EncodeError('IPv6 address out of range');
    for (let shift = 96n; shift >= 0n; shift -= 32n) this.u32(Number((a >> shift) & 0xffffffffn));
  }

  /** Prefix length octet and the significant address octets (RFC 6396 4.3.2). */
  prefix(prefix: Prefix): void {
    const { length } = prefix;
    const n = (length + 7) >>> 3;
    this.u8(length);
    if (prefix.family === 4) {
      for (let k = 0; k < n; k++) this.u8((prefix.address >>> (24 - 8 * k)) & 0xff);
    } else {
      for (let k = 0; k < n; k++) this.u8(Number((prefix.address >> BigInt(120 - 8 * k)) & 0xffn));
    }
  }

  /** Write a common header with a zero length; returns where the record starts. */
  beginRecord(timestamp: number, type: number, subtype: number, microseconds?: number): number {
    const start = this.length;
    this.u32(checkUint(timestamp, 0xffffffff, 'timestamp'));
    this.u16(type);
    this.u16(subtype);
    this.u32(0);
    if (microseconds !== undefined) this.u32(checkUint(microseconds, 999999, 'microseconds'));
    return start;
  }

  /** Fill in the Length field of the record begun at `start`. */
  endRecord(start: number): void {
    this.setU32(start + 8, this.length - start - MRT_HEADER_LENGTH, 'record length');
  }

  /**
   * Everything written, in place (no copy), and `next` as the buffer to write on: the caller
   * hands the returned bytes out and gives their buffer back once they are written.
   */
  swap(next: Uint8Array): Uint8Array {
    const out = this.buffer.subarray(0, this.size);
    this.buffer = next;
    this.size = 0;
    return out;
  }

  /** A copy of everything written, and reset. */
  take(): Uint8Array {
    const out = this.toBytes();
    this.truncate(0);
    return out;
  }
}

function checkPrefix(prefix: Prefix): void {
  const max = prefix.family === 4 ? 32 : 128;
  checkUint(prefix.length, max, `IPv${prefix.family} prefix length`);
  if (prefix.family === 4) checkUint(prefix.address, 0xffffffff, 'IPv4 prefix address');
  else if (typeof prefix.address !== 'bigint' || prefix.address < 0n || prefix.address >= 1n << 128n)
    throw new EncodeError('IPv6 prefix address out of range');
}

/** Append a PEER_INDEX_TABLE record (peer type: IPv6 bit from the address, AS4 bit from `as4`). */
export function writePeerIndexTable(
  out: RecordBuffer,
  timestamp: number,
  collectorBgpId: number,
  viewName: string,
  peers: readonly MrtPeerEntry[],
): void {
  checkUint(collectorBgpId, 0xffffffff, 'collector BGP ID');
  checkUint(peers.length, 0xffff, 'peer count');
  const name = encodeUtf8(viewName);
  checkUint(name.length, 0xffff, 'view name length');
  const start = out.beginRecord(timestamp, MrtType.TableDumpV2, TableDumpV2Subtype.PeerIndexTable);
  try {
    out.u32(collectorBgpId);
    out.u16(name.length);
    out.bytes(name);
    out.u16(peers.length);
    for (const peer of peers) {
      const as4 = peer.as4 || peer.asn > 0xffff;
      out.u8((peer.address.family === 6 ? 1 : 0) | (as4 ? 2 : 0));
      out.u32(checkUint(peer.bgpId, 0xffffffff, 'peer BGP ID'));
      out.address(peer.address);
      if (as4) out.u32(checkUint(peer.asn, 0xffffffff, 'peer AS'));
      else out.u16(checkUint(peer.asn, 0xffff, 'peer AS'));
    }
  } catch (error) {
    out.truncate(start);
    throw error;
  }
  out.endRecord(start);
}

/** An entry to write: the attributes must already be in the RFC 6396 4.3.4 form. */
export interface RibEntryInput {
  readonly peerIndex: number;
  readonly originatedTime: number;
  readonly pathId: number;
  readonly attributes: Uint8Array;
}

/** The RIB subtype for a family (unicast/multicast, with or without ADD-PATH). */
export function ribSubtype(afi: 1 | 2, safi: 1 | 2, addPath: boolean): number {
  const base =
    afi === 1
      ? safi === 1
        ? TableDumpV2Subtype.RibIpv4Unicast
        : TableDumpV2Subtype.RibIpv4Multicast
      : safi === 1
        ? TableDumpV2Subtype.RibIpv6Unicast
        : TableDumpV2Subtype.RibIpv6Multicast;
  return addPath ? base + 6 : base;
}

/** Append one RIB_IPV4/IPV6 record (the _ADDPATH subtype when `addPath`). */
export function writeRibRecord(
  out: RecordBuffer,
  timestamp: number,
  safi: 1 | 2,
  addPath: boolean,
  sequence: number,
  prefix: Prefix,
  entries: readonly RibEntryInput[],
): void {
  checkPrefix(prefix);
  checkUint(sequence, 0xffffffff, 'sequence number');
  checkUint(entries.length, 0xffff, 'entry count');
  const start = out.beginRecord(timestamp, MrtType.TableDumpV2, ribSubtype(prefix.family === 4 ? 1 : 2, safi, addPath));
  try {
    out.u32(sequence);
    out.prefix(prefix);
    out.u16(entries.length);
    for (const e of entries) {
      out.u16(checkUint(e.peerIndex, 0xffff, 'peer index'));
      out.u32(checkUint(e.originatedTime, 0xffffffff, 'originated time'));
      if (addPath) out.u32(checkUint(e.pathId, 0xffffffff, 'path identifier'));
      else if (e.pathId !== 0) throw new EncodeError(`path identifier ${e.pathId} needs an _ADDPATH subtype`);
      out.u16(checkUint(e.attributes.length, 0xffff, 'attribute length'));
      out.bytes(e.attributes);
    }
  } catch (error) {
    out.truncate(start);
    throw error;
  }
  out.endRecord(start);
}

interface Bgp4mpCommonInput {
  readonly timestamp: number;
  /** Set to write BGP4MP_ET (type 17) with this microsecond field. */
  readonly microseconds?: number;
  readonly peerAsn: number;
  readonly localAsn: number;
  readonly interfaceIndex?: number;
  readonly peerAddress: MrtAddress;
  readonly localAddress: MrtAddress;
  /** 4-octet AS fields (the _AS4 subtypes); required when an ASN exceeds 65535. */
  readonly as4: boolean;
}

export interface Bgp4mpMessageInput extends Bgp4mpCommonInput {
  /** The whole BGP message as on the wire (header included), e.g. from `encodeMessage`. */
  readonly message: Uint8Array;
  /** The message was sent by the local speaker (_LOCAL subtypes). */
  readonly local?: boolean;
  /** The message's NLRI carry Path Identifiers (_ADDPATH subtypes, RFC 8050). */
  readonly addPath?: boolean;
}

export interface Bgp4mpStateChangeInput extends Bgp4mpCommonInput {
  readonly oldState: number;
  readonly newState: number;
}

function messageSubtype(as4: boolean, local: boolean, addPath: boolean): number {
  const S = Bgp4mpSubtype;
  if (addPath)
    return as4
      ? local
        ? S.MessageAs4LocalAddPath
        : S.MessageAs4AddPath
      : local
        ? S.MessageLocalAddPath
        : S.MessageAddPath;
  return as4 ? (local ? S.MessageAs4Local : S.MessageAs4) : local ? S.MessageLocal : S.Message;
}

function writeBgp4mpCommon(out: RecordBuffer, input: Bgp4mpCommonInput): void {
  if (input.peerAddress.family !== input.localAddress.family)
    throw new EncodeError('peer and local addresses of different families');
  if (input.as4) {
    out.u32(checkUint(input.peerAsn, 0xffffffff, 'peer AS'));
    out.u32(checkUint(input.localAsn, 0xffffffff, 'local AS'));
  } else {
    out.u16(checkUint(input.peerAsn, 0xffff, 'peer AS (use as4 for 4-octet ASNs)'));
    out.u16(checkUint(input.localAsn, 0xffff, 'local AS (use as4 for 4-octet ASNs)'));
  }
  out.u16(checkUint(input.interfaceIndex ?? 0, 0xffff, 'interface index'));
  out.u16(input.peerAddress.family === 4 ? 1 : 2);
  out.address(input.peerAddress);
  out.address(input.localAddress);
}

function writeBgp4mp(
  out: RecordBuffer,
  input: Bgp4mpCommonInput,
  subtype: number,
  body: (out: RecordBuffer) => void,
): void {
  const type = input.microseconds === undefined ? MrtType.Bgp4mp : MrtType.Bgp4mpEt;
  const start = out.beginRecord(input.timestamp, type, subtype, input.microseconds);
  try {
    writeBgp4mpCommon(out, input);
    body(out);
  } catch (error) {
    out.truncate(start);
    throw error;
  }
  out.endRecord(start);
}

/** Append a BGP4MP(_ET) MESSAGE record of the subtype given by as4 / local / addPath. */
export function writeBgp4mpMessage(out: RecordBuffer, input: Bgp4mpMessageInput): void {
  writeBgp4mp(out, input, messageSubtype(input.as4, input.local ?? false, input.addPath ?? false), (o) =>
    o.bytes(input.message),
  );
}

/** Append a BGP4MP(_ET) STATE_CHANGE (or STATE_CHANGE_AS4) record. */
export function writeBgp4mpStateChange(out: RecordBuffer, input: Bgp4mpStateChangeInput): void {
  writeBgp4mp(out, input, input.as4 ? Bgp4mpSubtype.StateChangeAs4 : Bgp4mpSubtype.StateChange, (o) => {
    o.u16(checkUint(input.oldState, 0xffff, 'old state'));
    o.u16(checkUint(input.newState, 0xffff, 'new state'));
  });
}

/** One BGP4MP(_ET) MESSAGE record as bytes. */
export function encodeBgp4mpMessage(input: Bgp4mpMessageInput): Uint8Array {
  const out = new RecordBuffer(64 + input.message.length);
  writeBgp4mpMessage(out, input);
  return out.take();
}

/** One BGP4MP(_ET) STATE_CHANGE(_AS4) record as bytes. */
export function encodeBgp4mpStateChange(input: Bgp4mpStateChangeInput): Uint8Array {
  const out = new RecordBuffer(64);
  writeBgp4mpStateChange(out, input);
  return out.take();
}

/** One PEER_INDEX_TABLE record as bytes. */
export function encodePeerIndexTable(
  timestamp: number,
  collectorBgpId: number,
  viewName: string,
  peers: readonly MrtPeerEntry[],
): Uint8Array {
  const out = new RecordBuffer(64 + 40 * peers.length);
  writePeerIndexTable(out, timestamp, collectorBgpId, viewName, peers);
  return out.take();
}

/** One RIB record as bytes. */
export function encodeRibRecord(
  timestamp: number,
  safi: 1 | 2,
  addPath: boolean,
  sequence: number,
  prefix: Prefix,
  entries: readonly RibEntryInput[],
): Uint8Array {
  const out = new RecordBuffer(256);
  writeRibRecord(out, timestamp, safi, addPath, sequence, prefix, entries);
  return out.take();
}

/** A record of any type from its header fields and body (e.g. to build test inputs or unsupported types). */
export function encodeMrtRecord(timestamp: number, type: number, subtype: number, body: Uint8Array): Uint8Array {
  const out = new RecordBuffer(MRT_HEADER_LENGTH + body.length);
  const start = out.beginRecord(timestamp, checkUint(type, 0xffff, 'type'), checkUint(subtype, 0xffff, 'subtype'));
  out.bytes(body);
  out.endRecord(start);
  return out.take();
}
