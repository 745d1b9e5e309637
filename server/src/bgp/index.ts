/**
 * BGP-4 wire codec: bytes in, values out, no IO.
 *
 * - {@link decodeMessage} / {@link encodeMessage}: one message <-> bytes; never throw.
 * - {@link MessageReader}: framing of a TCP byte stream.
 * - {@link SessionContext}: what decoding depends on (4-octet AS, ADD-PATH, extended messages).
 * - {@link ATTRIBUTE_DESCRIPTORS} / {@link CAPABILITY_DESCRIPTORS}: the tables that drive the codec.
 * - {@link BgpError}: protocol errors as data, with NOTIFICATION code/subcode/data and the RFC 7606 action.
 */

// Messages
export {
  type BgpMessage,
  type DecodeResult,
  type EncodeResult,
  type KeepaliveMessage,
  KEEPALIVE,
  decodeMessage,
  encodeMessage,
  encodeMessageView,
} from './codec/message';
export { type FrameResult, MessageReader } from './codec/message-reader';
export { HEADER_LENGTH, MessageType, messageTypeName } from './codec/header';
export { formatMessage } from './codec/format';

// Session
export {
  DEFAULT_SESSION,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  type NegotiatedSession,
  type SessionContext,
  hasAddPath,
  negotiateSession,
} from './codec/session-context';
export { Afi, type AfiSafi, Safi, formatAfiSafi, isPrefixFamily } from './codec/family';

// OPEN and capabilities
export {
  AS_TRANS,
  type CapabilitiesParameter,
  type OpenMessage,
  type OpenOptions,
  createOpenMessage,
  openAsn,
  openCapabilities,
} from './codec/open';
export {
  type AddPathCapability,
  type AddPathFamily,
  AddPathMode,
  CAPABILITY_DESCRIPTORS,
  type Capability,
  CapabilityCode,
  type CapabilityDescriptor,
  GR_FORWARDING_STATE,
  type EnhancedRouteRefreshCapability,
  type ExtendedMessageCapability,
  type ExtendedNextHopCapability,
  type ExtendedNextHopEntry,
  type FourOctetAsCapability,
  type GracefulRestartCapability,
  type GracefulRestartFamily,
  type KnownCapability,
  type MultiprotocolCapability,
  type RouteRefreshCapability,
  type UnknownCapability,
  capabilityCode,
  capabilityDescriptor,
  formatCapability,
} from './codec/capabilities';

// UPDATE and path attributes
export { type DecodedUpdate, type UpdateMessage, createEndOfRib, endOfRibFamily } from './codec/update';
export {
  type AggregatorAttribute,
  type As4AggregatorAttribute,
  type As4PathAttribute,
  type AsPathAttribute,
  type AtomicAggregateAttribute,
  AttributeCode,
  type AttributeDescriptor,
  AttributeFlag,
  type AttributeOfType,
  type ClusterListAttribute,
  type CommunitiesAttribute,
  type ExtendedCommunitiesAttribute,
  type KnownAttribute,
  type LargeCommunitiesAttribute,
  type LargeCommunity,
  type LocalPrefAttribute,
  type MpReachNlriAttribute,
  type MpUnreachNlriAttribute,
  type MultiExitDiscAttribute,
  type NextHop,
  type NextHopAttribute,
  Origin,
  type OriginAttribute,
  type OriginatorIdAttribute,
  type PathAttribute,
  type UnknownAttribute,
} from './codec/attribute-types';
export {
  ATTRIBUTE_DESCRIPTORS,
  attributeCode,
  attributeDescriptor,
  attributeName,
  formatAttribute,
} from './codec/attributes';
export {
  type Aggregator,
  type AsPathSegment,
  AsPathSegmentType,
  type EffectiveAs4Info,
  asPathLength,
  effectiveAsPathInfo,
  formatAsPath,
  mergeAs4Path,
  splitAs4Path,
} from './codec/as-path';
export { formatCommunity, formatExtendedCommunity, formatLargeCommunity } from './codec/communities';
export { formatNextHop } from './codec/mp-nlri';

// NOTIFICATION, ROUTE-REFRESH, errors
export {
  MAX_SHUTDOWN_COMMUNICATION_LENGTH,
  type NotificationMessage,
  createShutdownNotification,
  formatNotificationCode,
  notificationForError,
} from './codec/notification';
export { type RouteRefreshMessage, RouteRefreshSubtype } from './codec/route-refresh';
export { BgpError, type ErrorAction, isStrongerAction } from './codec/errors';
export {
  CeaseSubcode,
  ErrorCode,
  FiniteStateMachineSubcode,
  MessageHeaderSubcode,
  OpenMessageSubcode,
  RouteRefreshSubcode,
  UNSPECIFIC_SUBCODE,
  UpdateMessageSubcode,
  errorCodeName,
  errorSubcodeName,
} from './codec/error-codes';

// Prefixes and addresses
export {
  type Ipv4Prefix,
  type Ipv6Prefix,
  type Nlri,
  type Prefix,
  formatNlri,
  formatPrefix,
  ipv4Mask,
  ipv4Prefix,
  ipv6Mask,
  ipv6Prefix,
  parsePrefix,
} from './codec/prefix';
export { type Ipv4Address, type Ipv6Address, formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './codec/address';

// Low-level building blocks (for descriptor implementations)
export { ByteWriter, EncodeError, StreamBuffer, readU128, readU16, readU32, readU64, toHex } from './codec/bytes';

// Building blocks shared with the MRT codec (server/src/mrt)
export { decodeNlri } from './codec/nlri';
export { decodeUtf8, encodeUtf8 } from './codec/utf8';
