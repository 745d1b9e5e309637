/** Address families (AFI/SAFI, RFC 4760) and their names. */

export const Afi = { Ipv4: 1, Ipv6: 2 } as const;
export const Safi = { Unicast: 1, Multicast: 2 } as const;

/** An address family: AFI (2 octets on the wire) and SAFI (1 octet). */
export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

/**
 * True for the families whose NLRI are plain IP prefixes (RFC 4760 section 5):
 * IPv4/IPv6 with SAFI unicast or multicast. Other families are kept as raw bytes.
 */
export function isPrefixFamily(afi: number, safi: number): boolean {
  return (afi === Afi.Ipv4 || afi === Afi.Ipv6) && (safi === Safi.Unicast || safi === Safi.Multicast);
}

const AFI_NAMES: Readonly<Record<number, string>> = { 1: 'ipv4', 2: 'ipv6', 25: 'l2vpn', 16388: 'bgp-ls' };
const SAFI_NAMES: Readonly<Record<number, string>> = {
  1: 'unicast',
  2: 'multicast',
  4: 'labeled-unicast',
  5: 'mcast-vpn',
  65: 'vpls',
  70: 'evpn',
  71: 'bgp-ls',
  73: 'sr-policy',
  128: 'vpn',
  129: 'multicast-vpn',
  132: 'route-target',
  133: 'flowspec',
  134: 'flowspec-vpn',
};

/** "ipv4-unicast", "ipv6-flowspec", or "afi-N-safi-M" for unnamed ones. */
export function formatAfiSafi(afi: number, safi: number): string {
  const a = AFI_NAMES[afi];
  const s = SAFI_NAMES[safi];
  return a !== undefined && s !== undefined ? `${a}-${s}` : `afi-${afi}-safi-${safi}`;
}
