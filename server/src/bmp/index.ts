/**
 * BMP, the BGP Monitoring Protocol (RFC 7854, with RFC 8671 Adj-RIB-Out and RFC 9069 Loc-RIB
 * peer headers): pure codec, no IO.
 *
 * - {@link BmpStreamDecoder}: a BMP session's byte stream -> messages or errors with offsets;
 *   tracks each monitored peer's negotiated session (Peer Up) to decode its UPDATEs (ADD-PATH,
 *   4-octet AS unless the A flag). {@link readBmp} for a whole byte string.
 * - {@link BmpReader}: framing alone; {@link decodeBmpMessage}: one message.
 * - Messages: Initiation, Peer Up, Route Monitoring (pre/post-policy), Statistics Report (the
 *   {@link STATISTIC_DESCRIPTORS} table), Peer Down, Termination, Route Mirroring.
 * - {@link encodeBmpMessage}: for tests and tools; {@link formatBmpMessage} for logs and fixtures.
 */
export {
  BMP_COMMON_HEADER_LENGTH,
  BMP_PEER_HEADER_LENGTH,
  BMP_VERSION,
  BmpMessageType,
  BmpPeerFlag,
  BmpPeerType,
  DEFAULT_MAX_BMP_MESSAGE_LENGTH,
  InformationType,
  MirroringType,
  PeerDownReason,
  STATISTIC_DESCRIPTORS,
  STATISTIC_LENGTH,
  type StatisticDescriptor,
  type StatisticKind,
  TerminationType,
  bmpMessageTypeName,
  bmpPeerTypeName,
  hasPeerHeader,
  mirroringCodeName,
  peerDownReasonName,
  statisticDescriptor,
  terminationReasonText,
  tlvTypeName,
} from './constants';
export type {
  BmpAddress,
  BmpDecodeResult,
  BmpError,
  BmpMessage,
  BmpPeerHeader,
  BmpRibView,
  BmpStatistic,
  BmpTlv,
  InitiationMessage,
  PeerDownMessage,
  PeerUpMessage,
  RouteMirroringMessage,
  RouteMonitoringMessage,
  StatisticsReportMessage,
  TerminationMessage,
} from './types';
export { type BmpDecodeOptions, decodeBmpMessage } from './decode';
export { type BmpFrameResult, BmpReader, type BmpReaderOptions } from './reader';
export { BmpStreamDecoder, bmpPeerKey, readBmp } from './stream';
export {
  type BmpMessageInput,
  type BmpPeerHeaderInput,
  type BmpStatisticInput,
  type BmpTlvInput,
  encodeBmpMessage,
} from './encode';
export {
  describePeerDown,
  formatBmpAddress,
  formatBmpMessage,
  formatBmpResult,
  formatDistinguisher,
  formatPeerHeader,
} from './format';
