import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { LineIndex, SourceRange } from '../source';
import type { Located, ObjectManifest, SyntaxProblem } from './model';

// With merge enabled, yaml gives the "<<" key a symbol value.
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (key.value === '<<' || typeof key.value === 'symbol');
}

/** Annotation prefixes of the load balancers whose addresses and sharing keys kube-routes reads. */
const loadBalancerAnnotation =
  /^(metallb\.io|metallb\.universe\.tf|lbipam\.cilium\.io|io\.cilium|projectcalico\.org|kube-vip\.io|purelb\.io)\//;
const noAnnotations: ReadonlyMap<string, Located<string>> = new Map();

/**
 * Reads values out of one parsed YAML document with their exact ranges, looking through aliases
 * and merge keys the way composition would. Shared by every document kind's extractor.
 */
export class YamlReader {
  /** Aliases whose anchor is not in the document: YAML errors yaml itself only raises on toJS. */
  readonly unresolved: SyntaxProblem[] = [];
  /** Source offsets of the unresolved aliases already reported. */
  private readonly reported = new Set<number>();

  /**
   * doc resolves aliases (a document the scanner built has none); base is the offset of the text
   * that was parsed when yaml parsed one document of the file alone.
   */
  constructor(
    private readonly doc: Document | undefined,
    private readonly lines: LineIndex,
    private readonly text: string,
    readonly file: string,
    private readonly base = 0,
  ) {}

  resolve(node: unknown): unknown {
    // Aliases resolve to their anchor's node; the alias itself is where the value is used.
    if (!isAlias(node)) return node;
    const target = this.doc ? node.resolve(this.doc) : undefined;
    // The reader looks through a merge key once per field it asks for: report each alias once.
    const offset = node.range?.[0] ?? -1;
    if (target === undefined && !this.reported.has(offset)) {
      this.reported.add(offset);
      this.unresolved.push({
        range: this.range(node),
        message: `alias *${node.source} refers to no anchor &${node.source} in this document (anchors do not cross "---")`,
      });
    }
    return target;
  }

  /** Map pairs including those merged in with "<<". */
  *pairs(map: YAMLMap, depth = 0): Generator<{ key: unknown; value: unknown }> {
    for (const pair of map.items) {
      if (isMergeKey(pair.key)) {
        if (depth > 32) continue;
        const source = this.resolve(pair.value);
        const sources = isSeq(source) ? source.items.map((s) => this.resolve(s)) : [source];
        for (const s of sources) if (isMap(s)) yield* this.pairs(s, depth + 1);
      } else yield pair;
    }
  }

  keyNode(map: YAMLMap, key: string): Node | undefined {
    for (const pair of map.items) if (isScalar(pair.key) && pair.key.value === key) return pair.key;
    return undefined;
  }

  child(map: YAMLMap, key: string): unknown {
    // Explicit keys beat merged ones; among explicit duplicates the last wins, as when composed.
    // Indexed, and the merged pairs walked only when there are some: most lookups are of
    // optional fields that are absent, and a generator per miss was a third of the reader's garbage.
    let explicit: { value?: unknown } | undefined;
    let merges = false;
    const items = map.items;
    for (let i = 0; i < items.length; i++) {
      const pair = items[i] as Pair;
      if (isScalar(pair.key) && pair.key.value === key) explicit = pair;
      else if (!merges && isMergeKey(pair.key)) merges = true;
    }
    if (explicit) return explicit.value;
    if (!merges) return undefined;
    for (const pair of this.pairs(map)) if (isScalar(pair.key) && pair.key.value === key) return pair.value;
    return undefined;
  }

  map(map: YAMLMap | undefined, key: string): YAMLMap | undefined {
    if (!map) return undefined;
    const node = this.resolve(this.child(map, key));
    return isMap(node) ? node : undefined;
  }

  scalar(map: YAMLMap, key: string): string | undefined {
    const node = this.resolve(this.child(map, key));
    return isScalar(node) && node.value !== null ? String(node.value) : undefined;
  }

  /** The scalar at key; withRaw keeps its source text so parts of it can be located. */
  located(map: YAMLMap | undefined, key: string, withRaw = false): Located<string> | undefined {
    if (!map) return undefined;
    return this.locatedNode(this.child(map, key), withRaw);
  }

  locatedNode(value: unknown, withRaw = false): Located<string> | undefined {
    const node = this.resolve(value);
    if (!isScalar(node) || node.value === null) return undefined;
    const located = { value: String(node.value), range: this.range(value as Node) };
    // A plain scalar with one value is its own source text: no copy needed to locate it.
    if (!withRaw || (node.type === 'PLAIN' && !/[,$[]/.test(located.value))) return located;
    const [start, end] = (value as Node).range ?? [0, 0];
    return { ...located, raw: this.text.slice(start + this.base, end + this.base) };
  }

  /** The scalar items of a sequence. */
  list(map: YAMLMap | undefined, key: string, withRaw = false): Located<string>[] {
    if (!map) return [];
    const out: Located<string>[] = [];
    for (const item of this.items(map, key)) {
      const value = this.locatedNode(item, withRaw);
      if (value) out.push(value);
    }
    return out;
  }

  /** The items of a sequence, resolved. */
  items(map: YAMLMap | undefined, key: string): unknown[] {
    if (!map) return [];
    const node = this.resolve(this.child(map, key));
    return isSeq(node) ? node.items : [];
  }

  /** The string pairs of a map (labels, annotations, ConfigMap data), each value located. */
  stringMap(map: YAMLMap | undefined, withRaw = false): Map<string, Located<string>> {
    const out = new Map<string, Located<string>>();
    if (!map) return out;
    for (const pair of this.pairs(map)) {
      const value = this.locatedNode(pair.value, withRaw);
      if (isScalar(pair.key) && value) out.set(String(pair.key.value), value);
    }
    return out;
  }

  /** The annotations of load balancer implementations (the only ones kube-routes reads); most objects have none. */
  private annotations(map: YAMLMap | undefined): ReadonlyMap<string, Located<string>> {
    if (!map) return noAnnotations;
    const out = new Map<string, Located<string>>();
    for (const pair of this.pairs(map)) {
      if (!isScalar(pair.key) || !loadBalancerAnnotation.test(String(pair.key.value))) continue;
      const value = this.locatedNode(pair.value, true);
      if (value) out.set(String(pair.key.value), value);
    }
    return out.size > 0 ? out : noAnnotations;
  }

  /** metadata of an object: name, namespace, labels, annotations, and where to report what is missing. */
  metadata(node: YAMLMap, kind: string): ObjectManifest {
    const metadata = this.map(node, 'metadata');
    const name = this.located(metadata, 'name');
    const labelsKey = metadata ? this.keyNode(metadata, 'labels') : undefined;
    const anchor = this.range(labelsKey ?? this.keyNode(node, 'metadata') ?? this.keyNode(node, 'kind') ?? node);
    return {
      file: this.file,
      kind,
      namespace: (metadata && this.scalar(metadata, 'namespace')) ?? 'default',
      name: name?.value ?? '',
      nameRange: name?.range ?? anchor,
      labelsAnchor: anchor,
      labels: this.stringMap(this.map(metadata, 'labels')),
      annotations: this.annotations(this.map(metadata, 'annotations')),
    };
  }

  range(node: Node): SourceRange {
    const [start, end] = node.range ?? [0, 0];
    return this.lines.range(start + this.base, end + this.base);
  }
}
