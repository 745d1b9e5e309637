import type { ManifestFile, Position, SourceRange } from '@kube-routes/server/engine';

// What the index keeps of a closed file, copied compactly (the engine's values are read-only
// data, so sharing is safe):
// - empty arrays, Maps and Sets are one shared instance each (most files of a GitOps tree hold no
//   object; most Services have no labels or annotations the rules read);
// - positions and ranges are shared by value (files made from one template put their values at
//   the same lines and columns), through a bounded table;
// - objects are copied by spreading the original, which keeps its layout (every field inside the
//   object; one added after another would spill past V8's 4 in-object slots into a separate
//   array);
// - `file` fields are the index's own path string;
// - long strings are copied: a value that is a slice of the file's text (V8's sliced strings),
//   or made of such slices, would keep the whole text alive. Strings under 13 characters are
//   never slices (V8 copies them), so they are kept as they are.
// On the GitOps bench tree this keeps 17.6 -> 10.5 MiB for 12,195 files (bench/RESULTS.md, issue
// 13 part 3), and costs less than the structuredClone it replaces.

const noArray: readonly never[] = Object.freeze([]);
const noMap: ReadonlyMap<unknown, unknown> = new Map();
const noSet: ReadonlySet<unknown> = new Set();

/** V8 makes a slice (sharing the parent's characters) only from this length on. */
const shortString = 13;

/** Positions shared at most; past this the table starts again (sharing is a saving, not a rule). */
const maxPositions = 1 << 16;

/** Lines and columns of files under the 16 MiB limit fit in 25 bits each, so the key is exact. */
const columnSpan = 2 ** 26;

export class Compactor {
  private positions = new Map<number, Position>();
  /** Start -> end -> the range (both positions already shared). */
  private ranges = new Map<Position, Map<Position, SourceRange>>();

  /** A compact copy of what the engine extracted from the file at path. */
  manifest(file: ManifestFile, path: string): ManifestFile {
    return this.value(file, path) as ManifestFile;
  }

  private value(v: unknown, path: string): unknown {
    if (typeof v === 'string') return v === path ? path : v.length < shortString ? v : copyString(v);
    if (typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) return v.length === 0 ? noArray : v.map((x) => this.value(x, path));
    if (v instanceof Map) {
      if (v.size === 0) return noMap;
      const copy = new Map<unknown, unknown>();
      for (const [key, x] of v) copy.set(this.value(key, path), this.value(x, path));
      return copy;
    }
    if (v instanceof Set) {
      if (v.size === 0) return noSet;
      return new Set([...v].map((x) => this.value(x, path)));
    }
    const o = v as Record<string, unknown>;
    if (isPosition(o)) return this.position(o);
    if (isRange(o)) return this.range(o);
    const copy: Record<string, unknown> = { ...o };
    // for-in over the copy's own keys: no array of keys per object (a plain object has no inherited enumerable ones).
    for (const key in copy) copy[key] = this.value(copy[key], path);
    return copy;
  }

  private position(p: Position): Position {
    const key = p.line * columnSpan + p.column;
    const known = this.positions.get(key);
    if (known) return known;
    if (this.positions.size >= maxPositions) {
      this.positions = new Map();
      this.ranges = new Map();
    }
    const copy = { line: p.line, column: p.column };
    this.positions.set(key, copy);
    return copy;
  }

  private range(r: SourceRange): SourceRange {
    const start = this.position(r.start);
    const end = this.position(r.end);
    let ends = this.ranges.get(start);
    if (!ends) {
      ends = new Map();
      this.ranges.set(start, ends);
    }
    const known = ends.get(end);
    if (known) return known;
    const copy = { start, end };
    ends.set(end, copy);
    return copy;
  }
}

function isRange(o: Record<string, unknown>): o is Record<string, unknown> & SourceRange {
  const { start, end } = o;
  if (typeof start !== 'object' || start === null || typeof end !== 'object' || end === null) return false;
  return (
    isPosition(start as Record<string, unknown>) &&
    isPosition(end as Record<string, unknown>) &&
    Object.keys(o).length === 2
  );
}

function isPosition(o: Record<string, unknown>): o is Record<string, unknown> & Position {
  if (typeof o.line !== 'number' || typeof o.column !== 'number') return false;
  return Object.keys(o).length === 2;
}

/** A flat copy that shares no characters with the string it came from. */
function copyString(s: string): string {
  return structuredClone(s);
}
