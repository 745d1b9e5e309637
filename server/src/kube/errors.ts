// Why a context could not be read, as data: one complete line naming the context and what to do.
// The live commands print each one, still show what the other contexts answered, and exit 2;
// the language server shows each outage once.

export type KubeErrorKind =
  | 'unknown-context'
  | 'credentials'
  | 'unreachable'
  | 'tls'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'failed';

export class KubeError extends Error {
  constructor(
    readonly context: string,
    readonly kind: KubeErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** The kubeconfig itself cannot be read; each face adds how to point at another one. */
export class KubeconfigError extends Error {
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`cannot read the kubeconfig ${source}: ${reason}`);
  }
}

/** Turns a socket-level failure into the one line users need. */
export function transportError(context: string, server: string, e: unknown): KubeError {
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  const detail = code || err.message || String(e);
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|SSL/i.test(code)) {
    return new KubeError(
      context,
      'tls',
      `context "${context}": the API server at ${server} failed TLS verification (${err.message ?? code}); check certificate-authority-data of the cluster in your kubeconfig`,
    );
  }
  return new KubeError(
    context,
    'unreachable',
    `context "${context}": cannot reach the API server at ${server} (${detail}); check that the cluster is up and reachable from here (VPN, proxy), or leave the context out`,
  );
}

interface StatusBody {
  readonly kind?: string;
  readonly message?: string;
  readonly reason?: string;
}

/** Turns a non-2xx answer of the API server into the one line users need. */
export function statusError(context: string, server: string, user: string, status: number, body: string): KubeError {
  let parsed: StatusBody = {};
  try {
    parsed = JSON.parse(body) as StatusBody;
  } catch {
    // not a Status object; keep the raw text
  }
  const message = (parsed.message ?? body.trim()).replace(/\s+/g, ' ').slice(0, 300);
  if (status === 401) {
    return new KubeError(
      context,
      'unauthorized',
      `context "${context}": the API server at ${server} rejected the credentials of user "${user}" (401 Unauthorized): they are missing or have expired; log in again or refresh the token in your kubeconfig`,
    );
  }
  if (status === 403) {
    return new KubeError(
      context,
      'forbidden',
      `context "${context}": forbidden (403): ${message}; ask your cluster admin for RBAC permission to list and watch it, or narrow the request (-n NAMESPACE)`,
    );
  }
  if (status === 404) return new KubeError(context, 'not-found', `context "${context}": not found (404): ${message}`);
  return new KubeError(
    context,
    'failed',
    `context "${context}": the API server at ${server} answered ${status}${parsed.reason ? ` ${parsed.reason}` : ''}: ${message}`,
  );
}
