import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import {
  FakeSpeaker,
  fakeRoute,
  lspConfigYaml,
  positionOf,
  serviceYaml,
  startWorkspace,
  type LspClient,
} from '@kube-routes/test/support';

// Code actions, applied: the edit goes back to the server as a change, and the diagnostic the
// action was for must be gone from the new version's diagnostics.

const rules = (diagnostics: readonly Diagnostic[]) => diagnostics.map((d) => d.code);

async function actionsFor(
  client: LspClient,
  file: string,
  rule: string,
): Promise<{ diagnostic: Diagnostic; actions: CodeAction[] }> {
  const diagnostics = await client.waitForDiagnostics(file, (d) => rules(d).includes(rule), rule);
  const diagnostic = diagnostics.find((d) => d.code === rule) as Diagnostic;
  return { diagnostic, actions: await client.codeActions(file, diagnostic.range, [diagnostic]) };
}

async function apply(client: LspClient, file: string, action: CodeAction | undefined): Promise<string> {
  assert.ok(action, 'the action is offered');
  const edits = action.edit?.changes?.[client.uri(file)];
  assert.ok(edits && edits.length > 0, 'the action edits the document');
  return client.applyEdits(file, edits);
}

describe('language server: code actions', () => {
  test('assign a free cluster IP: unused in the workspace and in the route table', async () => {
    const speaker = new FakeSpeaker([
      fakeRoute('172.25.0.4/31', [{ originAs: 64512 }]), // takes .4 and .5
      fakeRoute('172.25.0.0/20', [{ originAs: 64512 }]), // the region's aggregate takes nothing
    ]);
    await speaker.start();
    after(() => speaker.stop());
    const cart = serviceYaml({ name: 'cart', region: 'nyc3', clusterIP: '"172.25.0.20"' });
    const ledger = serviceYaml({ name: 'ledger', namespace: 'payments', region: 'nyc3', clusterIP: '172.25.0.20' });
    const others = [
      serviceYaml({ name: 'a', region: 'nyc3', clusterIP: '172.25.0.2' }),
      serviceYaml({ name: 'b', region: 'nyc3', clusterIP: '172.25.0.3' }),
      serviceYaml({ name: 'c', region: 'nyc3', clusterIP: '172.25.0.6' }),
    ].join('---\n');
    const client = await startWorkspace(
      {
        'kube-routes.yaml': lspConfigYaml,
        'nyc3/cart.yaml': cart,
        'nyc3/payments.yaml': ledger,
        'nyc3/others.yaml': others,
      },
      { settings: { speakerUrl: speaker.url } },
    );
    await client.open('nyc3/cart.yaml', cart);
    await client.open('nyc3/payments.yaml', ledger);
    const { diagnostic, actions } = await actionsFor(client, 'nyc3/cart.yaml', 'duplicate-cluster-ip');
    const titles = actions.map((a) => a.title);
    assert.deepEqual(titles, [
      'Assign a free cluster IP in nyc3: 172.25.0.7',
      'Disable duplicate-cluster-ip for this line',
    ]);
    assert.equal(actions[0]?.kind, 'quickfix');
    assert.equal(actions[0]?.isPreferred, true);
    assert.deepEqual(actions[0]?.diagnostics, [diagnostic]);
    assert.ok(speaker.count('/v1/routes') >= 1, 'the route table was asked which addresses are taken');

    const text = await apply(client, 'nyc3/cart.yaml', actions[0]);
    assert.match(text, /^ {2}clusterIP: "172\.25\.0\.7"$/m, 'the quotes are kept');
    await client.waitForDiagnostics('nyc3/cart.yaml', (d) => !rules(d).includes('duplicate-cluster-ip'));
    await client.waitForDiagnostics(
      'nyc3/payments.yaml',
      (d) => !rules(d).includes('duplicate-cluster-ip'),
      'the other side clears too',
    );
  });

  test('a cluster IP under the cursor can be moved without a diagnostic (refactoring)', async () => {
    const web = serviceYaml({ name: 'web', region: 'sgp1', clusterIP: '172.25.144.10' });
    const client = await startWorkspace({ 'kube-routes.yaml': lspConfigYaml, 'sgp1/web.yaml': web });
    await client.open('sgp1/web.yaml', web);
    assert.deepEqual(await client.waitForDiagnostics('sgp1/web.yaml', () => true), []);
    // Free addresses are offered once the whole workspace is known (the first publish may come before).
    await client.waitFor('the index log line', () =>
      client.logs.find((l) => l.message.includes('kube-routes: indexed')),
    );
    const at = positionOf(web, '172.25.144.10');
    const actions = await client.codeActions('sgp1/web.yaml', { start: at, end: at }, []);
    assert.deepEqual(
      actions.map((a) => [a.title, a.kind]),
      [['Assign a free cluster IP in sgp1: 172.25.144.2', 'refactor.rewrite']],
    );
  });

  test('add the region label inferred from the cluster IP: new labels, block labels, flow labels', async () => {
    const noLabels = serviceYaml({ name: 'web', clusterIP: '172.25.144.10' });
    // Three different Services (name and address), so they do not collide with each other.
    const blockLabels = serviceYaml({ name: 'api', clusterIP: '172.25.144.11' }).replace(
      '  namespace: shop\n',
      '  namespace: shop\n  labels:\n    app: web\n',
    );
    const flowLabels = serviceYaml({ name: 'cart', clusterIP: '172.25.144.12' }).replace(
      '  namespace: shop\n',
      '  namespace: shop\n  labels: {app: web}\n',
    );
    const client = await startWorkspace({
      'kube-routes.yaml': lspConfigYaml,
      'a.yaml': noLabels,
      'b.yaml': blockLabels,
      'c.yaml': flowLabels,
    });
    const expected = {
      'a.yaml': noLabels.replace('metadata:\n', 'metadata:\n  labels:\n    region: sgp1\n'),
      'b.yaml': blockLabels.replace('  labels:\n', '  labels:\n    region: sgp1\n'),
      'c.yaml': flowLabels.replace('{app: web}', '{region: sgp1, app: web}'),
    };
    for (const [file, text] of Object.entries({ 'a.yaml': noLabels, 'b.yaml': blockLabels, 'c.yaml': flowLabels })) {
      await client.open(file, text);
      const { actions } = await actionsFor(client, file, 'missing-region-label');
      const add = actions.find((a) => a.title === 'Add label region: sgp1');
      assert.equal(await apply(client, file, add), expected[file as keyof typeof expected], file);
      assert.deepEqual(await client.waitForDiagnostics(file, () => true), [], `${file} has no finding left`);
    }
  });

  test('set the region label to the region of the cluster IP', async () => {
    const wrong = serviceYaml({ name: 'web', region: 'sgp', clusterIP: '172.25.144.10' });
    const client = await startWorkspace({ 'kube-routes.yaml': lspConfigYaml, 'web.yaml': wrong });
    await client.open('web.yaml', wrong);
    const { actions } = await actionsFor(client, 'web.yaml', 'unknown-region');
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Set label region: sgp1', 'Disable unknown-region for this line'],
    );
    await apply(client, 'web.yaml', actions[0]);
    assert.deepEqual(await client.waitForDiagnostics('web.yaml', () => true), []);
  });

  test('disable a rule for one line: the comment is indented like the line, and extends an existing one', async () => {
    const web = serviceYaml({ name: 'web', region: 'nyc3', clusterIP: '172.25.0.10', externalIPs: ['198.51.100.7'] });
    const client = await startWorkspace({
      'kube-routes.yaml': lspConfigYaml.replace(
        'externalIPPools: [172.30.0.0/24]\n',
        'externalIPPools: [172.30.0.0/24]\nrules: {external-ip-outside-pools: error}\n',
      ),
      'web.yaml': web,
    });
    await client.open('web.yaml', web);
    const { actions } = await actionsFor(client, 'web.yaml', 'external-ip-outside-pools');
    const text = await apply(
      client,
      'web.yaml',
      actions.find((a) => a.title === 'Disable external-ip-outside-pools for this line'),
    );
    assert.match(
      text,
      /\n {2}externalIPs:\n {4}# kube-routes-disable-next-line external-ip-outside-pools\n {4}- 198\.51\.100\.7\n/,
    );
    assert.deepEqual(await client.waitForDiagnostics('web.yaml', () => true), []);

    // A second rule on the same line joins the existing comment.
    const duplicate =
      text.replace('spec:\n', 'spec:\n  type: ClusterIP\n') +
      '---\n' +
      serviceYaml({ name: 'other', region: 'nyc3', externalIPs: ['198.51.100.7'] }).replace(
        '    - 198.51.100.7',
        '    # kube-routes-disable-next-line external-ip-outside-pools\n    - 198.51.100.7',
      );
    await client.change('web.yaml', duplicate);
    const { actions: more } = await actionsFor(client, 'web.yaml', 'external-ip-conflict');
    const joined = await apply(
      client,
      'web.yaml',
      more.find((a) => a.title === 'Disable external-ip-conflict for this line'),
    );
    assert.match(
      joined,
      /# kube-routes-disable-next-line external-ip-outside-pools,external-ip-conflict\n {4}- 198\.51\.100\.7/,
    );
    assert.deepEqual(rules(await client.waitForDiagnostics('web.yaml', () => true)), ['external-ip-conflict']);
  });
});
