import { parseAllDocuments } from 'yaml';
import { LineIndex, type SourceFile } from '../source';
import { apiGroup, documentKind, listItemKind, type ManifestSink } from './kinds';
import type { ManifestFile } from './model';
import { readDocument } from './read-document';
import { flowDepthExceededAt, maxFlowDepth } from './flow-depth';
import { DocumentScanner, type ScannedDocument, unknown } from './scan';
import { YamlReader } from './yaml-reader';

/**
 * Text the scanner leaves to yaml whole: directives ("%YAML" changes how the next document
 * resolves), a byte order mark, line breaks other than \n and \r\n, control characters.
 */
const oddCharacters = /[\uFEFF\u0085\u2028\u2029\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/;

function leftToYaml(text: string): boolean {
  return (
    text.charCodeAt(0) === 0x25 ||
    text.includes('\n%') ||
    oddCharacters.test(text) ||
    (text.includes('\r') && /\r(?!\n)/.test(text))
  );
}

export type ScannedFile = Omit<ManifestFile, 'suppressions'> & { readonly lines: LineIndex };

/**
 * Reads a file document by document with the scanner: documents that cannot hold an object of the
 * kinds table are scanned only, the others built by the scanner or, beyond its subset, composed by
 * yaml one at a time. undefined when the file has a YAML error, or is beyond what the scanner can
 * split: the caller then composes the whole file, which reports every error as before.
 */
export function readScannedFile(source: SourceFile): ScannedFile | undefined {
  const { text, path } = source;
  if (leftToYaml(text)) return undefined;
  const lines = lineIndexOf(text);
  const scanner = new DocumentScanner(text);
  const out: ManifestSink = { services: [], pools: [], serviceCIDRs: [] };
  for (let pos = 0; pos < text.length; ) {
    // A document that looks like one to read is built at once; the others are only scanned, and
    // built in a second pass if the scan finds they may hold an object after all.
    let doc = scanner.scan(pos, buildable(looksLike(text, pos)));
    if (doc.build && !doc.root) doc = scanner.scan(pos);
    if (doc.end <= pos) return undefined;
    pos = doc.end;
    if (doc.ok && !mayHoldObjects(doc)) continue;
    if (doc.ok && buildable(doc.kind)) {
      const root = doc.root ?? scanner.scan(doc.start, true).root;
      if (root) {
        readDocument(new YamlReader(undefined, lines, text, path), root, out);
        continue;
      }
    }
    // The whole file is one document beyond the scanner: compose it as a whole.
    if (doc.start === 0 && doc.end === text.length) return undefined;
    if (!composeOne(text.slice(doc.start, doc.end), doc.start, lines, text, path, out)) return undefined;
  }
  return { file: path, ...out, syntaxErrors: [], lines };
}

/** Composes one document's text with yaml; false on any error (the caller starts over, whole). */
function composeOne(
  slice: string,
  base: number,
  lines: LineIndex,
  text: string,
  path: string,
  out: ManifestSink,
): boolean {
  if (flowDepthExceededAt(slice, maxFlowDepth) !== undefined) return false;
  const docs = parseAllDocuments(slice, { prettyErrors: false, merge: true });
  if (!Array.isArray(docs)) return true;
  for (const doc of docs) {
    if (doc.errors.length > 0) return false;
    const found: ManifestSink = { services: [], pools: [], serviceCIDRs: [] };
    const reader = new YamlReader(doc, lines, text, path, base);
    readDocument(reader, doc.contents, found);
    if (reader.unresolved.length > 0) return false;
    out.services.push(...found.services);
    out.pools.push(...found.pools);
    out.serviceCIDRs.push(...found.serviceCIDRs);
  }
  return true;
}

const kindLine = /^kind:[ ]*([A-Za-z]+)[ ]*\r?$/m;

/** The kind a document starting at pos seems to have: the first "kind:" line from there (a guess). */
function looksLike(text: string, pos: number): string | undefined {
  const m = kindLine.exec(text.slice(pos, pos + 4096));
  return m?.[1];
}

/** Kinds of the table the scanner builds (lists are composed by yaml). */
function buildable(kind: ScannedDocument['kind'] | undefined): boolean {
  return typeof kind === 'string' && listItemKind(kind) === undefined && documentKind(kind, undefined) !== undefined;
}

/** Whether a scanned document may hold an object of the kinds table (when unsure: yes). */
function mayHoldObjects(doc: ScannedDocument): boolean {
  if (!doc.map || doc.kind === null) return false;
  if (doc.kind === unknown || listItemKind(doc.kind) !== undefined) return true;
  const row = documentKind(doc.kind, undefined);
  if (!row) return false;
  if (typeof doc.apiVersion === 'string' && !row.groups.includes(apiGroup(doc.apiVersion))) return false;
  // A missing or null name reads as "".
  if (row.onlyNamed !== undefined && doc.name !== unknown && (doc.name ?? '') !== row.onlyNamed) return false;
  return true;
}

/** Line starts of the whole text, as yaml's parser reports them while it reads. */
function lineIndexOf(text: string): LineIndex {
  const lines = new LineIndex();
  const add = lines.counter.addNewLine;
  add(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) add(i + 1);
  return lines;
}
