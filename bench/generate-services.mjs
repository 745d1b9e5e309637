// Generates the check benchmark corpus: 10,000 Services in 1,000 files across 3 regions, with a
// few planted conflicts, plus its kube-routes.yaml. Deterministic: the same tree every run.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const regions = [
  { name: 'nyc3', asn: 64512, base: [172, 25, 0], v6: 'fd00:25::' },
  { name: 'sgp1', asn: 64513, base: [172, 25, 144], v6: 'fd00:144::' },
  { name: 'fra1', asn: 64514, base: [172, 25, 32], v6: 'fd00:32::' },
];

const config = `regionLabels: [region, topology.kubernetes.io/region]
externalIPPools: [172.30.0.0/16]
regions:
${regions
  .map(
    (r) => `  ${r.name}:
    asns: [${r.asn}]
    clusterIPRanges: [${r.base.join('.')}.0/20, ${r.v6}/108]
    contexts: [${r.name}-prod]`,
  )
  .join('\n')}
`;

function service(i, file, n) {
  const region = regions[file % regions.length];
  let clusterIP = `${region.base[0]}.${region.base[1]}.${region.base[2] + (n >> 8)}.${n & 255}`;
  let regionName = region.name;
  let external = `172.30.${(i >> 8) & 255}.${i & 255}`;
  // Planted: every 2,000th Service reuses another's cluster IP, every 2,500th another's
  // external IP, and every 3,333rd names a region that does not exist.
  if (i > 0 && i % 2000 === 0) clusterIP = `${regions[0].base.join('.')}.1`;
  if (i > 0 && i % 2500 === 0) external = '172.30.0.1';
  if (i > 0 && i % 3333 === 0) regionName = 'nyc';
  const dual = i % 10 === 0;
  return `apiVersion: v1
kind: Service
metadata:
  name: svc-${i}
  namespace: team-${i % 37}
  labels:
    app.kubernetes.io/name: svc-${i}
    app.kubernetes.io/part-of: shop
    region: ${regionName}
  annotations:
    owner: team-${i % 37}@example.com
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: svc-${i}
${
  dual
    ? `  ipFamilyPolicy: PreferDualStack
  ipFamilies: [IPv4, IPv6]
  clusterIPs: [${clusterIP}, ${region.v6}${n.toString(16)}]
`
    : ''
}  clusterIP: ${clusterIP}
  externalIPs:
    - ${external}
  ports:
    - name: http
      port: 80
      targetPort: 8080
      protocol: TCP
`;
}

export function generate(dir, files = 1000, perFile = 10) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kube-routes.yaml'), config);
  let i = 0;
  const perRegion = regions.map(() => 0);
  for (let f = 0; f < files; f++) {
    const sub = join(dir, regions[f % regions.length].name);
    mkdirSync(sub, { recursive: true });
    const docs = [];
    for (let k = 0; k < perFile; k++) docs.push(service(i++, f, ++perRegion[f % regions.length]));
    writeFileSync(join(sub, `services-${String(f).padStart(4, '0')}.yaml`), docs.join('---\n'));
  }
  return i;
}
