import { isMap, type YAMLMap } from 'yaml';
import { documentKind, listItemKind, type ManifestSink } from './kinds';
import type { YamlReader } from './yaml-reader';

/** Reads the objects of one document's root (an object, or a List of them) through the kinds table. */
export function readDocument(reader: YamlReader, contents: unknown, out: ManifestSink): void {
  const root = reader.resolve(contents);
  if (!isMap(root)) return;
  const kind = reader.scalar(root, 'kind');
  const apiVersion = reader.scalar(root, 'apiVersion');
  const itemKind = listItemKind(kind);
  if (itemKind === undefined) {
    readObject(reader, root, kind, apiVersion, out);
    return;
  }
  // Items of a typed list (ServiceList) often carry no kind or apiVersion: they take the list's.
  for (const item of reader.items(root, 'items')) {
    const node = reader.resolve(item);
    if (!isMap(node)) continue;
    const ownKind = reader.scalar(node, 'kind');
    readObject(
      reader,
      node,
      ownKind ?? (itemKind || undefined),
      reader.scalar(node, 'apiVersion') ?? (ownKind ? undefined : apiVersion),
      out,
    );
  }
}

function readObject(
  reader: YamlReader,
  node: YAMLMap,
  kind: string | undefined,
  apiVersion: string | undefined,
  out: ManifestSink,
): void {
  const row = documentKind(kind, apiVersion);
  if (row) row.read(reader, node, reader.metadata(node, row.kind), out);
}
