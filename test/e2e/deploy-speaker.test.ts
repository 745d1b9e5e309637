import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot, runCli } from '@kube-routes/test/support';

// deploy/speaker: each region's overlay rendered by the real `kubectl kustomize`, its objects
// checked for what running a BGP collector safely needs, and the rendered output passed through
// `kubectl routes check` with that region's kube-routes.yaml.

const overlays = join(repoRoot, 'deploy/speaker/overlays');
const regions = readdirSync(overlays).sort();

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

// biome-ignore lint/suspicious/noExplicitAny: walking rendered manifests by path in assertions
type Loose = any;

test('there is an overlay per region', () => {
  assert.deepEqual(regions, ['fra1', 'nyc3', 'sgp1']);
});

for (const region of regions) {
  describe(`deploy/speaker/overlays/${region}`, () => {
    const render = runCli('kubectl', ['kustomize', join(overlays, region)]);
    const objects = parseAllDocuments(render.stdout).map((d) => d.toJS() as K8sObject);
    const byKind = (kind: string): Loose => {
      const found = objects.filter((o) => o.kind === kind);
      assert.equal(found.length, 1, `one ${kind}`);
      return found[0];
    };
    const regionConfig = readFileSync(join(overlays, region, 'kube-routes.yaml'), 'utf8');

    test('renders with kubectl kustomize', () => {
      assert.equal(render.code, 0, render.stderr);
      assert.deepEqual(objects.map((o) => o.kind).sort(), [
        'ClusterRole',
        'ConfigMap',
        'Deployment',
        'Namespace',
        'NetworkPolicy',
        'Service',
        'ServiceAccount',
      ]);
      for (const o of objects) assert.equal(o.metadata.labels?.region, region, `${o.kind} has the region label`);
    });

    test('the ConfigMap holds the region kube-routes.yaml, mounted where the speaker reads it', () => {
      const cm = byKind('ConfigMap');
      assert.equal(cm.data['kube-routes.yaml'], regionConfig);
      const pod = byKind('Deployment').spec.template.spec;
      const [speaker] = pod.containers;
      const configVolume = pod.volumes.find((v: Loose) => v.configMap?.name === cm.metadata.name);
      assert.ok(configVolume, 'the generated ConfigMap name (with its hash) is the mounted one');
      const mount = speaker.volumeMounts.find((m: Loose) => m.name === configVolume.name);
      assert.deepEqual(speaker.args, ['--config', `${mount.mountPath}/kube-routes.yaml`]);
      const passwords = pod.volumes.find((v: Loose) => v.secret);
      assert.equal(passwords.secret.secretName, 'kube-routes-speaker-bgp-passwords');
    });

    test('the speaker runs locked down: non-root, read-only root, no capabilities, probes, resources', () => {
      const deployment = byKind('Deployment');
      assert.equal(deployment.spec.replicas, 1);
      const pod = deployment.spec.template.spec;
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.equal(pod.automountServiceAccountToken, false);
      const [speaker] = pod.containers;
      assert.equal(speaker.securityContext.readOnlyRootFilesystem, true);
      assert.equal(speaker.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(speaker.securityContext.capabilities, { drop: ['ALL'] });
      // NET_BIND_SERVICE is needed only to listen on 179; the overlays listen on 1179.
      const listen = (parse(regionConfig) as Loose).speaker.listen as string;
      assert.equal(listen, '0.0.0.0:1179');
      assert.equal(speaker.ports.find((p: Loose) => p.name === 'bgp').containerPort, 1179);
      for (const probe of [speaker.livenessProbe, speaker.readinessProbe])
        assert.deepEqual(probe.httpGet, { path: '/healthz', port: 'api' });
      assert.ok(speaker.resources.requests.cpu && speaker.resources.requests.memory);
      assert.ok(speaker.resources.limits.cpu && speaker.resources.limits.memory);
      const api = (parse(regionConfig) as Loose).speaker.api as string;
      assert.equal(speaker.ports.find((p: Loose) => p.name === 'api').containerPort, Number(api.split(':')[1]));
    });

    test('the API Service, its NetworkPolicy and the ClusterRole for kubectl routes users', () => {
      const service = byKind('Service');
      assert.equal(service.spec.type, 'ClusterIP');
      assert.deepEqual(
        service.spec.ports.map((p: Loose) => [p.name, p.port]),
        [['api', 8179]],
      );
      const policy = byKind('NetworkPolicy');
      assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
      assert.ok(policy.spec.ingress.some((r: Loose) => r.ports[0].port === 'api' && r.from.length > 0));
      const role = byKind('ClusterRole');
      assert.deepEqual(role.rules[0], { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] });
      assert.deepEqual(role.rules[1].resources, ['services/proxy']);
      assert.ok(role.rules[1].resourceNames.includes(`${service.metadata.name}:8179`));
      assert.deepEqual(role.rules[1].verbs, ['get']);
    });

    test("every region names its speaker: this Service, through the region's own context", () => {
      const service = byKind('Service');
      const api = service.spec.ports.find((p: Loose) => p.name === 'api').port;
      const regionsConfig = (parse(regionConfig) as Loose).regions as Record<string, Loose>;
      assert.deepEqual(Object.keys(regionsConfig).sort(), regions);
      for (const [name, r] of Object.entries(regionsConfig)) {
        assert.equal(r.speaker, `k8s://${service.metadata.namespace}/${service.metadata.name}:${api}`, name);
        assert.equal(r.contexts[0], `${name}-prod`, name);
      }
    });

    test('the rendered output passes kubectl routes check with the region config', () => {
      const check = runCli(
        'kubectl',
        ['routes', 'check', '--config', join(overlays, region, 'kube-routes.yaml'), '-'],
        { input: render.stdout },
      );
      assert.equal(check.code, 0, check.stdout + check.stderr);
      assert.match(check.stdout, /^No problems found in 1 file \(1 Service\)\.$/m);
    });
  });
}
