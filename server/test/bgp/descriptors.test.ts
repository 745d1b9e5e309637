/** The descriptor tables: one row per attribute / capability, consistent with the RFCs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ATTRIBUTE_DESCRIPTORS,
  AttributeCode,
  CAPABILITY_DESCRIPTORS,
  CapabilityCode,
  attributeDescriptor,
  attributeName,
  capabilityDescriptor,
  errorCodeName,
  errorSubcodeName,
  formatAttribute,
  formatCapability,
  formatCommunity,
  formatExtendedCommunity,
} from '../../src/bgp';

describe('path attribute table', () => {
  it('has one row per supported attribute, with unique codes, types and names', () => {
    const codes = ATTRIBUTE_DESCRIPTORS.map((d) => d.code);
    assert.deepEqual(
      [...codes].sort((a, b) => a - b),
      Object.values(AttributeCode).sort((a, b) => a - b),
    );
    assert.equal(new Set(ATTRIBUTE_DESCRIPTORS.map((d) => d.type)).size, codes.length);
    assert.equal(new Set(ATTRIBUTE_DESCRIPTORS.map((d) => d.name)).size, codes.length);
    for (const d of ATTRIBUTE_DESCRIPTORS) assert.equal(attributeDescriptor(d.code), d);
  });

  it('expects the RFC flags: well-known transitive, or optional (non-)transitive', () => {
    const flags = Object.fromEntries(ATTRIBUTE_DESCRIPTORS.map((d) => [d.name, d.flags]));
    assert.deepEqual(flags, {
      ORIGIN: 0x40,
      AS_PATH: 0x40,
      NEXT_HOP: 0x40,
      MULTI_EXIT_DISC: 0x80,
      LOCAL_PREF: 0x40,
      ATOMIC_AGGREGATE: 0x40,
      AGGREGATOR: 0xc0,
      COMMUNITIES: 0xc0,
      ORIGINATOR_ID: 0x80,
      CLUSTER_LIST: 0x80,
      MP_REACH_NLRI: 0x80,
      MP_UNREACH_NLRI: 0x80,
      EXTENDED_COMMUNITIES: 0xc0,
      AS4_PATH: 0xc0,
      AS4_AGGREGATOR: 0xc0,
      LARGE_COMMUNITY: 0xc0,
    });
  });

  it('records the RFC 7606 section 7 approach for malformed values', () => {
    const actions = Object.fromEntries(ATTRIBUTE_DESCRIPTORS.map((d) => [d.name, d.malformedAction]));
    assert.deepEqual(actions, {
      ORIGIN: 'treat-as-withdraw',
      AS_PATH: 'treat-as-withdraw',
      NEXT_HOP: 'treat-as-withdraw',
      MULTI_EXIT_DISC: 'treat-as-withdraw',
      LOCAL_PREF: 'treat-as-withdraw',
      ATOMIC_AGGREGATE: 'attribute-discard',
      AGGREGATOR: 'attribute-discard',
      COMMUNITIES: 'treat-as-withdraw',
      ORIGINATOR_ID: 'treat-as-withdraw',
      CLUSTER_LIST: 'treat-as-withdraw',
      MP_REACH_NLRI: 'session-reset',
      MP_UNREACH_NLRI: 'session-reset',
      EXTENDED_COMMUNITIES: 'treat-as-withdraw',
      AS4_PATH: 'attribute-discard',
      AS4_AGGREGATOR: 'attribute-discard',
      LARGE_COMMUNITY: 'treat-as-withdraw',
    });
  });

  it('names and formats attributes without a row', () => {
    assert.equal(attributeName(99), 'ATTRIBUTE_99');
    assert.equal(attributeDescriptor(99), undefined);
    assert.equal(
      formatAttribute({ type: 'unknown', code: 99, flags: 0xe0, value: Uint8Array.of(1, 2) }),
      'ATTRIBUTE_99 flags 0xe0 0102',
    );
  });
});

describe('capability table', () => {
  it('has one row per supported capability', () => {
    assert.deepEqual(
      CAPABILITY_DESCRIPTORS.map((d) => d.code).sort((a, b) => a - b),
      Object.values(CapabilityCode).sort((a, b) => a - b),
    );
    for (const d of CAPABILITY_DESCRIPTORS) assert.equal(capabilityDescriptor(d.code), d);
    assert.equal(capabilityDescriptor(73), undefined);
  });

  it('formats capabilities', () => {
    assert.equal(formatCapability({ type: 'multiprotocol', afi: 2, safi: 1 }), 'MULTIPROTOCOL ipv6-unicast');
    assert.equal(formatCapability({ type: 'four-octet-as', asn: 4200000001 }), 'FOUR_OCTET_AS 4200000001');
    assert.equal(formatCapability({ type: 'unknown', code: 128, value: new Uint8Array(0) }), 'CAPABILITY_128');
  });
});

describe('names and formats', () => {
  it('NOTIFICATION codes and subcodes', () => {
    assert.equal(errorCodeName(6), 'Cease');
    assert.equal(errorSubcodeName(6, 2), 'Administrative Shutdown');
    assert.equal(errorSubcodeName(1, 3), 'Bad Message Type');
    assert.equal(errorSubcodeName(3, 11), 'Malformed AS_PATH');
    assert.equal(errorSubcodeName(7, 1), 'Invalid Message Length');
    assert.equal(errorCodeName(42), 'Unknown error code 42');
    assert.equal(errorSubcodeName(6, 99), 'Subcode 99');
  });

  it('communities', () => {
    assert.equal(formatCommunity(0xfde80064), '65000:100');
    assert.equal(formatCommunity(0xffffff01), 'NO_EXPORT');
    assert.equal(formatExtendedCommunity(0x0002fde800000064n), 'rt 65000:100');
    assert.equal(formatExtendedCommunity(0x4003fde800000064n), 'soo 65000:100');
    assert.equal(formatExtendedCommunity(0x8000000000000001n), '0x8000000000000001');
  });
});
