/** An inclusive range of ASNs (a single ASN is first === last). */
export interface AsnRange {
  readonly first: number;
  readonly last: number;
}

const MAX_ASN = 4294967295;

/** `[65101, "65150-65199"]`: numbers and "FIRST-LAST" strings; errors by index. */
export function parseAsnRanges(
  items: readonly (number | string)[],
  fail: (index: number, message: string) => void,
): AsnRange[] {
  const ranges: AsnRange[] = [];
  items.forEach((item, i) => {
    const m = typeof item === 'number' ? [String(item), String(item), String(item)] : /^(\d+)-(\d+)$/.exec(item);
    const first = Number(m?.[1]);
    const last = Number(m?.[2]);
    if (!m) return fail(i, `"${item}" is not an ASN or a range FIRST-LAST (e.g. 65150-65199)`);
    if (!Number.isInteger(first) || first < 1 || last > MAX_ASN)
      return fail(i, `${item} is outside the ASN space (1-${MAX_ASN})`);
    if (first > last) return fail(i, `range ${item} is empty: write the lower ASN first`);
    ranges.push({ first, last });
  });
  return ranges;
}

export function asnInRanges(asn: number, ranges: readonly AsnRange[]): boolean {
  return ranges.some((r) => r.first <= asn && asn <= r.last);
}

/** "AS65101, AS65150-65199", for messages. */
export function formatAsnRanges(ranges: readonly AsnRange[]): string {
  return ranges.map((r) => (r.first === r.last ? `AS${r.first}` : `AS${r.first}-${r.last}`)).join(', ');
}
