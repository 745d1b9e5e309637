/**
 * RFC 4271 6.8 connection collision resolution: when two connections to one peer both reach the
 * OPEN exchange, the one initiated by the speaker with the higher BGP identifier survives.
 * Returns which connection to close.
 */
export function resolveCollision(
  localBgpId: number,
  remoteBgpId: number,
): 'close-locally-initiated' | 'close-remotely-initiated' {
  return localBgpId >>> 0 < remoteBgpId >>> 0 ? 'close-locally-initiated' : 'close-remotely-initiated';
}
