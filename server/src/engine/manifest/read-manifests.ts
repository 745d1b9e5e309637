import { parseAllDocuments } from 'yaml';
import { LineIndex, type SourceFile } from '../source';
import type { ManifestSink } from './kinds';
import type { ManifestFile, Suppression, SyntaxProblem } from './model';
import { flowDepthExceededAt, maxFlowDepth } from './flow-depth';
import { readDocument } from './read-document';
import { readScannedFile } from './read-scanned';
import { YamlReader } from './yaml-reader';

const suppressionComment = /^[ \t]*#[ \t]*kube-routes-disable-next-line\b([^\r\n]*)/gm;

/** Go template actions: with YAML that does not parse, the mark of a Helm template. */
export function isHelmTemplateText(text: string): boolean {
  return text.includes('{{');
}

function emptyFile(path: string): Omit<ManifestFile, 'syntaxErrors'> {
  return { file: path, services: [], pools: [], serviceCIDRs: [], suppressions: [] };
}

/**
 * Reads every object kube-routes knows (documentKinds) from one YAML or JSON file. Never throws:
 * syntax problems are returned as data. helmChart, when the face found the file under a chart's
 * templates/, marks it as a template even without "{{".
 */
export function readManifestFile(source: SourceFile, helmChart?: string): ManifestFile {
  if (helmChart !== undefined) return helmTemplateFile(source.path, helmChart);
  // The scanner reads what it can prove free of YAML errors and composes only documents that may
  // hold objects kube-routes reads; anything else (an error anywhere, say) is read the way below.
  // (It checks flow depth itself before it lets yaml parse a document.)
  const scanned = readScannedFile(source);
  if (scanned) {
    const { lines, ...file } = scanned;
    return { ...file, suppressions: readSuppressions(source.text, lines) };
  }
  return readManifestFileComposed(source);
}

/**
 * The reference reader: every document composed by yaml. readManifestFile gives the same result
 * faster; tests compare the two.
 */
export function readManifestFileComposed(source: SourceFile, helmChart?: string): ManifestFile {
  if (helmChart !== undefined) return helmTemplateFile(source.path, helmChart);
  const lines = new LineIndex();
  const tooDeep = flowDepthExceededAt(source.text, maxFlowDepth);
  if (tooDeep !== undefined) {
    lines.counter.addNewLine(0);
    for (let i = source.text.indexOf('\n'); i >= 0 && i < tooDeep; i = source.text.indexOf('\n', i + 1))
      lines.counter.addNewLine(i + 1);
    const message = `flow collections ("[", "{") nest deeper than ${maxFlowDepth} levels; no manifest nests like that, and the YAML parser cannot read it safely`;
    return { ...emptyFile(source.path), syntaxErrors: [{ range: lines.range(tooDeep, tooDeep + 1), message }] };
  }
  const docs = parseAllDocuments(source.text, { lineCounter: lines.counter, prettyErrors: false, merge: true });
  // "{{" in YAML that parses (an ExternalSecret's or PrometheusRule's own templates) is just text;
  // in text that does not parse, it is a Helm template: one note, not a flood of syntax errors.
  const broken = !Array.isArray(docs) || docs.some((d) => d.errors.length > 0);
  if (broken && isHelmTemplateText(source.text)) return helmTemplateFile(source.path, chartOf(source.path));
  const out: ManifestSink = { services: [], pools: [], serviceCIDRs: [] };
  const syntaxErrors: SyntaxProblem[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    if (doc.errors.length > 0) {
      // A broken document could yield half a Service and false findings: report it, read the others.
      for (const e of doc.errors)
        syntaxErrors.push({ range: lines.range(e.pos[0], e.pos[1]), message: firstLine(e.message) });
      continue;
    }
    const found: ManifestSink = { services: [], pools: [], serviceCIDRs: [] };
    const reader = new YamlReader(doc, lines, source.text, source.path);
    readDocument(reader, doc.contents, found);
    if (reader.unresolved.length > 0) syntaxErrors.push(...reader.unresolved);
    else {
      out.services.push(...found.services);
      out.pools.push(...found.pools);
      out.serviceCIDRs.push(...found.serviceCIDRs);
    }
  }
  return { file: source.path, ...out, syntaxErrors, suppressions: readSuppressions(source.text, lines) };
}

function helmTemplateFile(path: string, chart: string): ManifestFile {
  return { ...emptyFile(path), syntaxErrors: [], helmTemplate: { chart } };
}

/** The chart folder of a template path: the part before "/templates/", else the file's folder. */
function chartOf(path: string): string {
  const at = path.lastIndexOf('/templates/');
  if (at >= 0) return path.slice(0, at) || '.';
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '.' : path.slice(0, slash);
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
