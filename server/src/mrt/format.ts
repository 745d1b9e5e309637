/** Human-readable rendering of MRT records and read errors (for logs, tools and tests). */
import { formatAttribute, formatIpv4, formatIpv6, formatMessage, formatPrefix } from '../bgp';
import { TABLE_DUMP_V1_CONTEXT, decodeMrtAttributes } from './attributes';
import { bgp4mpStateName, mrtSubtypeName } from './constants';
import type { MrtAddress, MrtHeader, MrtReadResult, MrtRecord } from './types';

function address(a: MrtAddress): string {
  return a.family === 4 ? formatIpv4(a.address) : formatIpv6(a.address);
}

function head(header: MrtHeader): string {
  const time =
    header.microseconds === undefined
      ? String(header.timestamp)
      : `${header.timestamp}.${String(header.microseconds).padStart(6, '0')}`;
  return `@${header.offset} ${time} ${mrtSubtypeName(header.type, header.subtype)}`;
}

/** One line per field: the record line, then indented details (peers, entries and their attributes, the BGP message). */
export function formatMrtRecord(record: MrtRecord): string {
  const lines: string[] = [];
  switch (record.kind) {
    case 'peer-index-table':
      lines.push(
        `${head(record.header)} collector ${formatIpv4(record.collectorBgpId)} view ${JSON.stringify(record.viewName)} peers ${record.peers.length}`,
      );
      record.peers.forEach((p, k) =>
        lines.push(
          `  [${k}] ${address(p.address)} AS${p.asn}${p.as4 ? '' : ' (2-octet)'} bgp-id ${formatIpv4(p.bgpId)}`,
        ),
      );
      break;
    case 'rib':
      lines.push(
        `${head(record.header)} seq ${record.sequence} ${formatPrefix(record.prefix)} entries ${record.entries.length}`,
      );
      for (const e of record.entries) {
        lines.push(
          `  peer ${e.peerIndex} originated ${e.originatedTime}${record.addPath ? ` path-id ${e.pathId}` : ''}`,
        );
        const decoded = decodeMrtAttributes(e.attributes, record.afi, record.safi);
        if (!decoded.ok) lines.push(`    malformed attributes: ${decoded.reason}`);
        else {
          for (const a of decoded.attributes) lines.push(`    ${formatAttribute(a)}`);
          for (const d of decoded.discarded) lines.push(`    discarded: ${d}`);
        }
      }
      break;
    case 'table-dump': {
      lines.push(
        `${head(record.header)} view ${record.viewNumber} seq ${record.sequence} ${formatPrefix(record.prefix)} peer ${address(record.peerAddress)} AS${record.peerAsn} originated ${record.originatedTime}`,
      );
      const decoded = decodeMrtAttributes(record.attributes, record.afi, 1, TABLE_DUMP_V1_CONTEXT);
      if (!decoded.ok) lines.push(`  malformed attributes: ${decoded.reason}`);
      else {
        for (const a of decoded.attributes) lines.push(`  ${formatAttribute(a)}`);
        for (const d of decoded.discarded) lines.push(`  discarded: ${d}`);
      }
      break;
    }
    case 'bgp4mp-message':
    case 'bgp4mp-state-change': {
      const ends = `${address(record.peerAddress)} AS${record.peerAsn} -> ${address(record.localAddress)} AS${record.localAsn}${record.interfaceIndex ? ` if ${record.interfaceIndex}` : ''}`;
      if (record.kind === 'bgp4mp-state-change') {
        lines.push(
          `${head(record.header)} ${ends} ${bgp4mpStateName(record.oldState)} -> ${bgp4mpStateName(record.newState)}`,
        );
      } else {
        lines.push(`${head(record.header)} ${ends}`);
        for (const line of formatMessage(record.message).split('\n')) lines.push(`  ${line}`);
        for (const e of record.errors) lines.push(`  error: ${e.reason} (${e.action})`);
      }
      break;
    }
    case 'skipped':
      lines.push(`${head(record.header)} skipped: ${record.reason}`);
      break;
  }
  return lines.join('\n');
}

/** A record, or "error @offset: reason". */
export function formatMrtResult(result: MrtReadResult): string {
  if (result.ok) return formatMrtRecord(result.record);
  const e = result.error;
  return `error @${e.offset}${e.type === undefined ? '' : ` ${mrtSubtypeName(e.type, e.subtype ?? 0)}`}: ${e.reason}${e.fatal ? ' (fatal)' : ''}`;
}
