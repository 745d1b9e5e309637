import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Route } from '../../src/engine';
import { MrtTransport, SpeakerClient, SpeakerError, loadMrtTable, type MrtTable } from '../../src/speaker-client';

// The MRT transport answers the speaker's API from examples/fabric.mrt (recorded from real BIRD
// routers) in process: the client must see what the loaded table itself says.

const fabric = resolve(__dirname, '../../../../examples/fabric.mrt');

/** As the API sends it: JSON leaves out undefined fields (med, localPref). */
const wire = <T>(value: T): T | undefined =>
  value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as T);

/** An address inside a prefix: its first, for IPv4 and IPv6. */
const firstAddress = (prefix: string) => prefix.split('/')[0] ?? '';

describe('SpeakerClient over an MRT file', () => {
  let loaded: MrtTable;
  let client: SpeakerClient;
  let routes: Route[];
  before(async () => {
    const load = await loadMrtTable(fabric, 'fabric');
    assert.ok(load.ok, 'examples/fabric.mrt loads');
    loaded = load;
    client = new SpeakerClient(new MrtTransport(fabric));
    routes = [
      ...(await client.routesWithin('0.0.0.0/0', 100_000)).routes,
      ...(await client.routesWithin('::/0', 100_000)).routes,
    ];
  });

  test('every route of the table, through the API, as the table has it', () => {
    assert.ok(routes.length > 0);
    assert.equal(routes.length, loaded.prefixes);
    for (const r of routes) assert.deepEqual(r, wire(loaded.table.exact(r.prefix)?.[0]), r.prefix);
  });

  test('exact and longest match agree with the table, per route', async () => {
    for (const r of routes) {
      assert.deepEqual(await client.routesExact(r.prefix), [r], r.prefix);
      const ip = firstAddress(r.prefix);
      assert.deepEqual(await client.lookup(ip), wire(loaded.table.lookupText(ip)?.route), ip);
    }
  });

  test('lookupAll, and an address nothing covers', async () => {
    const ips = routes.map((r) => firstAddress(r.prefix));
    const all = await client.lookupAll([...ips, '203.0.113.250']);
    for (const ip of ips) assert.deepEqual(all.get(ip), wire(loaded.table.lookupText(ip)?.route));
    assert.ok(all.has('203.0.113.250'));
    assert.equal(all.get('203.0.113.250'), undefined);
  });

  test('truncation as the speaker does it', async () => {
    const v4 = routes.filter((r) => !r.prefix.includes(':'));
    const { routes: first, truncated } = await client.routesWithin('0.0.0.0/0', 1);
    assert.equal(first.length, 1);
    assert.equal(truncated, v4.length > 1);
  });

  test('a recorded table: no sessions, its prefix count, nothing to watch', async () => {
    assert.equal(await client.peers(), undefined);
    assert.deepEqual(await client.summary(), { peers: undefined, prefixes: loaded.prefixes });
    assert.equal(client.watch({ event: () => undefined }), undefined);
    assert.equal(client.name, 'MRT file fabric.mrt');
  });

  test("a bad query is the API's 400, as one line", async () => {
    await assert.rejects(client.routesWithin('10.0.0.1/8', 10), (e: Error) => {
      assert.ok(e instanceof SpeakerError);
      assert.equal(
        e.message,
        'MRT file fabric.mrt answered 400 for /v1/routes: "10.0.0.1/8" is not a prefix like 10.0.0.0/8',
      );
      return true;
    });
    await assert.rejects(
      client.lookup('not-an-ip'),
      /answered 400 for \/v1\/lookup: "not-an-ip" is not an IP address$/,
    );
  });
});

describe('MrtTransport and the file on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-routes-mrt-transport-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('within recheckMs, the file is not looked at again', async () => {
    const path = join(dir, 'cached.mrt');
    copyFileSync(fabric, path);
    const client = new SpeakerClient(new MrtTransport(path, { recheckMs: 60_000 }));
    const before = await client.summary();
    rmSync(path);
    assert.deepEqual(await client.summary(), before);
  });

  test('a missing file is one line', async () => {
    const client = new SpeakerClient(new MrtTransport(join(dir, 'nope.mrt')));
    await assert.rejects(client.lookup('10.0.0.1'), { message: 'cannot read MRT file nope.mrt: no such file' });
    assert.deepEqual(await loadMrtTable(join(dir, 'nope.mrt'), 'x'), {
      ok: false,
      problem: 'missing',
      detail: 'no such file',
    });
  });

  test('a changed file is read again', async () => {
    const path = join(dir, 'table.mrt');
    copyFileSync(fabric, path);
    const client = new SpeakerClient(new MrtTransport(path, { recheckMs: 0 }));
    assert.ok((await client.summary()).prefixes > 0);
    writeFileSync(path, '');
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    await assert.rejects(client.summary(), /^SpeakerError: cannot read MRT file table\.mrt: .*holds no MRT records$/);
  });
});
