import { Document, isScalar, Pair, Scalar, YAMLMap, YAMLSeq, type ScalarTag } from 'yaml';

// A one-pass scanner for the block YAML that manifests are written in: it finds where each
// document ends, proves a document free of YAML errors, and reads its top-level kind, apiVersion
// and metadata.name, without the yaml package's lexer, CST and composer (70% of a GitOps tree's
// documents cannot hold anything kube-routes reads). Asked to, it also builds the document as
// yaml nodes with the ranges yaml would give them, for the extractors.
//
// It is sound, not complete: it accepts only a subset (block maps and sequences, one-line plain
// and quoted scalars, one-line flow collections, block scalars, comments) and gives up
// (ok: false) on anything else or anything it cannot prove valid: tabs, anchors, aliases, tags,
// merge keys, explicit keys, multi-line flow scalars and collections, keys that are not plain
// strings, duplicate keys, odd indentation. Whoever calls it composes such documents with yaml.

const SP = 0x20;
const LF = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
const DASH = 0x2d;
const DOT = 0x2e;
const COLON = 0x3a;
const SQ = 0x27;
const DQ = 0x22;
const COMMA = 0x2c;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const PIPE = 0x7c;
const GT = 0x3e;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const TAB = 0x09;

/** A top-level value as scanned: a string, null (missing, empty or null), or unknown (not a plain string). */
export type Scanned = string | null | typeof unknown;
export const unknown: unique symbol = Symbol('unknown');

export interface ScannedDocument {
  /** Offsets of the document in the text: [start, end), markers and comments included. */
  readonly start: number;
  readonly end: number;
  /** Whether the scanner proved the document free of YAML errors (else: compose it to know). */
  readonly ok: boolean;
  /** The document's root is a block map. */
  readonly map: boolean;
  readonly kind: Scanned;
  readonly apiVersion: Scanned;
  readonly name: Scanned;
  /** Whether yaml nodes were asked for. */
  readonly build: boolean;
  /** The root map as yaml nodes, when asked for and ok. */
  readonly root?: YAMLMap;
}

/** Characters that cannot start a plain scalar (YAML 1.2 c-indicator, less - ? : handled apart). */
function isIndicator(c: number): boolean {
  switch (c) {
    case COMMA:
    case LBRACKET:
    case RBRACKET:
    case LBRACE:
    case RBRACE:
    case HASH:
    case 0x26: // &
    case 0x2a: // *
    case 0x21: // !
    case PIPE:
    case GT:
    case SQ:
    case DQ:
    case 0x25: // %
    case 0x40: // @
    case 0x60: // `
      return true;
    default:
      return false;
  }
}

function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE;
}

/** Space, end of line or end of text (NaN): what must follow ":" or "-" as an indicator. */
function isBlank(c: number): boolean {
  return c === SP || c === LF || c === CR || c === TAB || Number.isNaN(c);
}

const nonStringWord = /^(?:<<|null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

/** Plain scalars that yaml would resolve to something other than the same string (numbers, booleans, null, merge key). */
function nonString(source: string): boolean {
  const c = source.charCodeAt(0);
  // - + . ~ and digits start every number, .inf, .nan and ~; the words are short.
  if (c === DASH || c === 0x2b || c === DOT || c === 0x7e || (c >= 0x30 && c <= 0x39) || Number.isNaN(c)) return true;
  return source.length <= 5 && nonStringWord.test(source);
}

interface Level {
  indent: number;
  seq: boolean;
  /** The root-level key that owns this collection (for metadata.name), at depth 1 only. */
  key: string | undefined;
  /** A map's keys (cleared when the level is reused for a sequence). */
  readonly keys: KeySet;
  node: YAMLMap | YAMLSeq | undefined;
}

class Failed extends Error {}
const fail = new Failed();

let coreTags: ScalarTag[] | undefined;
/** yaml's own core-schema scalar tags (as parseAllDocuments with merge keys uses them): plain scalars resolve exactly as composed. */
function scalarTags(): ScalarTag[] {
  coreTags ??= new Document(null, { merge: true }).schema.tags.filter(
    (t): t is ScalarTag => !('collection' in t && t.collection) && t.default === true,
  );
  return coreTags;
}

function resolvePlain(source: string, start: number, end: number): Scalar {
  let value: unknown = source;
  // Every value the core schema does not keep as a string starts like a number, null or a boolean.
  if (nonString(source))
    for (const tag of scalarTags()) {
      if (tag.test?.test(source)) {
        let problem = false;
        const resolved = tag.resolve(
          source,
          () => {
            problem = true;
          },
          {},
        );
        if (problem) throw fail;
        value = isScalar(resolved) ? resolved.value : resolved;
        break;
      }
    }
  const node = new Scalar(value);
  node.range = [start, end, end];
  node.type = Scalar.PLAIN;
  return node;
}

/** Scans documents of one text; build asks for yaml nodes of the documents that pass. */
export class DocumentScanner {
  private pos = 0;
  private lineEnd = 0;
  private stack: Level[] = [];
  /** Levels popped, reused: a tree of 17,000 documents opens half a million collections. */
  private readonly spare: Level[] = [];
  /** A key or "-" waiting for its value on a later line: the column of its collection, and whether a map key owns it. */
  private pending = false;
  private pendingIndent = 0;
  private pendingMapKey = false;
  /** Where a built collection on the lines below goes: a pair's value, or a sequence item. */
  private pendingPair: Pair | undefined;
  private pendingSeq: YAMLSeq | undefined;
  /** Inside a block scalar: the indentation its owner needs its lines to exceed, and its content indentation once seen. */
  private block: { owner: number; content: number; leadingBlank: number } | undefined;
  private kind: Scanned = null;
  private apiVersion: Scanned = null;
  private name: Scanned = null;
  private root: YAMLMap | undefined;
  private build = false;
  /** The start of the line where the scanner last gave up (for diagnostics and the benchmarks). */
  gaveUpAt = -1;
  // The next tab, " #" and ": " at or after the current line (2^32 - 1 when none): searched once
  // each, not per line, which would be quadratic in a file without them.
  private tabAt = -1;
  private commentAt = -1;
  private colonAt = -1;

  constructor(private readonly text: string) {}

  /** The document that starts at offset start. */
  scan(start: number, build = false): ScannedDocument {
    this.reset(build);
    const { text } = this;
    const length = text.length;
    let ok = true;
    let sawMarker = false;
    let sawContent = false;
    let pos = start;
    while (pos < length) {
      const nl = text.indexOf('\n', pos);
      const next = nl < 0 ? length : nl + 1;
      let end = nl < 0 ? length : nl;
      if (end > pos && text.charCodeAt(end - 1) === CR) end--;
      const c0 = text.charCodeAt(pos);
      if ((c0 === DASH || c0 === DOT) && isBlank(text.charCodeAt(pos + 3))) {
        const marker = text.slice(pos, pos + 3);
        if (marker === '---') {
          if (sawMarker || sawContent) return this.result(start, pos, ok);
          sawMarker = true;
          if (ok && !this.onlyComment(pos + 3, end)) ok = false;
          pos = next;
          continue;
        }
        if (marker === '...') {
          if (ok && !this.onlyComment(pos + 3, end)) ok = false;
          return this.result(start, next, ok);
        }
      }
      if (ok) {
        try {
          this.pos = pos;
          this.lineEnd = end;
          if (this.line()) sawContent = true;
        } catch (e) {
          if (!(e instanceof Failed)) throw e;
          ok = false;
          this.gaveUpAt = pos;
        }
      } else if (!sawContent && !this.onlyComment(pos, end)) sawContent = true;
      pos = next;
    }
    return this.result(start, length, ok);
  }

  private reset(build: boolean): void {
    this.spare.push(...this.stack);
    this.stack.length = 0;
    this.pending = false;
    this.pendingPair = undefined;
    this.pendingSeq = undefined;
    this.block = undefined;
    this.kind = null;
    this.apiVersion = null;
    this.name = null;
    this.root = undefined;
    this.build = build;
    this.tabAt = -1;
    this.commentAt = -1;
    this.colonAt = -1;
  }

  private nextComment(i: number): number {
    if (this.commentAt < i) this.commentAt = this.text.indexOf(' #', i) >>> 0;
    return this.commentAt;
  }

  private result(start: number, end: number, ok: boolean): ScannedDocument {
    const rootLevel = this.stack[0];
    const map = rootLevel !== undefined && !rootLevel.seq;
    return {
      start,
      end,
      ok,
      map,
      kind: this.kind,
      apiVersion: this.apiVersion,
      name: this.name,
      build: this.build,
      ...(ok && this.build && this.root ? { root: this.root } : {}),
    };
  }

  /** Only spaces, then nothing or a comment, in [from, to). */
  private onlyComment(from: number, to: number): boolean {
    const { text } = this;
    let i = from;
    while (i < to && text.charCodeAt(i) === SP) i++;
    if (i === to) return true;
    // "#" starts a comment only after whitespace or at the start of a line.
    return text.charCodeAt(i) === HASH && (i === 0 || isBlank(text.charCodeAt(i - 1)));
  }

  /** One line of the document; true when it holds content (not blank, not only a comment). */
  private line(): boolean {
    const { text, lineEnd } = this;
    let i = this.pos;
    while (i < lineEnd && text.charCodeAt(i) === SP) i++;
    const indent = i - this.pos;
    if (this.block) {
      if (this.blockLine(i, indent)) return true;
    }
    if (i === lineEnd) return false;
    // Tabs are legal in few places; rather than learn which, leave such lines to yaml.
    if (this.tabAt < this.pos) this.tabAt = text.indexOf('\t', this.pos) >>> 0;
    if (this.tabAt < lineEnd) throw fail;
    if (text.charCodeAt(i) === HASH) return false;
    this.content(i, indent);
    return true;
  }

  /** A line while a block scalar is open: true when it belongs to the scalar. */
  private blockLine(i: number, indent: number): boolean {
    const block = this.block;
    if (!block) return false;
    const { text, lineEnd } = this;
    if (i === lineEnd) {
      // A blank line; before the first content line, one more indented than the content is an error.
      if (block.content < 0) block.leadingBlank = Math.max(block.leadingBlank, indent);
      return true;
    }
    if (block.content < 0) {
      if (indent > block.owner) {
        if (block.leadingBlank > indent) throw fail;
        block.content = indent;
        return true;
      }
    } else if (indent >= block.content) return true;
    // The line ends the scalar; a tab where its indentation ends, or an empty scalar with
    // whitespace lines, are cases left to yaml.
    if (text.charCodeAt(i) === TAB || (block.content < 0 && block.leadingBlank > 0)) throw fail;
    this.block = undefined;
    return false;
  }

  /** A content line whose first character is at i. */
  private content(i: number, indent: number): void {
    const { text } = this;
    const c = text.charCodeAt(i);
    const entry = c === DASH && isBlank(text.charCodeAt(i + 1));
    const pending = this.pending;
    this.pending = false;
    if (pending && (indent > this.pendingIndent || (indent === this.pendingIndent && this.pendingMapKey && entry))) {
      const node = this.open(indent, entry);
      if (this.pendingPair) this.pendingPair.value = node;
      else if (this.pendingSeq) this.pendingSeq.items[this.pendingSeq.items.length - 1] = node;
    } else if (this.stack.length === 0) {
      const node = this.open(indent, entry);
      if (node instanceof YAMLMap) this.root = node;
    } else {
      // Close what this line's indentation ends.
      let top = this.stack[this.stack.length - 1];
      while (top && top.indent > indent) {
        this.spare.push(top);
        this.stack.pop();
        top = this.stack[this.stack.length - 1];
      }
      // A sequence written at its key's indentation ends at the next key.
      if (top?.seq && !entry && top.indent === indent) {
        const below = this.stack[this.stack.length - 2];
        if (below && !below.seq && below.indent === indent) {
          this.spare.push(top);
          this.stack.pop();
          top = below;
        }
      }
      if (!top || top.indent !== indent || top.seq !== entry) throw fail;
    }
    const level = this.stack[this.stack.length - 1];
    if (!level) throw fail;
    if (entry) this.entry(level, i);
    else this.pair(level, i);
  }

  private open(indent: number, seq: boolean): YAMLMap | YAMLSeq | undefined {
    const parent = this.stack[this.stack.length - 1];
    const key = this.stack.length === 1 && parent && !parent.seq ? this.lastRootKey : undefined;
    const node = this.build ? (seq ? new YAMLSeq() : new YAMLMap()) : undefined;
    const level = this.spare.pop();
    if (level) {
      level.indent = indent;
      level.seq = seq;
      level.key = key;
      level.keys.clear();
      level.node = node;
      this.stack.push(level);
    } else this.stack.push({ indent, seq, key, keys: new KeySet(), node });
    return node;
  }

  private expectBelow(indent: number, mapKey: boolean, pair: Pair | undefined, seq: YAMLSeq | undefined): void {
    this.pending = true;
    this.pendingIndent = indent;
    this.pendingMapKey = mapKey;
    this.pendingPair = pair;
    this.pendingSeq = seq;
  }

  private lastRootKey: string | undefined;
  private readonly key: KeyAt = { value: '', start: 0, end: 0, type: Scalar.PLAIN };

  /** "- ..." at i: a sequence entry, holding a scalar, a flow collection, a block scalar, a compact map, or nothing yet. */
  private entry(level: Level, i: number): void {
    const { text, lineEnd } = this;
    let j = i + 1;
    while (j < lineEnd && text.charCodeAt(j) === SP) j++;
    const seq = level.node as YAMLSeq | undefined;
    if (j === lineEnd || text.charCodeAt(j) === HASH) {
      seq?.items.push(null);
      this.expectBelow(level.indent, false, undefined, seq);
      return;
    }
    if (this.keyAt(j)) {
      // A compact map: its keys line up with this first one.
      const node = this.open(j - this.pos, false);
      seq?.items.push(node);
      const map = this.stack[this.stack.length - 1];
      if (map) this.pair(map, j, true);
      return;
    }
    const c = text.charCodeAt(j);
    if (c === DASH && isBlank(text.charCodeAt(j + 1))) throw fail;
    if (c === PIPE || c === GT) {
      this.blockScalar(j, level.indent);
      seq?.items.push(null);
      return;
    }
    const value = this.value(j, false);
    seq?.items.push(value);
  }

  /** "key: ..." at i in a block map; keyRead: keyAt(i) already ran and found it. */
  private pair(level: Level, i: number, keyRead = false): void {
    if (!keyRead && !this.keyAt(i)) throw fail;
    const key = this.key;
    const keys = level.keys;
    if (level.seq || !keys.add(key.value)) throw fail;
    const depth = this.stack.length;
    if (depth === 1) this.lastRootKey = key.value;
    const { text, lineEnd } = this;
    let j = key.end + 1;
    while (j < lineEnd && text.charCodeAt(j) === SP) j++;
    const map = level.node as YAMLMap | undefined;
    let pair: Pair | undefined;
    if (map) {
      const keyNode = new Scalar(key.value);
      keyNode.range = [key.start, key.end, key.end];
      keyNode.type = key.type;
      pair = new Pair(keyNode, null);
      map.items.push(pair);
    }
    let scanned: Scanned;
    if (j === lineEnd || (text.charCodeAt(j) === HASH && j > key.end + 1)) {
      this.expectBelow(level.indent, true, pair, undefined);
      // Null, or a collection on the lines below: not a string either way.
      scanned = null;
    } else {
      const c = text.charCodeAt(j);
      if (c === PIPE || c === GT) {
        this.blockScalar(j, level.indent);
        scanned = unknown;
      } else {
        const value = this.value(j, depth <= 2);
        if (pair) pair.value = value;
        scanned = this.lastScalar;
      }
    }
    if (depth === 1) {
      if (key.value === 'kind') this.kind = scanned;
      else if (key.value === 'apiVersion') this.apiVersion = scanned;
      // metadata written in flow style: its name is not scanned.
      else if (key.value === 'metadata' && !this.pending) this.name = unknown;
    } else if (depth === 2 && key.value === 'name' && this.stack[1]?.key === 'metadata' && !this.stack[1].seq)
      this.name = scanned;
  }

  /** The last one-line value read: its string, or unknown when it is not a plain or simply quoted string. */
  private lastScalar: Scanned = unknown;

  /** A block scalar header at i ("|", ">", with a chomping indicator); its lines follow. */
  private blockScalar(i: number, owner: number): void {
    const { text, lineEnd } = this;
    let j = i + 1;
    const c = text.charCodeAt(j);
    if (c === DASH || c === 0x2b) j++;
    if (!this.onlyComment(j, lineEnd) || (j < lineEnd && text.charCodeAt(j) !== SP)) throw fail;
    // Block scalars are read only by yaml: the scanner proves them valid, nothing more.
    if (this.build) throw fail;
    this.lastScalar = unknown;
    this.block = { owner, content: -1, leadingBlank: 0 };
  }

  /** A one-line value at i: a plain or quoted scalar, or a flow collection; the rest of the line is a comment at most. */
  private value(i: number, wanted: boolean): unknown {
    const { text, lineEnd } = this;
    const c = text.charCodeAt(i);
    let node: unknown;
    let end: number;
    if (c === LBRACKET || c === LBRACE) {
      const flow = this.flow(i, 0);
      node = flow.node;
      end = flow.end;
      this.lastScalar = unknown;
    } else if (c === SQ || c === DQ) {
      const quoted = this.quoted(i);
      node = quoted.node;
      end = quoted.end;
      this.lastScalar = quoted.value ?? unknown;
    } else {
      end = this.plainEnd(i, false);
      if (end < 0) throw fail;
      // Most values are only proven valid: their text is taken only when built or wanted.
      if (!wanted && !this.build) return undefined;
      const source = text.slice(i, end);
      this.lastScalar = plainString(source);
      node = this.build ? resolvePlain(source, i, end) : undefined;
      // The plain scalar ended at a comment or the end of the line.
      return node;
    }
    if (!this.onlyComment(end, lineEnd) || (end < lineEnd && text.charCodeAt(end) !== SP)) throw fail;
    return node;
  }

  /**
   * The end (spaces trimmed) of a one-line plain scalar at i, or -1 when it is not one:
   * it must not start with an indicator, nor hold ": " (a key) or, in a flow, a flow indicator.
   */
  private plainEnd(i: number, inFlow: boolean): number {
    const { text, lineEnd } = this;
    const c = text.charCodeAt(i);
    if (isIndicator(c)) return -1;
    if (c === DASH || c === QUESTION || c === COLON) {
      const d = text.charCodeAt(i + 1);
      if (isBlank(d) || (inFlow && isFlowIndicator(d))) return -1;
    }
    if (!inFlow) {
      // In a block, the scalar runs to a comment or the line's end, and holds no ": ".
      let stop = Math.min(this.nextComment(i), lineEnd);
      if (this.colonAt < i) this.colonAt = text.indexOf(': ', i) >>> 0;
      if (this.colonAt < stop || text.charCodeAt(stop - 1) === COLON) return -1;
      while (stop > i && text.charCodeAt(stop - 1) === SP) stop--;
      return stop;
    }
    let end = i;
    for (let j = i; j < lineEnd; j++) {
      const ch = text.charCodeAt(j);
      if (ch === SP) continue;
      if (ch === HASH && text.charCodeAt(j - 1) === SP) break;
      if (ch === COLON) {
        const d = text.charCodeAt(j + 1);
        if (isBlank(d) || (inFlow && isFlowIndicator(d))) {
          if (inFlow) break;
          return -1;
        }
      }
      if (inFlow && isFlowIndicator(ch)) break;
      end = j + 1;
    }
    return end;
  }

  /** A one-line quoted scalar at i: its node, end, and value when it needs no unescaping. */
  private quoted(i: number): { node: unknown; end: number; value: string | undefined } {
    const { text, lineEnd } = this;
    const q = text.charCodeAt(i);
    let j = i + 1;
    let simple = true;
    for (;;) {
      if (j >= lineEnd) throw fail;
      const ch = text.charCodeAt(j);
      if (ch === q) {
        if (q === SQ && text.charCodeAt(j + 1) === SQ) {
          simple = false;
          j += 2;
          continue;
        }
        break;
      }
      if (q === DQ && ch === BACKSLASH) {
        if (!validEscape(text, j, lineEnd)) throw fail;
        simple = false;
        j += 2;
        continue;
      }
      j++;
    }
    const end = j + 1;
    let value: string | undefined;
    if (simple) value = text.slice(i + 1, j);
    else if (q === SQ) value = text.slice(i + 1, j).replaceAll("''", "'");
    let node: unknown;
    if (this.build) {
      if (value === undefined) throw fail;
      const scalar = new Scalar(value);
      scalar.range = [i, end, end];
      scalar.type = q === SQ ? Scalar.QUOTE_SINGLE : Scalar.QUOTE_DOUBLE;
      node = scalar;
    }
    return { node, end, value };
  }

  /** A flow collection at i closed on the same line, nested at most a few levels: its node and end. */
  private flow(i: number, depth: number): { node: unknown; end: number } {
    if (depth > 8) throw fail;
    const { text, lineEnd } = this;
    const isMap = text.charCodeAt(i) === LBRACE;
    const close = isMap ? RBRACE : RBRACKET;
    const node = this.build ? (isMap ? new YAMLMap() : new YAMLSeq()) : undefined;
    const keys = isMap ? new KeySet() : undefined;
    let j = i + 1;
    let expectItem = true;
    for (;;) {
      while (j < lineEnd && text.charCodeAt(j) === SP) j++;
      if (j >= lineEnd) throw fail;
      const c = text.charCodeAt(j);
      if (c === close) {
        // "[a,]" is allowed; "[,]" is not (caught as an empty item).
        j++;
        break;
      }
      if (c === COMMA) {
        if (expectItem) throw fail;
        expectItem = true;
        j++;
        continue;
      }
      if (!expectItem) throw fail;
      const item = this.flowScalarOrCollection(j, depth);
      j = item.end;
      if (isMap) {
        if (typeof item.key !== 'string' || item.end - item.start > 1000 || !keys?.add(item.key)) throw fail;
        while (j < lineEnd && text.charCodeAt(j) === SP) j++;
        if (text.charCodeAt(j) !== COLON || text.charCodeAt(j + 1) !== SP) throw fail;
        j += 2;
        while (j < lineEnd && text.charCodeAt(j) === SP) j++;
        const c2 = text.charCodeAt(j);
        if (c2 === COMMA || c2 === close) throw fail;
        const value = this.flowScalarOrCollection(j, depth);
        j = value.end;
        if (node) (node as YAMLMap).items.push(new Pair(item.node, value.node));
      } else {
        // "[a: b]" (a pair in a sequence) is left to yaml.
        let k = j;
        while (k < lineEnd && text.charCodeAt(k) === SP) k++;
        if (text.charCodeAt(k) === COLON) throw fail;
        if (node) (node as YAMLSeq).items.push(item.node);
      }
      expectItem = false;
    }
    return { node, end: j };
  }

  private flowScalarOrCollection(
    j: number,
    depth: number,
  ): { node: unknown; start: number; end: number; key?: string } {
    const { text } = this;
    const c = text.charCodeAt(j);
    if (c === LBRACKET || c === LBRACE) return { ...this.flow(j, depth + 1), start: j };
    if (c === SQ || c === DQ) {
      const q = this.quoted(j);
      return { node: q.node, start: j, end: q.end, ...(q.value === undefined ? {} : { key: q.value }) };
    }
    // A flow plain scalar ends at a flow indicator or ": "; a "#" after it is a comment and fails
    // the collection, which must close on this line.
    const end = this.plainEnd(j, true);
    if (end <= j) throw fail;
    const source = text.slice(j, end);
    const node = this.build ? resolvePlain(source, j, end) : undefined;
    const plain = plainString(source);
    return typeof plain === 'string' && !nonString(plain)
      ? { node, start: j, end, key: plain }
      : { node, start: j, end };
  }

  /** The block-map key at i, if the line holds "key:" there. */
  private keyAt(i: number): boolean {
    const { text, lineEnd } = this;
    const c = text.charCodeAt(i);
    if (c === SQ || c === DQ) {
      let j = i + 1;
      while (j < lineEnd) {
        const ch = text.charCodeAt(j);
        if (ch === BACKSLASH && c === DQ) return false;
        if (ch === c) {
          if (c === SQ && text.charCodeAt(j + 1) === SQ) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      if (j >= lineEnd || j - i > 1000) return false;
      const end = j + 1;
      if (text.charCodeAt(end) !== COLON || !isBlank(text.charCodeAt(end + 1))) return false;
      const raw = text.slice(i + 1, j);
      return this.setKey(
        c === SQ ? raw.replaceAll("''", "'") : raw,
        i,
        end,
        c === SQ ? Scalar.QUOTE_SINGLE : Scalar.QUOTE_DOUBLE,
      );
    }
    if (isIndicator(c) || c === DASH || c === QUESTION || c === COLON) return false;
    // The key ends at the first ":" followed by a space or the line's end, with no comment before it.
    let colon = text.indexOf(':', i);
    while (colon >= 0 && colon < lineEnd && !isBlank(text.charCodeAt(colon + 1))) colon = text.indexOf(':', colon + 1);
    if (colon < 0 || colon >= lineEnd || colon - i > 1000 || text.charCodeAt(colon - 1) === SP) return false;
    if (this.nextComment(i) < colon) return false;
    const value = text.slice(i, colon);
    if (nonString(value)) return false;
    return this.setKey(value, i, colon, Scalar.PLAIN);
  }

  private setKey(value: string, start: number, end: number, type: Scalar.Type): true {
    const key = this.key;
    key.value = value;
    key.start = start;
    key.end = end;
    key.type = type;
    return true;
  }
}

/**
 * The keys of one map, to refuse duplicates: most maps have a few, so a list until they are many.
 * Cleared by count, not by truncating the list: a truncated array drops its backing store, and
 * the next push allocated a new one for each of the half million maps of a large tree. The
 * scanner lives for one text, so keys kept past a clear hold nothing longer than that.
 */
class KeySet {
  private readonly list: string[] = [];
  private count = 0;
  private set: Set<string> | undefined;

  clear(): void {
    this.count = 0;
    this.set = undefined;
  }

  /** false when the key is already there. */
  add(key: string): boolean {
    if (this.set) {
      if (this.set.has(key)) return false;
      this.set.add(key);
      return true;
    }
    const list = this.list;
    for (let i = 0; i < this.count; i++) if (list[i] === key) return false;
    if (this.count === 16) {
      this.set = new Set(list);
      this.set.add(key);
      return true;
    }
    list[this.count++] = key;
    return true;
  }
}

/** The key keyAt last read (one record, rewritten: a key per line of every document). */
interface KeyAt {
  value: string;
  start: number;
  /** Where the key's text ends: its ":" for a plain key, after the closing quote for a quoted one (the ":" follows). */
  end: number;
  type: Scalar.Type;
}

/** A plain scalar's value when it is a string that yaml keeps as written; null when yaml reads null. */
function plainString(source: string): Scanned {
  if (!nonString(source)) return source;
  return source === '~' || source === 'null' || source === 'Null' || source === 'NULL' ? null : unknown;
}

/** A double-quoted escape yaml accepts (YAML 1.2 c-ns-esc-char). */
function validEscape(text: string, at: number, lineEnd: number): boolean {
  const e = text[at + 1];
  if (e === undefined || at + 1 >= lineEnd) return false;
  if ('0abtnvfre "/\\N_LP'.includes(e)) return true;
  const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
  return hex > 0 && at + 2 + hex <= lineEnd && /^[0-9a-fA-F]+$/.test(text.slice(at + 2, at + 2 + hex));
}
