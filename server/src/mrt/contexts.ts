/** The session contexts MRT message records imply: 4-octet AS for _AS4 subtypes, Path Identifiers for _ADDPATH. */
import type { SessionContext } from '../bgp';

const ALL_PREFIX_FAMILIES = Object.freeze([
  { afi: 1, safi: 1 },
  { afi: 1, safi: 2 },
  { afi: 2, safi: 1 },
  { afi: 2, safi: 2 },
]);
const NO_FAMILIES = Object.freeze([]);

function messageContext(as4: boolean, addPath: boolean): SessionContext {
  return { fourOctetAs: as4, extendedMessage: true, addPath: addPath ? ALL_PREFIX_FAMILIES : NO_FAMILIES };
}

/** Contexts by (as4, addPath), shared by every record. */
const CONTEXTS: readonly SessionContext[] = [
  Object.freeze(messageContext(false, false)),
  Object.freeze(messageContext(false, true)),
  Object.freeze(messageContext(true, false)),
  Object.freeze(messageContext(true, true)),
];

/** The session context a BGP4MP message subtype implies (4-octet AS_PATH for _AS4, Path Identifiers for _ADDPATH). */
export function bgp4mpContext(as4: boolean, addPath: boolean): SessionContext {
  return CONTEXTS[(as4 ? 2 : 0) + (addPath ? 1 : 0)]!;
}
