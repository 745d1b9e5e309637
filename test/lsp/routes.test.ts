import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { MessageType, type CodeLens, type Diagnostic, type MarkupContent } from 'vscode-languageserver-protocol';
import {
  FakeSpeaker,
  fakeRoute,
  freePort,
  lspConfigYaml,
  positionOf,
  serviceYaml,
  startWorkspace,
  waitFor,
  type TextDiagnostic,
} from '@kube-routes/test/support';

// Live route state in the editor: the BGP rules from a speaker's API, hovers with every path,
// code lenses, and what happens when the speaker goes away and comes back.

const rules = (diagnostics: readonly Diagnostic[]) => diagnostics.map((d) => d.code);

const web = serviceYaml({
  name: 'web',
  region: 'nyc3',
  clusterIP: '172.25.0.10',
  externalIPs: ['172.30.0.10', '172.30.0.40'],
});
const api = serviceYaml({ name: 'api', region: 'nyc3', clusterIP: '172.25.0.30' });
const shop = `${web}---\n${api}`;
const cart = serviceYaml({ name: 'cart', region: 'nyc3', clusterIP: '172.25.1.20' });
const oldWeb = serviceYaml({ name: 'web-old', region: 'nyc3', clusterIP: '172.25.0.10' });

const routes = [
  fakeRoute('172.25.0.0/24', [
    {
      originAs: 64512,
      peer: '127.0.0.2',
      nextHop: '10.0.0.2',
      asPath: [65001, 64512],
      communities: ['64512:100'],
      receivedAt: new Date(Date.now() - 125_000).toISOString(),
    },
    { originAs: 64512, peer: '127.0.0.3', nextHop: '10.0.0.3', asPath: [65002, 64512] },
  ]),
  fakeRoute('172.30.0.10/32', [{ originAs: 64513, peer: '127.0.0.4', nextHop: '10.0.1.4' }]),
  fakeRoute('172.30.0.40/32', [{ originAs: 64512 }]),
];

async function startSpeaker(): Promise<FakeSpeaker> {
  const speaker = new FakeSpeaker(routes);
  await speaker.start();
  after(() => speaker.stop());
  return speaker;
}

const lensTitles = (lenses: readonly CodeLens[]) => lenses.map((l) => [l.range.start.line, l.command?.title]);

describe('language server: route state from the speaker API', () => {
  test('BGP rules, a hover with every path and every other owner, and code lenses', async () => {
    const speaker = await startSpeaker();
    const client = await startWorkspace(
      {
        'kube-routes.yaml': lspConfigYaml,
        'nyc3/shop.yaml': shop,
        'nyc3/cart.yaml': cart,
        'nyc3/old-web.yaml': oldWeb,
      },
      { settings: { speakerUrl: speaker.url } },
    );
    await client.open('nyc3/shop.yaml', shop);
    await client.open('nyc3/cart.yaml', cart);
    const d = await client.waitForDiagnostics('nyc3/shop.yaml', (x) => rules(x).includes('route-origin-mismatch'));
    assert.deepEqual(rules(d), [
      'duplicate-cluster-ip',
      'route-origin-mismatch',
      'route-single-path',
      'route-single-path',
    ]);
    const mismatch = d[1] as TextDiagnostic;
    assert.deepEqual(mismatch.range.start, positionOf(shop, '172.30.0.10'));
    assert.match(
      mismatch.message,
      /externalIPs\[0\] 172\.30\.0\.10 of region nyc3 is covered by 172\.30\.0\.10\/32, originated by AS64513 \(region sgp1\)/,
    );
    assert.equal(d[3]?.severity, 3);
    assert.deepEqual(d[3]?.range.start, positionOf(shop, '172.30.0.40'));
    const missing = await client.waitForDiagnostics('nyc3/cart.yaml', (x) => rules(x).includes('route-missing'));
    assert.match(
      missing[0]?.message ?? '',
      /clusterIP 172\.25\.1\.20 is covered by no route in speaker http:\/\/127\.0\.0\.1:\d+/,
    );

    const hover = await client.hover('nyc3/shop.yaml', positionOf(shop, '172.25.0.10'));
    const markdown = (hover!.contents as MarkupContent).value;
    assert.equal((hover!.contents as MarkupContent).kind, 'markdown');
    assert.deepEqual(hover?.range, { start: positionOf(shop, '172.25.0.10'), end: { line: 8, character: 24 } });
    assert.match(markdown, /^\*\*172\.25\.0\.10\*\* · clusterIP of Service `shop\/web`/);
    assert.match(
      markdown,
      /Region: in region \*\*nyc3\*\*'s clusterIP range `172\.25\.0\.0\/20`\. Label: the Service's `region` label says \*\*nyc3\*\*\./,
    );
    assert.match(markdown, /Route `172\.25\.0\.0\/24`, 2 paths \(speaker http:\/\/127\.0\.0\.1:\d+, as of /);
    assert.match(
      markdown,
      /\| peer \| next hop \| AS path \| origin AS \| communities \| age \|\n\|---\|---\|---\|---\|---\|---\|/,
    );
    assert.match(
      markdown,
      /\| 127\.0\.0\.2 \| 10\.0\.0\.2 \| 65001 64512 \| AS64512 \(nyc3\) \| 64512:100 \| 2m \d+s \|/,
    );
    assert.match(markdown, /\| 127\.0\.0\.3 \| 10\.0\.0\.3 \| 65002 64512 \| AS64512 \(nyc3\) \| – \| /);
    assert.match(
      markdown,
      new RegExp(
        `Also used by:\\n- Service \`shop/web-old\` \\(region nyc3\\), clusterIP: \\[nyc3/old-web\\.yaml:9\\]\\(${client.uri('nyc3/old-web.yaml').replace(/[.]/g, '\\.')}#L9\\)`,
      ),
    );

    const external = await client.hover('nyc3/shop.yaml', positionOf(shop, '172.30.0.10'));
    assert.match(
      (external!.contents as MarkupContent).value,
      /in the shared externalIP pool `172\.30\.0\.0\/24` \(any region\)/,
    );
    assert.match(
      (external!.contents as MarkupContent).value,
      /\| 127\.0\.0\.4 \| 10\.0\.1\.4 \| 64513 \| AS64513 \(sgp1\) \|/,
    );
    assert.equal(await client.hover('nyc3/shop.yaml', { line: 0, character: 2 }), null);

    assert.deepEqual(lensTitles(await client.codeLenses('nyc3/shop.yaml')), [
      [0, 'conflict: AS64513 (sgp1)'],
      [15, 'announced · 2 paths · AS64512 (nyc3)'],
    ]);
    assert.deepEqual(lensTitles(await client.codeLenses('nyc3/cart.yaml')), [[0, 'not announced']]);
  });

  test('an outage: one message, last known routes kept and marked stale, no route-missing flood; then recovery', async () => {
    const speaker = await startSpeaker();
    const client = await startWorkspace(
      { 'kube-routes.yaml': lspConfigYaml, 'nyc3/shop.yaml': shop },
      { settings: { speakerUrl: speaker.url, routeRefreshSeconds: 0.1 } },
    );
    await client.open('nyc3/shop.yaml', shop);
    await client.waitForDiagnostics('nyc3/shop.yaml', (x) => rules(x).includes('route-origin-mismatch'));

    speaker.broken = true;
    const warning = await client.waitFor('the outage message', () =>
      client.messages.find((m) => m.type === MessageType.Warning),
    );
    assert.match(
      warning.message,
      /^kube-routes: cannot reach speaker http:\/\/127\.0\.0\.1:\d+: .+; keeping the routes last received at \S+ \(marked stale\)/,
    );
    // Many refresh rounds fail (each drops a connection per address) ...
    await waitFor('several failed refresh rounds', () => (speaker.dropped >= 12 ? true : undefined), 30_000, 20);
    // ... an edit adds an address the speaker never answered for ...
    const edited = `${shop}---\n${serviceYaml({ name: 'new', region: 'nyc3', clusterIP: '172.25.3.3' })}`;
    const version = await client.change('nyc3/shop.yaml', edited);
    const during = await client.waitFor('diagnostics of the edit', () => {
      const p = client.diagnostics.get(client.uri('nyc3/shop.yaml'));
      return p?.version === version ? p.diagnostics : undefined;
    });
    // ... and still: one message, the last known BGP findings, and no route-missing for the new address.
    assert.equal(client.messages.length, 1);
    assert.deepEqual(rules(during), ['route-origin-mismatch', 'route-single-path', 'route-single-path']);
    const hover = await client.hover('nyc3/shop.yaml', positionOf(edited, '172.25.0.30'));
    assert.match(
      (hover!.contents as MarkupContent).value,
      /\(\*\*stale\*\*: speaker http:\/\/127\.0\.0\.1:\d+ unreachable since \S+ \(.+\); last answer \S+\)/,
    );
    const fresh = await client.hover('nyc3/shop.yaml', positionOf(edited, '172.25.3.3'));
    assert.match((fresh!.contents as MarkupContent).value, /Route: not known yet \(\*\*stale\*\*/);
    assert.deepEqual(
      lensTitles(await client.codeLenses('nyc3/shop.yaml')).map(([, t]) => t),
      [
        'conflict: AS64513 (sgp1) · stale',
        'announced · 2 paths · AS64512 (nyc3) · stale',
        'routes: unknown (source unreachable)',
      ],
    );

    speaker.broken = false;
    const info = await client.waitFor('the recovery message', () =>
      client.messages.find((m) => m.type === MessageType.Info),
    );
    assert.match(
      info.message,
      /^kube-routes: speaker http:\/\/127\.0\.0\.1:\d+ answers again; route state is fresh\.$/,
    );
    const after = await client.waitForDiagnostics('nyc3/shop.yaml', (x) => rules(x).includes('route-missing'));
    assert.deepEqual(
      after.filter((x) => x.code === 'route-missing').map((x) => x.range.start),
      [positionOf(edited, '172.25.3.3')],
    );
    assert.equal(client.messages.length, 2);
  });

  test('a speaker that never answered: one message, and the BGP rules wait instead of guessing', async () => {
    const port = await freePort();
    const client = await startWorkspace(
      { 'kube-routes.yaml': lspConfigYaml, 'nyc3/shop.yaml': shop },
      { settings: { speakerUrl: `http://127.0.0.1:${port}`, routeRefreshSeconds: 0.1 } },
    );
    await client.open('nyc3/shop.yaml', shop);
    const warning = await client.waitFor('the outage message', () =>
      client.messages.find((m) => m.type === MessageType.Warning),
    );
    assert.match(
      warning.message,
      /cannot reach speaker http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED; no route state yet, so the BGP rules wait\./,
    );
    const version = await client.change('nyc3/shop.yaml', `${shop}# edited\n`);
    const d = await client.waitFor('diagnostics of the edit', () => {
      const p = client.diagnostics.get(client.uri('nyc3/shop.yaml'));
      return p?.version === version ? p.diagnostics : undefined;
    });
    assert.deepEqual(rules(d), []);
    assert.equal(client.messages.length, 1);
  });

  test('the speaker named by kube-routes.yaml (speaker.api) is used once the user allows it, asked once', async () => {
    const speaker = await startSpeaker();
    const config = `${lspConfigYaml}speaker:\n  asn: 65000\n  routerId: 10.0.0.1\n  api: 127.0.0.1:${speaker.port}\n`;
    const client = await startWorkspace(
      { 'kube-routes.yaml': config, 'nyc3/cart.yaml': cart },
      { answer: 'Allow for this workspace' },
    );
    await client.open('nyc3/cart.yaml', cart);
    const d = await client.waitForDiagnostics('nyc3/cart.yaml', (x) => x.length > 0);
    assert.deepEqual(rules(d), ['route-missing']);
    assert.ok(speaker.count('/v1/lookup') >= 1);
    assert.equal(client.questions.length, 1);
    assert.match(
      client.questions[0]?.message ?? '',
      /names the speaker http:\/\/127\.0\.0\.1:\d+ \(speaker\.api\)\. Contact it\?/,
    );
  });

  for (const { name, options, message } of [
    {
      name: 'an untrusted workspace (Restricted Mode): never contacted, said once, offline findings kept',
      options: { initializationOptions: { workspaceTrusted: false } },
      message: /this workspace is not trusted/,
    },
    {
      name: 'a trusted workspace where the user said not now: not contacted',
      options: {},
      message: undefined,
    },
    {
      name: 'repositorySources "deny": not contacted, not asked',
      options: { settings: { repositorySources: 'deny' } },
      message: undefined,
    },
  ]) {
    test(`the speaker kube-routes.yaml names, ${name}`, async () => {
      const speaker = await startSpeaker();
      const config = `${lspConfigYaml}speaker:\n  asn: 65000\n  routerId: 10.0.0.1\n  api: 127.0.0.1:${speaker.port}\n`;
      const bad = serviceYaml({ name: 'bad', region: 'nyc3', clusterIP: '172.25.200.1' });
      const client = await startWorkspace({ 'kube-routes.yaml': config, 'nyc3/bad.yaml': bad }, options);
      await client.open('nyc3/bad.yaml', bad);
      const d = await client.waitForDiagnostics('nyc3/bad.yaml', (x) => x.length > 0);
      assert.ok(rules(d).length > 0, 'offline findings are still given');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(
        [...speaker.requests.values()].reduce((a, b) => a + b, 0),
        0,
        'the speaker got no request',
      );
      if (message) {
        assert.equal(client.messages.filter((m) => message.test(m.message)).length, 1);
        assert.equal(client.questions.length, 0);
      } else if (options.settings?.repositorySources === 'deny') assert.equal(client.questions.length, 0);
      else assert.equal(client.questions.length, 1);
    });
  }
});
