/**
 * MRT (RFC 6396, with the ADD-PATH subtypes of RFC 8050): pure codec, no IO.
 *
 * - {@link MrtReader}: incremental reading (push chunks, pull records or errors with offsets);
 *   {@link readMrt} for a byte string, {@link mrtRecords} for any (async) iterable of chunks.
 * - Records: TABLE_DUMP_V2 PEER_INDEX_TABLE and RIB_* (+ _ADDPATH), BGP4MP / BGP4MP_ET messages
 *   and state changes (all _AS4 / _LOCAL / _ADDPATH variants), TABLE_DUMP, and the deprecated
 *   BGP / BGP4PLUS messages and state changes; others are returned as `skipped`.
 * - {@link loadMrtIntoRib} / {@link MrtRibLoader}: fill a `Rib` (canonical attribute sets,
 *   peers given ids through an {@link MrtPeerTable}).
 * - {@link writeTableDump}: a RIB as a TABLE_DUMP_V2 snapshot, in chunks.
 * - Record encoders (BGP4MP messages and state changes, PEER_INDEX_TABLE, RIB records).
 * - the canonical attribute form the RIB interns lives in ../rib (shared with the speaker).
 */
export {
  Bgp4mpState,
  Bgp4mpSubtype,
  DEFAULT_MAX_RECORD_LENGTH,
  MRT_HEADER_LENGTH,
  LegacyBgpSubtype,
  MrtType,
  TableDumpSubtype,
  TableDumpV2Subtype,
  bgp4mpStateName,
  mrtSubtypeName,
  mrtTypeName,
} from './constants';
export type {
  Bgp4mpMessageRecord,
  Bgp4mpStateChangeRecord,
  MrtAddress,
  MrtError,
  MrtHeader,
  MrtPeerEntry,
  MrtReadResult,
  MrtRecord,
  MrtRibEntry,
  PeerIndexTableRecord,
  RibRecord,
  SkippedRecord,
  TableDumpRecord,
} from './types';
export { MrtReader, type MrtReaderOptions, mrtRecords, readMrt } from './reader';
export { type HeaderFields, bgp4mpContext, decodeRecordBody } from './decode';
export {
  type MrtAttributesResult,
  TABLE_DUMP_CONTEXT,
  TABLE_DUMP_V1_CONTEXT,
  canonicalToMrtAttributes,
  decodeMrtAttributes,
  copiedUpdateCanonicalView,
  mrtAttributesToCanonical,
} from './attributes';
export { canonicalAttributes, canonicalContext, decodeCanonical, encodeCanonical } from '../rib';
export {
  type Bgp4mpMessageInput,
  type Bgp4mpStateChangeInput,
  RecordBuffer,
  type RibEntryInput,
  encodeBgp4mpMessage,
  encodeBgp4mpStateChange,
  encodeMrtRecord,
  encodePeerIndexTable,
  encodeRibRecord,
  ribSubtype,
  writeBgp4mpMessage,
  writeBgp4mpStateChange,
  writePeerIndexTable,
  writeRibRecord,
} from './encode';
export { type MrtPeer, MrtPeerTable, type MrtPeerTableOptions, UNKNOWN_BGP_ID } from './peers';
export {
  type MrtLoadIssue,
  type MrtLoadOptions,
  type MrtLoadStats,
  MrtRibLoader,
  loadMrtIntoRib,
  loadMrtIntoRibSync,
} from './loader';
export {
  TableDumpChunks,
  type TableDumpChunkOptions,
  type TableDumpOptions,
  ribRoutes,
  writeTableDump,
} from './table-dump';
export { formatMrtRecord, formatMrtResult } from './format';
