/**
 * The BGP speaker's Routing Information Base: memory-lean storage of every path received from
 * every peer (typed arrays, no object per route), with exact, longest-match, covering and
 * covered queries. Pure: no IO, no Node APIs.
 */
export { AttributeStore, type AttributeSetId } from './attribute-store';
export { PrefixTable, type Family, type PrefixOf, type AddressOf, type PrefixEntry } from './prefix-table';
export { Rib, type AnnounceResult, type PathView, type PeerId, type RibOptions, type RouteView } from './rib';
export {
  canonicalAttributes,
  canonicalContext,
  decodeCanonical,
  encodeCanonical,
  encodeCanonicalView,
} from './canonical';
