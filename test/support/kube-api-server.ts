import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { discoveryDocument } from './kube-api-discovery';
import { HttpError, includeObject, isWatch, json, key, status, tableOr, wantsTable } from './kube-api-http';
import {
  apiVersionOf,
  ObjectStore,
  parseFieldSelector,
  parseLabelSelector,
  resourceTypes,
  type KubeObject,
  type ResourceType,
  type StoredEvent,
} from './kube-api-store';
import { toTable } from './kube-api-tables';
import { makeTls, type TlsMaterial } from './kube-tls';
import { allocateIp, serviceObject, type ServiceInput } from './kube-objects';

// A Kubernetes API server for tests: the real REST API for what kube-routes and `kubectl get`
// use. No kube-apiserver can run on the test machines, so this stands in for one; its fidelity
// is proven with the real kubectl (test/e2e/kube-api-server.test.ts).
//
// Served: /version, /api, /apis and the group-version resource lists (legacy discovery; the
// aggregated kind is declined by answering plain application/json, as older servers do); get,
// list and watch of Services, Namespaces, Nodes, ServiceCIDRs and IPAddresses with label and
// field selectors, limit/continue, resourceVersion, chunked watch events and 410 Gone; Table
// output; the service proxy subresource; bearer tokens (401) and RBAC rules (403); TLS.

export interface RbacRule {
  /** get, list, watch; '*' for all. */
  readonly verbs: readonly string[] | '*';
  /** Plural resource names ("services", "services/proxy"); '*' for all. */
  readonly resources: readonly string[] | '*';
  /** Namespaces the rule applies to; absent for every namespace and the cluster scope. */
  readonly namespaces?: readonly string[];
}

export interface TestUser {
  readonly name: string;
  /** Absent: may do everything. */
  readonly rules?: readonly RbacRule[];
}

export interface KubeApiServerOptions {
  /** Shown in /version's gitVersion, to tell test clusters apart. */
  readonly name: string;
  /** Loopback address to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Bearer token -> user. Default: one token "test-token" for an all-powerful user "admin". */
  readonly users?: Readonly<Record<string, TestUser>>;
  /** TLS material; default: made fresh (openssl when installed). */
  readonly tls?: TlsMaterial;
  /** Plurals of the CRD types (ResourceType.crd) this cluster has installed; others answer 404. */
  readonly crds?: readonly string[];
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly user: string | undefined;
  readonly status: number;
}

interface Route {
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  /** The rest of a service proxy path, e.g. "/v1/peers", with the port part of NAME:PORT. */
  readonly proxy?: { readonly port: string; readonly path: string };
}

export class KubeApiServer {
  readonly store = new ObjectStore();
  readonly tls: TlsMaterial;
  readonly host: string;
  /** Every request, for assertions about what a client did. */
  readonly requests: RequestRecord[] = [];
  port = 0;
  private server: Server | undefined;
  private readonly users: Map<string, TestUser>;
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<() => void>();
  private readonly proxies = new Map<string, string>();

  constructor(readonly options: KubeApiServerOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.tls = options.tls ?? makeTls({ ips: [this.host] });
    this.users = new Map(Object.entries(options.users ?? { 'test-token': { name: 'admin' } }));
  }

  get url(): string {
    return `https://${this.host}:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    const server = createServer({ cert: this.tls.cert, key: this.tls.key }, (req, res) => void this.handle(req, res));
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
  }

  /** Ends open watches and connections, so clients see the server go away. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const end of this.watches) end();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Ends every open watch, as an API server does when a watch times out; clients watch again. */
  endWatches(): void {
    for (const end of [...this.watches]) end();
  }

  private serves(type: ResourceType): boolean {
    return !type.crd || (this.options.crds ?? []).includes(type.plural);
  }

  // --- Test-side mutations: what a controller or kubectl apply would do. ---

  typeOf(plural: string): ResourceType {
    const type = resourceTypes.find((t) => t.plural === plural && this.serves(t));
    if (!type) throw new Error(`unknown resource ${plural}`);
    return type;
  }

  put(plural: string, object: KubeObject): KubeObject {
    return this.store.put(this.typeOf(plural), object);
  }

  delete(plural: string, namespace: string | undefined, name: string): void {
    this.store.delete(this.typeOf(plural), namespace, name);
  }

  /**
   * Creates (or replaces) a Service as the API server would: a cluster IP allocated from the
   * ServiceCIDRs when none is given, refused when already allocated, and an IPAddress object
   * recording each allocation.
   */
  addService(input: ServiceInput): KubeObject {
    const namespace = input.namespace ?? 'default';
    if (!this.store.get('namespaces', undefined, namespace))
      this.put('namespaces', { metadata: { name: namespace }, status: { phase: 'Active' } });
    const owner = (ip: string) => {
      const ref = (
        this.store.get('ipaddresses', undefined, ip)?.spec as
          | { parentRef?: { namespace?: string; name?: string } }
          | undefined
      )?.parentRef;
      return ref ? `${ref.namespace}/${ref.name}` : undefined;
    };
    const clusterIPs =
      input.clusterIP === 'None'
        ? ['None']
        : input.clusterIP
          ? [input.clusterIP, ...(input.extraClusterIPs ?? [])]
          : [allocateIp(this.store, owner)];
    for (const ip of clusterIPs) {
      const holder = ip === 'None' ? undefined : owner(ip);
      if (holder && holder !== `${namespace}/${input.name}`)
        throw new Error(
          `Service "${input.name}" is invalid: spec.clusterIPs: Invalid value: ["${ip}"]: failed to allocate IP ${ip}: provided IP is already allocated`,
        );
    }
    const replaced = this.store.get('services', namespace, input.name);
    const service = this.put('services', serviceObject({ ...input, namespace }, clusterIPs));
    for (const ip of (replaced?.spec as { clusterIPs?: string[] } | undefined)?.clusterIPs ?? []) {
      if (ip !== 'None' && !clusterIPs.includes(ip)) this.delete('ipaddresses', undefined, ip);
    }
    for (const ip of clusterIPs) {
      if (ip === 'None') continue;
      this.put('ipaddresses', {
        metadata: { name: ip, labels: { 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' } },
        spec: { parentRef: { group: '', resource: 'services', namespace, name: input.name } },
      });
    }
    return service;
  }

  deleteService(namespace: string, name: string): void {
    const service = this.store.get('services', namespace, name);
    if (!service) return;
    this.delete('services', namespace, name);
    for (const ip of (service.spec as { clusterIPs?: string[] }).clusterIPs ?? [])
      if (ip !== 'None') this.delete('ipaddresses', undefined, ip);
  }

  /** Requests to .../services/NAME:PORT/proxy/... go to target (an http:// base URL). */
  setServiceProxy(namespace: string, name: string, port: string | number, target: string): void {
    this.proxies.set(`${namespace}/${name}:${port}`, target);
  }

  setUser(token: string, user: TestUser | undefined): void {
    if (user) this.users.set(token, user);
    else this.users.delete(token);
  }

  // --- HTTP ---

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const user = token === undefined ? undefined : this.users.get(token);
    const record = (status: number) =>
      this.requests.push({
        method: req.method ?? 'GET',
        path: `${url.pathname}${url.search}`,
        user: user?.name,
        status,
      });
    try {
      if (!user) throw new HttpError(401, 'Unauthorized', 'Unauthorized');
      if (req.method !== 'GET' && !url.pathname.includes('/proxy'))
        throw new HttpError(
          405,
          'MethodNotAllowed',
          `the server does not allow this method on the requested resource (${req.method} ${url.pathname}): this test server is read-only over HTTP`,
        );
      const discovery = discoveryDocument(url.pathname, {
        name: this.options.name,
        address: `${this.host}:${this.port}`,
      });
      if (discovery) {
        record(200);
        return json(res, 200, discovery);
      }
      const route = this.route(url.pathname);
      const verb = route.proxy
        ? (req.method?.toLowerCase() ?? 'get')
        : route.name !== undefined
          ? 'get'
          : isWatch(url)
            ? 'watch'
            : 'list';
      const resource = route.proxy ? `${route.type.plural}/proxy` : route.type.plural;
      this.authorize(user, verb, resource, route);
      if (route.proxy) {
        record(await this.proxy(req, res, route));
        return;
      }
      if (verb === 'watch') {
        record(200);
        return this.watch(req, res, url, route);
      }
      if (verb === 'get') {
        const object = this.store.get(
          route.type.plural,
          route.type.namespaced ? route.namespace : undefined,
          route.name ?? '',
        );
        if (!object)
          throw new HttpError(
            404,
            'NotFound',
            `${route.type.plural}${route.type.group ? `.${route.type.group}` : ''} "${route.name}" not found`,
            { name: route.name, kind: route.type.plural },
          );
        record(200);
        return json(
          res,
          200,
          tableOr(req, url, route.type, [object], { resourceVersion: object.metadata.resourceVersion }, object),
        );
      }
      const body = this.list(req, url, route);
      record(200);
      return json(res, 200, body);
    } catch (e) {
      const error =
        e instanceof HttpError
          ? e
          : new HttpError(
              500,
              'InternalError',
              `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`,
            );
      record(error.code);
      if (!res.headersSent) json(res, error.code, status(error));
      else res.end();
    }
  }

  private route(path: string): Route {
    const m = /^\/(?:api\/v1|apis\/([^/]+)\/([^/]+))\/(.*)$/.exec(path);
    const notFound = () => new HttpError(404, 'NotFound', 'the server could not find the requested resource');
    if (!m) throw notFound();
    const group = m[1] ?? '';
    const version = m[1] ? m[2] : 'v1';
    const segments = (m[3] ?? '').split('/').map(decodeURIComponent);
    const typeIn = (plural: string | undefined) =>
      resourceTypes.find((t) => t.group === group && t.version === version && t.plural === plural && this.serves(t));
    // namespaces/NS/PLURAL[/NAME[/proxy/...]]
    if (segments[0] === 'namespaces' && segments.length >= 3) {
      const type = typeIn(segments[2]);
      if (!type?.namespaced) throw notFound();
      const [, namespace, , rawName, sub, ...rest] = segments;
      if (sub === 'proxy' && type.plural === 'services' && rawName) {
        // NAME, NAME:PORT or SCHEME:NAME:PORT
        const parts = rawName.split(':');
        const [name = '', port = ''] = parts.length === 3 ? parts.slice(1) : parts;
        return { type, namespace, name, proxy: { port, path: `/${rest.join('/')}` } };
      }
      if (sub !== undefined) throw notFound();
      return { type, namespace, name: rawName };
    }
    const type = typeIn(segments[0]);
    if (!type || segments.length > 2) throw notFound();
    return { type, namespace: undefined, name: segments[1] };
  }

  private authorize(user: TestUser, verb: string, resource: string, route: Route): void {
    if (!user.rules) return;
    const ns = route.type.namespaced ? route.namespace : undefined;
    const allowed = user.rules.some(
      (r) =>
        (r.verbs === '*' || r.verbs.includes(verb)) &&
        (r.resources === '*' || r.resources.includes(resource)) &&
        (r.namespaces === undefined || (ns !== undefined && r.namespaces.includes(ns))),
    );
    if (allowed) return;
    const group = route.type.group;
    const scope = ns === undefined ? 'at the cluster scope' : `in the namespace "${ns}"`;
    const subject = route.name === undefined ? resource.split('/')[0] : `${route.type.plural} "${route.name}"`;
    throw new HttpError(
      403,
      'Forbidden',
      `${subject} is forbidden: User "${user.name}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`,
      { ...(route.name ? { name: route.name } : {}), ...(group ? { group } : {}), kind: route.type.plural },
    );
  }

  private list(req: IncomingMessage, url: URL, route: Route): unknown {
    const { items, resourceVersion } = this.select(url, route);
    // Plain code-unit order (as etcd keys sort); localeCompare made large lists slow to serve.
    const keys = new Map(items.map((o) => [o, key(o)]));
    items.sort((a, b) => ((keys.get(a) ?? '') < (keys.get(b) ?? '') ? -1 : 1));
    // limit/continue: the token carries the last key served; later pages continue after it.
    const after = url.searchParams.get('continue');
    let start = 0;
    if (after) {
      let last: string;
      try {
        last = (JSON.parse(Buffer.from(after, 'base64url').toString()) as { key: string }).key;
      } catch {
        throw new HttpError(400, 'BadRequest', 'continue key is not valid: invalid continue token');
      }
      start = items.findIndex((o) => key(o) > last);
      if (start < 0) start = items.length;
    }
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const page = limit > 0 ? items.slice(start, start + limit) : items.slice(start);
    const remaining = items.length - start - page.length;
    const lastItem = page[page.length - 1];
    const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
    if (remaining > 0 && lastItem) {
      metadata.continue = Buffer.from(JSON.stringify({ key: key(lastItem), rv: resourceVersion })).toString(
        'base64url',
      );
      metadata.remainingItemCount = remaining;
    }
    // List items carry no apiVersion/kind, as from the real server.
    const bare = page.map(({ apiVersion: _a, kind: _k, ...rest }) => rest as KubeObject);
    return tableOr(req, url, route.type, page, metadata, {
      kind: `${route.type.kind}List`,
      apiVersion: apiVersionOf(route.type),
      metadata,
      items: bare,
    });
  }

  private select(
    url: URL,
    route: Route,
  ): { items: KubeObject[]; resourceVersion: number; matches: (o: KubeObject) => boolean } {
    const labels = parseLabelSelector(url.searchParams.get('labelSelector'));
    const fields = parseFieldSelector(url.searchParams.get('fieldSelector'), route.type);
    if (typeof labels !== 'function') throw new HttpError(400, 'BadRequest', labels.error);
    if (typeof fields !== 'function') throw new HttpError(400, 'BadRequest', fields.error);
    const ns = route.type.namespaced ? route.namespace : undefined;
    const matches = (o: KubeObject) => (ns === undefined || o.metadata.namespace === ns) && labels(o) && fields(o);
    return {
      items: this.store.all(route.type.plural).filter(matches),
      resourceVersion: this.store.resourceVersion,
      matches,
    };
  }

  private watch(req: IncomingMessage, res: ServerResponse, url: URL, route: Route): void {
    const { items, matches } = this.select(url, route);
    const rvText = url.searchParams.get('resourceVersion');
    const table = wantsTable(req);
    let first = true;
    const write = (type: string, object: KubeObject) => {
      const body = table
        ? toTable(route.type, [object], {
            apiVersion: table,
            includeObject: includeObject(url),
            withColumns: first,
            metadata: { resourceVersion: object.metadata.resourceVersion },
          })
        : object;
      first = false;
      res.write(`${JSON.stringify({ type, object: body })}\n`);
    };
    // A MODIFIED event seen through a selector is ADDED or DELETED when the object crosses it.
    const deliver = (e: StoredEvent) => {
      if (e.plural !== route.type.plural) return;
      const now = matches(e.object);
      const before = e.previous !== undefined && e.type !== 'ADDED' && matches(e.previous);
      if (e.type === 'DELETED') {
        if (before) write('DELETED', e.object);
        return;
      }
      if (e.type === 'ADDED') {
        if (now) write('ADDED', e.object);
        return;
      }
      if (now && before) write('MODIFIED', e.object);
      else if (now) write('ADDED', e.object);
      else if (before) write('DELETED', e.object);
    };
    res.writeHead(200, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
      'cache-control': 'no-cache, private',
    });
    // resourceVersion unset or "0": start with the current state as ADDED events.
    let backlog: StoredEvent[];
    if (!rvText || rvText === '0') {
      for (const o of items) write('ADDED', o);
      backlog = [];
    } else {
      const since = this.store.eventsSince(route.type.plural, Number(rvText));
      if (since === 'expired') {
        write(
          'ERROR',
          status(
            new HttpError(410, 'Expired', `too old resource version: ${rvText} (${this.store.resourceVersion})`),
          ) as KubeObject,
        );
        res.end();
        return;
      }
      backlog = since;
    }
    for (const e of backlog) deliver(e);
    const unsubscribe = this.store.subscribe(deliver);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => end(), timeout * 1000) : undefined;
    const end = () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      this.watches.delete(end);
      res.end();
    };
    this.watches.add(end);
    req.once('close', end);
  }

  private async proxy(req: IncomingMessage, res: ServerResponse, route: Route): Promise<number> {
    const name = route.name ?? '';
    const namespace = route.namespace ?? 'default';
    if (!this.store.get('services', namespace, name))
      throw new HttpError(404, 'NotFound', `services "${name}" not found`, { name, kind: 'services' });
    const target = this.proxies.get(`${namespace}/${name}:${route.proxy?.port ?? ''}`);
    if (!target) throw new HttpError(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`);
    const url = new URL(`${route.proxy?.path ?? '/'}${new URL(req.url ?? '/', 'https://x').search}`, target);
    return new Promise<number>((resolve) => {
      const upstream = httpRequest(url, { method: req.method }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, {
          'content-type': answer.headers['content-type'] ?? 'application/octet-stream',
        });
        answer.pipe(res);
        answer.once('end', () => resolve(answer.statusCode ?? 502));
      });
      upstream.once('error', (e) => {
        json(res, 503, status(new HttpError(503, 'ServiceUnavailable', `error trying to reach service: ${e.message}`)));
        resolve(503);
      });
      req.pipe(upstream);
    });
  }
}
