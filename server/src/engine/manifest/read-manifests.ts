import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node, type YAMLMap } from 'yaml';
import { LineIndex, type SourceFile, type SourceRange } from '../source';
import type { Located, ManifestFile, ServiceManifest, Suppression } from './model';

const suppressionComment = /^[ \t]*#[ \t]*kube-routes-disable-next-line\b([^\r\n]*)/gm;

/**
 * Deeply nested flow collections ("[[[[...") make the yaml parser recurse until V8 aborts the
 * whole process with a fatal "out of memory" that no try/catch sees (yaml 2.9 on Node 20, from
 * about 2,000 levels). No manifest nests like that, so such text is refused before parsing. The
 * count ignores quoting: a bracket inside a string counts too, which only matters past the limit.
 */
export const maxFlowDepth = 256;

function flowDepthExceededAt(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}

/** Reads every Service from one YAML file. Never throws: syntax problems are returned as data. */
export function readManifestFile(source: SourceFile): ManifestFile {
  const lines = new LineIndex();
  const tooDeep = flowDepthExceededAt(source.text, maxFlowDepth);
  if (tooDeep !== undefined) {
    lines.counter.addNewLine(0);
    for (let i = source.text.indexOf('\n'); i >= 0 && i < tooDeep; i = source.text.indexOf('\n', i + 1))
      lines.counter.addNewLine(i + 1);
    const message = `flow collections ("[", "{") nest deeper than ${maxFlowDepth} levels; no manifest nests like that, and the YAML parser cannot read it safely`;
    return {
      file: source.path,
      services: [],
      syntaxErrors: [{ range: lines.range(tooDeep, tooDeep + 1), message }],
      suppressions: [],
    };
  }
  const docs = parseAllDocuments(source.text, { lineCounter: lines.counter, prettyErrors: false, merge: true });
  const services: ServiceManifest[] = [];
  const syntaxErrors: { range: SourceRange; message: string }[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    if (doc.errors.length > 0) {
      // A broken document could yield half a Service and false findings: report it, read the others.
      for (const e of doc.errors)
        syntaxErrors.push({ range: lines.range(e.pos[0], e.pos[1]), message: firstLine(e.message) });
      continue;
    }
    const found: ServiceManifest[] = [];
    const reader = new DocumentReader(doc, lines, source.path, found);
    reader.read();
    if (reader.unresolved.length > 0) syntaxErrors.push(...reader.unresolved);
    else services.push(...found);
  }
  return { file: source.path, services, syntaxErrors, suppressions: readSuppressions(source.text, lines) };
}

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

function readSuppressions(text: string, lines: LineIndex): Suppression[] {
  if (!text.includes('kube-routes-disable')) return [];
  const found: Suppression[] = [];
  for (const m of text.matchAll(suppressionComment)) {
    const rules = (m[1] ?? '')
      .split(/[\s,]+/)
      .map((r) => r.trim())
      .filter((r) => r.length > 0 && !r.startsWith('--'));
    found.push({ line: lines.position(m.index ?? 0).line + 1, rules: new Set(rules) });
  }
  return found;
}

// With merge enabled, yaml gives the "<<" key a symbol value.
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (key.value === '<<' || typeof key.value === 'symbol');
}

class DocumentReader {
  /** Aliases whose anchor is not in the document: YAML errors yaml itself only raises on toJS. */
  readonly unresolved: { range: SourceRange; message: string }[] = [];
  /** Source offsets of the unresolved aliases already reported. */
  private readonly reported = new Set<number>();

  constructor(
    private readonly doc: Document,
    private readonly lines: LineIndex,
    private readonly file: string,
    private readonly out: ServiceManifest[],
  ) {}

  read(): void {
    const root = this.resolve(this.doc.contents);
    if (!isMap(root)) return;
    const kind = this.scalar(root, 'kind');
    if (kind === 'List') {
      const items = this.resolve(this.child(root, 'items'));
      if (isSeq(items)) for (const item of items.items) this.readObject(this.resolve(item));
    } else this.readObject(root);
  }

  private readObject(node: unknown): void {
    if (!isMap(node) || this.scalar(node, 'kind') !== 'Service') return;
    const apiVersion = this.scalar(node, 'apiVersion');
    if (apiVersion !== undefined && apiVersion !== 'v1') return;
    const metadata = this.resolve(this.child(node, 'metadata'));
    const spec = this.resolve(this.child(node, 'spec'));
    const name = isMap(metadata) ? this.located(metadata, 'name') : undefined;
    const namespace = (isMap(metadata) ? this.scalar(metadata, 'namespace') : undefined) ?? 'default';
    const labelsNode = isMap(metadata) ? this.resolve(this.child(metadata, 'labels')) : undefined;
    const labels = new Map<string, Located<string>>();
    if (isMap(labelsNode)) {
      for (const pair of this.pairs(labelsNode)) {
        const value = this.resolve(pair.value);
        if (isScalar(pair.key) && isScalar(value) && value.value !== null) {
          labels.set(String(pair.key.value), { value: String(value.value), range: this.range(value) });
        }
      }
    }
    const labelsKey = isMap(metadata) ? this.keyNode(metadata, 'labels') : undefined;
    const anchor = this.range(labelsKey ?? this.keyNode(node, 'metadata') ?? this.keyNode(node, 'kind') ?? node);
    const specMap = isMap(spec) ? spec : undefined;
    const nameText = name?.value ?? '';
    this.out.push({
      file: this.file,
      namespace,
      name: nameText,
      id: `${namespace}/${nameText || '<no name>'}`,
      nameRange: name?.range ?? anchor,
      labelsAnchor: anchor,
      labels,
      type: specMap && this.located(specMap, 'type'),
      clusterIP: specMap && this.located(specMap, 'clusterIP'),
      clusterIPs: specMap ? this.list(specMap, 'clusterIPs') : [],
      externalIPs: specMap ? this.list(specMap, 'externalIPs') : [],
      loadBalancerIP: specMap && this.located(specMap, 'loadBalancerIP'),
      ipFamilies: specMap ? this.list(specMap, 'ipFamilies') : [],
    });
  }

  private resolve(node: unknown): unknown {
    // Aliases resolve to their anchor's node; the alias itself is where the value is used.
    if (!isAlias(node)) return node;
    const target = node.resolve(this.doc);
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
  private *pairs(map: YAMLMap): Generator<{ key: unknown; value: unknown }> {
    for (const pair of map.items) {
      if (isMergeKey(pair.key)) {
        const source = this.resolve(pair.value);
        const sources = isSeq(source) ? source.items.map((s) => this.resolve(s)) : [source];
        for (const s of sources) if (isMap(s)) yield* this.pairs(s);
      } else yield pair;
    }
  }

  private keyNode(map: YAMLMap, key: string): Node | undefined {
    for (const pair of map.items) if (isScalar(pair.key) && pair.key.value === key) return pair.key;
    return undefined;
  }

  private child(map: YAMLMap, key: string): unknown {
    // Explicit keys beat merged ones; among explicit duplicates the last wins, as when composed.
    let explicit: { value?: unknown } | undefined;
    for (const pair of map.items) if (isScalar(pair.key) && pair.key.value === key) explicit = pair;
    if (explicit) return explicit.value;
    for (const pair of this.pairs(map)) if (isScalar(pair.key) && pair.key.value === key) return pair.value;
    return undefined;
  }

  private scalar(map: YAMLMap, key: string): string | undefined {
    const node = this.resolve(this.child(map, key));
    return isScalar(node) && node.value !== null ? String(node.value) : undefined;
  }

  private located(map: YAMLMap, key: string): Located<string> | undefined {
    const value = this.child(map, key);
    const node = this.resolve(value);
    if (!isScalar(node) || node.value === null) return undefined;
    return { value: String(node.value), range: this.range(value as Node) };
  }

  private list(map: YAMLMap, key: string): Located<string>[] {
    const node = this.resolve(this.child(map, key));
    if (!isSeq(node)) return [];
    const out: Located<string>[] = [];
    for (const item of node.items) {
      const value = this.resolve(item);
      if (isScalar(value) && value.value !== null)
        out.push({ value: String(value.value), range: this.range(item as Node) });
    }
    return out;
  }

  private range(node: Node): SourceRange {
    const [start, end] = node.range ?? [0, 0];
    return this.lines.range(start, end);
  }
}
