import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { MessageType, type Diagnostic, type MarkupContent } from 'vscode-languageserver-protocol';
import {
  FakeSpeaker,
  fakeRoute,
  positionOf,
  serviceYaml,
  startWorkspace,
  type TextDiagnostic,
} from '@kube-routes/test/support';

// regions.*.speaker in the editor: one speaker per region, each a vantage point. An anycast
// address of a Service that runs only in nyc3 is originated by sgp1 as seen from sgp1's speaker:
// route-origin-mismatch names that region. When one region's speaker goes away, one message
// names it and the other region still answers.

const rules = (diagnostics: readonly Diagnostic[]) => diagnostics.map((d) => d.code);

const web = serviceYaml({ name: 'web', region: 'nyc3', clusterIP: '172.25.0.10', externalIPs: ['172.30.0.10'] });

async function startSpeaker(routes: ConstructorParameters<typeof FakeSpeaker>[0]): Promise<FakeSpeaker> {
  const speaker = new FakeSpeaker(routes);
  await speaker.start();
  after(() => speaker.stop());
  return speaker;
}

describe('language server: one speaker per region', () => {
  test('route-origin-mismatch judged per region; a region whose speaker is down is one message', async () => {
    const nyc3 = await startSpeaker([
      fakeRoute('172.25.0.0/24', [{ originAs: 64512, peer: '127.0.0.2' }]),
      fakeRoute('172.30.0.10/32', [{ originAs: 64512, peer: '127.0.0.2' }]),
    ]);
    const sgp1 = await startSpeaker([fakeRoute('172.30.0.10/32', [{ originAs: 64513, peer: '127.0.0.3' }])]);
    const config = `externalIPPools: [172.30.0.0/24]
regions:
  nyc3: {asns: [64512], clusterIPRanges: [172.25.0.0/20], speaker: "${nyc3.url}"}
  sgp1: {asns: [64513], clusterIPRanges: [172.25.144.0/20], speaker: "${sgp1.url}"}
`;
    const client = await startWorkspace(
      { 'kube-routes.yaml': config, 'nyc3/web.yaml': web },
      { settings: { repositorySources: 'allow', routeRefreshSeconds: 0.1 } },
    );
    await client.open('nyc3/web.yaml', web);
    const d = await client.waitForDiagnostics('nyc3/web.yaml', (x) => rules(x).includes('route-origin-mismatch'));
    const mismatch = d.find((x) => x.code === 'route-origin-mismatch') as TextDiagnostic;
    assert.deepEqual(mismatch.range.start, positionOf(web, '172.30.0.10'));
    assert.match(
      mismatch.message,
      /^externalIPs\[0\] 172\.30\.0\.10 of region nyc3 is seen from region sgp1, covered by 172\.30\.0\.10\/32, originated by AS64513 \(region sgp1\)/,
    );
    assert.doesNotMatch(mismatch.message, /seen from region nyc3/);
    // The cluster IP is announced in nyc3 only: not missing, as some region sees it.
    assert.ok(!rules(d).includes('route-missing'), JSON.stringify(rules(d)));

    const hover = await client.hover('nyc3/web.yaml', positionOf(web, '172.30.0.10'));
    assert.ok(hover, 'a hover on the anycast address');
    const markdown = (hover.contents as MarkupContent).value;
    assert.match(markdown, /\| seen from \| peer \| next hop \|/);
    assert.match(markdown, /\| nyc3 \| 127\.0\.0\.2 \| .* \| AS64512 \(nyc3\) \|/);
    assert.match(markdown, /\| sgp1 \| 127\.0\.0\.3 \| .* \| AS64513 \(sgp1\) \|/);

    sgp1.broken = true;
    const warning = await client.waitFor('the outage message', () =>
      client.messages.find((m) => m.type === MessageType.Warning),
    );
    assert.match(
      warning.message,
      /^kube-routes: region sgp1: cannot reach speaker http:\/\/127\.0\.0\.1:\d+: .+; the other regions' speakers still answer/,
    );
    sgp1.broken = false;
    const info = await client.waitFor('the recovery message', () =>
      client.messages.find((m) => m.type === MessageType.Info),
    );
    assert.equal(info.message, 'kube-routes: the speaker of region sgp1 answers again.');
    assert.equal(client.messages.length, 2, JSON.stringify(client.messages));
  });
});
