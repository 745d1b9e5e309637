import type { Position, SourceRange } from '../source';
import type { Located } from './model';

// Values that hold several addresses in one string ("a, b", '["a","b"]') and Flux substitutions
// ("${LB_IP:=a}"): each part is located inside the scalar's source text, so a finding on the
// second address of "a, b" points at b.

/** How a string value lists its parts. */
export type ListFormat = 'comma' | 'json';

function advance(start: Position, raw: string, index: number): Position {
  let line = start.line;
  let lineStart = -1;
  for (let i = raw.indexOf('\n'); i >= 0 && i < index; i = raw.indexOf('\n', i + 1)) {
    line++;
    lineStart = i;
  }
  return lineStart < 0 ? { line, column: start.column + index } : { line, column: index - lineStart - 1 };
}

/** Locates each part inside the value's source text, in order; a part not found keeps the whole range. */
export function locateParts(located: Located<string>, parts: readonly string[]): Located<string>[] {
  const raw = located.raw;
  let cursor = 0;
  return parts.map((value) => {
    const at = raw === undefined ? -1 : raw.indexOf(value, cursor);
    if (raw === undefined || at < 0) return { value, range: located.range };
    cursor = at + value.length;
    const range: SourceRange = {
      start: advance(located.range.start, raw, at),
      end: advance(located.range.start, raw, at + value.length),
    };
    return { value, range, raw: value };
  });
}

function jsonItems(text: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map((v) => String(v)) : [String(parsed)];
  } catch {
    return undefined;
  }
}

/** The parts of a list written in one string, each located; empty parts dropped. */
export function splitList(located: Located<string>, format: ListFormat): Located<string>[] {
  const parts =
    (format === 'json' ? jsonItems(located.value) : undefined) ??
    (format === 'json' ? located.value.replace(/[[\]"']/g, '') : located.value).split(',');
  return locateParts(
    located,
    parts.map((p) => p.trim()).filter((p) => p.length > 0),
  );
}

/** What a Flux post-build substitution leaves to check. */
export type Substitution =
  | { readonly kind: 'none' }
  /** ${VAR:=default}: the default is what gets checked. */
  | { readonly kind: 'default'; readonly value: Located<string>; readonly variable: string }
  /** ${VAR}: nothing to check until Flux substitutes it. */
  | { readonly kind: 'unset'; readonly variable: string };

const substitution = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[=-]([^}]*))?\}$/;

export function readSubstitution(located: Located<string>): Substitution {
  if (!located.value.startsWith('${')) return { kind: 'none' };
  const m = substitution.exec(located.value);
  if (!m) return { kind: 'none' };
  const variable = m[1] ?? '';
  const fallback = m[2]?.trim();
  if (fallback === undefined || fallback === '') return { kind: 'unset', variable };
  const [value] = locateParts(located, [fallback]);
  return value ? { kind: 'default', value, variable } : { kind: 'unset', variable };
}
