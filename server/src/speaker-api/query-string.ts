// Query strings without URL/URLSearchParams: this module compiles with "types": [] (no DOM, no
// Node), like the engine. Same rules as URLSearchParams: '+' is a space, percent-decoding.

export type QueryValues = Readonly<Record<string, string | number | undefined>>;

/** "?a=1&b=x%2Fy" (keys in the given order, undefined values left out), or "" when empty. */
export function encodeQuery(values: QueryValues): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(values))
    if (value !== undefined) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text; // a stray '%': taken as written, as URLSearchParams does
  }
}

/** A request target ("/v1/routes?within=10.0.0.0%2F8") split into its path and first value per key. */
export function splitTarget(target: string): { path: string; query: ReadonlyMap<string, string> } {
  const withoutFragment = target.split('#', 1)[0] ?? '';
  const mark = withoutFragment.indexOf('?');
  const rawPath = mark < 0 ? withoutFragment : withoutFragment.slice(0, mark);
  const query = new Map<string, string>();
  if (mark >= 0) {
    for (const part of withoutFragment.slice(mark + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const key = decode(eq < 0 ? part : part.slice(0, eq));
      if (!query.has(key)) query.set(key, eq < 0 ? '' : decode(part.slice(eq + 1)));
    }
  }
  // An absolute URL ("http://host/v1/peers") is taken by its path, as the server sees it.
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(rawPath)
    ? rawPath.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '') || '/'
    : rawPath;
  return { path: decode(path) || '/', query };
}
