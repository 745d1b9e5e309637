/** Human-readable, multi-line rendering of decoded messages (for logs and tests; never used while decoding). */
import { formatIpv4 } from './address';
import { formatAttribute } from './attributes';
import { toHex } from './bytes';
import { formatCapability } from './capabilities';
import { formatAfiSafi } from './family';
import type { BgpMessage } from './message';
import { formatNotificationCode } from './notification';
import { formatNlri } from './prefix';

const REFRESH_SUBTYPES = ['request', 'BoRR', 'EoRR'];

/** One line per field, e.g. "UPDATE" / "  ORIGIN IGP" / "  nlri 10.0.0.0/8". */
export function formatMessage(message: BgpMessage): string {
  const lines: string[] = [];
  switch (message.type) {
    case 'OPEN':
      lines.push(
        `OPEN version ${message.version} my-as ${message.myAs} hold-time ${message.holdTime} bgp-id ${formatIpv4(message.bgpId)}`,
      );
      if (message.extendedParameters) lines.push('  extended optional parameters (RFC 9072)');
      message.parameters.forEach((parameter, index) => {
        for (const capability of parameter.capabilities) lines.push(`  [${index}] ${formatCapability(capability)}`);
      });
      break;
    case 'UPDATE':
      lines.push('UPDATE');
      for (const w of message.withdrawn) lines.push(`  withdrawn ${formatNlri(w)}`);
      for (const a of message.attributes) lines.push(`  ${formatAttribute(a)}`);
      for (const n of message.nlri) lines.push(`  nlri ${formatNlri(n)}`);
      break;
    case 'NOTIFICATION':
      lines.push(
        `NOTIFICATION ${formatNotificationCode(message.code, message.subcode)}${message.data.length ? ` data ${toHex(message.data)}` : ''}`,
      );
      if (message.shutdownCommunication !== undefined)
        lines.push(`  shutdown communication ${JSON.stringify(message.shutdownCommunication)}`);
      break;
    case 'KEEPALIVE':
      lines.push('KEEPALIVE');
      break;
    case 'ROUTE-REFRESH':
      lines.push(
        `ROUTE-REFRESH ${formatAfiSafi(message.afi, message.safi)} ${REFRESH_SUBTYPES[message.subtype] ?? `subtype ${message.subtype}`}`,
      );
      break;
  }
  return lines.join('\n');
}
