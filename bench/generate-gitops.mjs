// Generates a GitOps-shaped repository for the benchmarks, seeded so every run writes the same tree:
// 9 clusters (3 per region) x 450 apps, each app a Deployment, a ConfigMap, an HPA and one or two
// Services (a third of the apps have a second, metrics Service), plus a few large
// CustomResourceDefinition files per cluster, as Flux and Argo CD repositories keep them:
//   clusters/<cluster>/kustomization.yaml
//   clusters/<cluster>/crds/<name>.yaml
//   clusters/<cluster>/apps/<app>/{deployment,configmap,hpa,service}.yaml   (two of three apps)
//   clusters/<cluster>/apps/<app>/manifests.yaml                            (the third: one file)
// About 17,500 documents, 5,400 Services, 13 MiB. Regions come from `regions.*.paths`, not labels
// (a fifth of the Services also carry a region label). Planted: a few cluster IPs reused across
// clusters of one region, a few external IPs claimed by two apps, and a few wrong region labels.
//   node bench/generate-gitops.mjs DIR [--seed N]   (or import { generateGitops })
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './lib/random.mjs';

export const gitopsRegions = [
  { name: 'nyc3', asn: 64512, second: 16, anycast: '172.30.0' },
  { name: 'sgp1', asn: 64513, second: 17, anycast: '172.30.0' },
  { name: 'fra1', asn: 64514, second: 18, anycast: '172.30.0' },
];
const clustersPerRegion = 3;
const appsPerCluster = 450;

const config = `# kube-routes.yaml of the generated GitOps tree: a region per folder of clusters.
regionLabels: [region]
externalIPPools: [172.30.0.0/16]
regions:
${gitopsRegions
  .map(
    (r) => `  ${r.name}:
    asns: [${r.asn}]
    clusterIPRanges: [10.${r.second}.0.0/16]
    paths: ['clusters/${r.name}-*/**']
    contexts: [${[1, 2, 3].map((c) => `${r.name}-${c}`).join(', ')}]`,
  )
  .join('\n')}
`;

const words = ['cart', 'checkout', 'search', 'ledger', 'billing', 'auth', 'catalog', 'inventory', 'mailer', 'render'];
const teams = ['payments', 'growth', 'platform', 'storefront', 'data', 'identity', 'ops'];

function deployment(app, ns, rnd) {
  const replicas = 2 + Math.floor(rnd() * 4);
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${ns}
  labels:
    app.kubernetes.io/name: ${app}
    app.kubernetes.io/part-of: ${ns}
    app.kubernetes.io/managed-by: flux
spec:
  replicas: ${replicas}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: ${app}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${app}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9090"
    spec:
      serviceAccountName: ${app}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        fsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: ${app}
          image: registry.example.com/${ns}/${app}:v1.${Math.floor(rnd() * 40)}.${Math.floor(rnd() * 10)}
          imagePullPolicy: IfNotPresent
          args: ["--listen=:8080", "--metrics=:9090", "--config=/etc/${app}/config.yaml"]
          ports:
            - name: http
              containerPort: 8080
            - name: metrics
              containerPort: 9090
          env:
            - name: LOG_LEVEL
              value: info
            - name: GOMAXPROCS
              valueFrom:
                resourceFieldRef:
                  resource: limits.cpu
          envFrom:
            - configMapRef:
                name: ${app}-env
          resources:
            requests:
              cpu: ${50 + Math.floor(rnd() * 200)}m
              memory: ${64 + Math.floor(rnd() * 192)}Mi
            limits:
              memory: 512Mi
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 10
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
          volumeMounts:
            - name: config
              mountPath: /etc/${app}
      volumes:
        - name: config
          configMap:
            name: ${app}-env
`;
}

function configMap(app, ns, rnd) {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app}-env
  namespace: ${ns}
data:
  FEATURE_FLAGS: "${words.filter(() => rnd() < 0.3).join(',')}"
  UPSTREAM_TIMEOUT: "${1 + Math.floor(rnd() * 30)}s"
  config.yaml: |
    server:
      port: 8080
      gracefulShutdown: 20s
    upstreams:
      - name: ${words[Math.floor(rnd() * words.length)]}
        url: http://${words[Math.floor(rnd() * words.length)]}.${ns}.svc.cluster.local
    # kind: Service in a ConfigMap's text is text, not a Service
`;
}

function hpa(app, ns, rnd) {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${app}
  namespace: ${ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${app}
  minReplicas: 2
  maxReplicas: ${4 + Math.floor(rnd() * 20)}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: ${50 + Math.floor(rnd() * 30)}
`;
}

function service({ name, app, ns, clusterIP, externalIP, regionLabel, port }) {
  const labels = regionLabel ? `\n    region: ${regionLabel}` : '';
  const externals = externalIP ? `\n  externalIPs:\n    - ${externalIP}` : '';
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
  labels:
    app.kubernetes.io/name: ${app}${labels}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: ${app}
  clusterIP: ${clusterIP}${externals}
  ports:
    - name: ${port === 80 ? 'http' : 'metrics'}
      port: ${port}
      targetPort: ${port === 80 ? 'http' : 'metrics'}
      protocol: TCP
`;
}

function crd(group, kind, rnd) {
  // A CRD's openAPI schema is most of its bytes: deep, wide and never a Service.
  const props = [];
  for (let i = 0; i < 60; i++)
    props.push(`                  field${i}:
                    description: ${words[Math.floor(rnd() * words.length)]} setting ${i} of the ${kind} controller; see the operator's documentation.
                    type: ${['string', 'integer', 'boolean'][i % 3]}`);
  const plural = `${kind.toLowerCase()}s`;
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.${group}
spec:
  group: ${group}
  names:
    kind: ${kind}
    listKind: ${kind}List
    plural: ${plural}
    singular: ${kind.toLowerCase()}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                settings:
                  type: object
                  properties:
${props.join('\n')}
`;
}

/** Writes the tree under dir (replacing it); returns its counts. */
export function generateGitops(dir, seed = 1) {
  const rnd = mulberry32(seed);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kube-routes.yaml'), config);
  let documents = 0;
  let services = 0;
  let bytes = 0;
  const write = (path, docs) => {
    const text = docs.join('---\n');
    writeFileSync(path, text);
    documents += docs.length;
    bytes += Buffer.byteLength(text);
  };
  let external = 0;
  for (const region of gitopsRegions) {
    for (let c = 1; c <= clustersPerRegion; c++) {
      const cluster = `${region.name}-${c}`;
      const base = join(dir, 'clusters', cluster);
      mkdirSync(join(base, 'crds'), { recursive: true });
      for (const [group, kind] of [
        ['monitoring.coreos.com', 'ServiceMonitor'],
        ['cert-manager.io', 'Certificate'],
        ['metallb.io', 'BGPPeer'],
        ['kustomize.toolkit.fluxcd.io', 'Kustomization'],
      ])
        write(join(base, 'crds', `${kind.toLowerCase()}.yaml`), [crd(group, kind, rnd)]);
      const apps = [];
      for (let a = 0; a < appsPerCluster; a++) {
        const ns = teams[a % teams.length];
        const app = `${words[a % words.length]}-${a}`;
        // Each cluster owns a /18 of its region's /16: 16,384 addresses for 600 Services.
        const ip = (k, of = c) => `10.${region.second}.${(of - 1) * 64 + (k >> 8)}.${k & 255}`;
        // Planted: every 150th app of the second cluster reuses another app's address of the first.
        const clusterIP = c === 2 && a % 150 === 7 ? ip(2 * a + 12, 1) : ip(2 * a + 10);
        const labelled = rnd() < 0.2;
        // Planted: a wrong region label on every 400th app of the last cluster.
        const regionLabel = labelled ? (c === 3 && a % 400 === 11 ? 'nyc' : region.name) : undefined;
        // A fifth of the apps are reached from outside: anycast across the three regions for the
        // same app of the first cluster of each region, unique otherwise.
        let externalIP;
        if (a % 5 === 0)
          externalIP = c === 1 ? `172.30.0.${a / 5}` : `172.30.${c * 16 + (external >> 8)}.${external++ & 255}`;
        // Planted: two apps of one cluster claim one external address.
        if (region.name === 'nyc3' && c === 3 && a % 225 === 5) externalIP = `172.30.${c * 16}.0`;
        const svcs = [service({ name: app, app, ns, clusterIP, externalIP, regionLabel, port: 80 })];
        if (a % 3 === 0) svcs.push(service({ name: `${app}-metrics`, app, ns, clusterIP: ip(2 * a + 11), port: 9090 }));
        services += svcs.length;
        const folder = join(base, 'apps', app);
        mkdirSync(folder, { recursive: true });
        const docs = [deployment(app, ns, rnd), configMap(app, ns, rnd), hpa(app, ns, rnd)];
        if (a % 3 === 2) {
          write(join(folder, 'manifests.yaml'), [...docs, ...svcs]);
          apps.push(`apps/${app}/manifests.yaml`);
        } else {
          for (const f of ['deployment', 'configmap', 'hpa', 'service']) apps.push(`apps/${app}/${f}.yaml`);
          write(join(folder, 'deployment.yaml'), [docs[0]]);
          write(join(folder, 'configmap.yaml'), [docs[1]]);
          write(join(folder, 'hpa.yaml'), [docs[2]]);
          write(join(folder, 'service.yaml'), svcs);
        }
      }
      write(join(base, 'kustomization.yaml'), [
        `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${apps.map((p) => `  - ${p}`).join('\n')}\n`,
      ]);
    }
  }
  return { documents, services, bytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node bench/generate-gitops.mjs DIR [--seed N]');
    process.exit(2);
  }
  const i = process.argv.indexOf('--seed');
  const counts = generateGitops(dir, i > 0 ? Number(process.argv[i + 1]) : 1);
  console.log(
    `${counts.documents} documents, ${counts.services} Services, ${(counts.bytes / 1024 / 1024).toFixed(1)} MiB in ${dir}`,
  );
}
