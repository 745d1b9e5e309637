/**
 * Deeply nested flow collections ("[[[[...") make the yaml parser recurse until V8 aborts the
 * whole process with a fatal "out of memory" that no try/catch sees (yaml 2.9 on Node 20, from
 * about 2,000 levels). No manifest nests like that, so such text is refused before parsing. The
 * count ignores quoting: a bracket inside a string counts too, which only matters past the limit.
 */
export const maxFlowDepth = 256;

export function flowDepthExceededAt(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}
