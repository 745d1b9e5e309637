import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Finding, Position, RelatedLocation, SourceFile, SourceRange } from '@kube-routes/server/engine';
import { UsageError } from '../cli/io';

// `check -k DIR`: renders a kustomization with the kubectl on PATH, asking kustomize to record
// each resource's origin (buildMetadata: [originAnnotations], through a wrapper kustomization in
// a temporary folder, so the user's files are untouched). Findings on the rendered text are moved
// to the file and document each resource came from: to the same value there when it is written
// in the source, else to the document's name.

interface RenderedDoc {
  readonly startLine: number;
  readonly endLine: number;
  /** The origin file, absolute; undefined for generated resources. */
  readonly origin: string | undefined;
  readonly kind: string | undefined;
  readonly name: string | undefined;
}

export interface Rendered {
  readonly source: SourceFile;
  /** Moves a finding (and its related locations) from the rendered text to the origin files. */
  readonly mapFinding: (f: Finding) => Finding;
}

function field(lines: readonly string[], pattern: RegExp): string | undefined {
  for (const line of lines) {
    const m = pattern.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

function renderedDocs(text: string, wrapper: string): RenderedDoc[] {
  const lines = text.split('\n');
  const docs: RenderedDoc[] = [];
  let start = 0;
  const close = (end: number) => {
    const body = lines.slice(start, end);
    const origin = field(body, /^\s+path: (.+)$/);
    docs.push({
      startLine: start,
      endLine: end,
      origin: origin === undefined ? undefined : resolve(wrapper, origin.trim()),
      kind: field(body, /^kind: (\S+)/),
      name: field(body, /^ {2}name: (\S+)/),
    });
  };
  lines.forEach((line, i) => {
    if (line === '---') {
      close(i);
      start = i + 1;
    }
  });
  close(lines.length);
  return docs;
}

/** The lines of the document of the origin file with that kind and name, and where its name is. */
function originDoc(text: string, kind: string | undefined, name: string | undefined) {
  const lines = text.split('\n');
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i < lines.length && !/^---\s*$/.test(lines[i] ?? '')) continue;
    const body = lines.slice(start, i);
    const kindOk = kind === undefined || body.some((l) => new RegExp(`^kind:\\s*["']?${kind}\\b`).test(l));
    const nameLine = body.findIndex(
      (l) => name !== undefined && new RegExp(`\\bname:\\s*["']?${name}["']?\\s*(,|}|$)`).test(l),
    );
    if (kindOk && nameLine >= 0) return { lines, start, end: i, nameLine: start + nameLine };
    start = i + 1;
  }
  return { lines, start: 0, end: lines.length, nameLine: 0 };
}

export function renderKustomization(dir: string, cwd: string, display: (abs: string) => string): Rendered {
  const target = resolve(cwd, dir);
  const wrapper = mkdtempSync(join(tmpdir(), 'kube-routes-kustomize-'));
  let run: ReturnType<typeof spawnSync>;
  try {
    writeFileSync(
      join(wrapper, 'kustomization.yaml'),
      `resources: [${JSON.stringify(relative(wrapper, target))}]\nbuildMetadata: [originAnnotations]\n`,
    );
    run = spawnSync('kubectl', ['kustomize', wrapper], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  } finally {
    rmSync(wrapper, { recursive: true, force: true });
  }
  if (run.error)
    throw new UsageError(
      `-k ${dir}: cannot run kubectl kustomize (${run.error.message}); install kubectl, or pipe the rendered output into kubectl routes check -`,
    );
  if (run.status !== 0) {
    const why =
      String(run.stderr)
        .split('\n')
        .find((l) => l.trim() !== '') ?? `exit ${run.status}`;
    throw new UsageError(`-k ${dir}: kubectl kustomize failed: ${why.replace(/^E\d+ [\d:.]+\s+\d+ \S+\] /, '')}`);
  }
  const text = String(run.stdout);
  const name = `kustomize ${display(target)}`;
  const docs = renderedDocs(text, wrapper);
  const renderedLines = text.split('\n');
  const cache = new Map<string, string | undefined>();
  const read = (path: string) => {
    if (!cache.has(path)) {
      try {
        cache.set(path, readFileSync(path, 'utf8'));
      } catch {
        cache.set(path, undefined);
      }
    }
    return cache.get(path);
  };

  const move = (file: string, range: SourceRange): { file: string; range: SourceRange } => {
    if (file !== name) return { file, range };
    const doc = docs.find((d) => d.startLine <= range.start.line && range.start.line < d.endLine);
    const originText = doc?.origin === undefined ? undefined : read(doc.origin);
    if (!doc?.origin || originText === undefined) return { file, range };
    const target = originDoc(originText, doc.kind, doc.name);
    const line = renderedLines[range.start.line] ?? '';
    const literal = range.start.line === range.end.line ? line.slice(range.start.column, range.end.column) : '';
    if (literal.trim() !== '') {
      for (let i = target.start; i < target.end; i++) {
        const column = (target.lines[i] ?? '').indexOf(literal);
        if (column >= 0) {
          const start: Position = { line: i, column };
          return { file: display(doc.origin), range: { start, end: { line: i, column: column + literal.length } } };
        }
      }
    }
    const at: Position = { line: target.nameLine, column: 0 };
    return { file: display(doc.origin), range: { start: at, end: at } };
  };
  return {
    source: { path: name, text },
    mapFinding: (f) => {
      const moved = move(f.file, f.range);
      const related: RelatedLocation[] = f.related.map((r) => ({ ...r, ...move(r.file, r.range) }));
      return { ...f, ...moved, related };
    },
  };
}
