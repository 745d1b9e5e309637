/**
 * The fuzzer's byte mutations (shared by fuzz.test.ts and seed-crashers.ts): bit flips,
 * truncation, boundary values, insertion, deletion, repeated slices; the header's Length is
 * usually kept consistent so mutations reach the body decoders.
 */
import type { SessionContext } from '../../../src/bgp';
import type { Prng } from './prng';

const INTERESTING = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xfe, 0xff];

export function mutate(rng: Prng, input: Uint8Array): Uint8Array {
  let bytes = Array.from(input);
  const rounds = 1 + rng.below(3);
  for (let r = 0; r < rounds; r++) {
    // Mostly leave the marker alone so the mutation reaches the body decoders.
    const from = rng.below(10) === 0 ? 0 : Math.min(19, bytes.length);
    const at = from + rng.below(Math.max(1, bytes.length - from));
    switch (rng.below(6)) {
      case 0: // bit flips
        for (let k = 0, n = 1 + rng.below(4); k < n && bytes.length > 0; k++) {
          const i = from + rng.below(Math.max(1, bytes.length - from));
          if (i < bytes.length) bytes[i] ^= 1 << rng.below(8);
        }
        break;
      case 1: // truncation
        bytes = bytes.slice(0, at);
        break;
      case 2: // a random or boundary value where a length (or anything) may be
        if (at < bytes.length)
          bytes[at] = rng.below(2) === 0 ? INTERESTING[rng.below(INTERESTING.length)] : rng.below(256);
        if (rng.below(2) === 0 && at + 1 < bytes.length) bytes[at + 1] = rng.below(256);
        break;
      case 3: // insertion
        bytes.splice(at, 0, ...Array.from({ length: 1 + rng.below(8) }, () => rng.below(256)));
        break;
      case 4: // deletion
        bytes.splice(at, 1 + rng.below(4));
        break;
      default: {
        // duplicate a slice (repeats attributes, prefixes, capabilities)
        const length = 1 + rng.below(16);
        bytes.splice(at, 0, ...bytes.slice(at, at + length));
      }
    }
  }
  // Usually keep the Length field consistent so decoding gets past the header.
  if (bytes.length >= 18 && bytes.length <= 0xffff && rng.below(8) !== 0) {
    bytes[16] = bytes.length >> 8;
    bytes[17] = bytes.length & 0xff;
  }
  return Uint8Array.from(bytes);
}

export function mutateContext(rng: Prng, context: SessionContext): SessionContext {
  if (rng.below(5) !== 0) return context;
  return {
    fourOctetAs: rng.below(2) === 0,
    extendedMessage: rng.below(2) === 0,
    addPath: rng.below(2) === 0 ? [] : [{ afi: 1 + rng.below(2), safi: 1 }],
  };
}
