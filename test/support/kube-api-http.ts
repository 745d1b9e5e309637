import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, ResourceType } from './kube-api-store';
import { toTable, type IncludeObject } from './kube-api-tables';

// The HTTP conventions of the API server: Status objects for errors, content negotiation of
// Table output, the watch and includeObject parameters.

export class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function key(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function isWatch(url: URL): boolean {
  const w = url.searchParams.get('watch');
  return w === 'true' || w === '1';
}

/** The Table API version the client asked for first, if any (e.g. "meta.k8s.io/v1"). */
export function wantsTable(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.accept ?? '').split(',')) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    if (params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io')
      return `meta.k8s.io/${params.get('v') ?? 'v1'}`;
    if (part.trim().startsWith('application/json') && !params.has('as')) return undefined;
  }
  return undefined;
}

export function includeObject(url: URL): IncludeObject {
  const v = url.searchParams.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

export function tableOr(
  req: IncomingMessage,
  url: URL,
  type: ResourceType,
  objects: readonly KubeObject[],
  metadata: Record<string, unknown>,
  plain: unknown,
): unknown {
  const table = wantsTable(req);
  return table
    ? toTable(type, objects, { apiVersion: table, includeObject: includeObject(url), withColumns: true, metadata })
    : plain;
}

export function status(e: HttpError): unknown {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: e.message,
    reason: e.reason,
    ...(e.details ? { details: e.details } : {}),
    code: e.code,
  };
}

export function json(res: ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
