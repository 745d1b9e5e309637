import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser, decodeWatchEvent, type SseMessage, type WatchEvent } from '../../src/speaker-api';

// /v1/watch as the speaker writes it (speaker/watch.ts), parsed into typed events.

const stream = [
  'retry: 2000\n\n',
  'event: hello\ndata: {"seq":41}\n\n',
  ': keepalive\n\n',
  'id: 42\nevent: route\ndata: {"seq":42,"action":"added","prefix":"10.8.1.0/24","peer":"127.0.8.2","pathId":0}\n\n',
  'id: 43\nevent: routes\ndata: {"seq":43,"action":"marked-stale","peer":"127.0.8.2","paths":3,"family":"ipv4-unicast"}\n\n',
  'id: 44\nevent: peer\ndata: {"seq":44,"address":"127.0.8.2","asn":65082,"source":"bgp","state":"Established","uptimeSeconds":0,"received":{},"capabilities":[]}\n\n',
  'event: resync\ndata: {"seq":44,"reason":"fell behind the buffer"}\n\n',
].join('');

const expected: readonly WatchEvent[] = [
  { type: 'hello', seq: 41 },
  { type: 'route', seq: 42, action: 'added', prefix: '10.8.1.0/24', peer: '127.0.8.2', pathId: 0 },
  { type: 'routes', seq: 43, action: 'marked-stale', peer: '127.0.8.2', paths: 3, family: 'ipv4-unicast' },
  {
    type: 'peer',
    seq: 44,
    peer: {
      address: '127.0.8.2',
      asn: 65082,
      source: 'bgp',
      state: 'Established',
      uptimeSeconds: 0,
      received: {},
      capabilities: [],
    } as unknown as Extract<WatchEvent, { type: 'peer' }>['peer'],
  },
  { type: 'resync', seq: 44, reason: 'fell behind the buffer' },
];

function parseAll(chunks: readonly string[]): SseMessage[] {
  const parser = new SseParser();
  return chunks.flatMap((c) => parser.push(c));
}

test('the documented stream decodes to typed events', () => {
  const events = parseAll([stream]).map(decodeWatchEvent);
  assert.deepEqual(events, expected);
});

test('split at every character boundary, the messages are the same', () => {
  const whole = parseAll([stream]);
  for (let i = 1; i < stream.length; i++)
    assert.deepEqual(parseAll([stream.slice(0, i), stream.slice(i)]), whole, `split at ${i}`);
});

test('CRLF line ends, and ids are kept', () => {
  const messages = parseAll([stream.replace(/\n/g, '\r\n')]);
  assert.deepEqual(
    messages.map((m) => m.id),
    [undefined, '42', '43', '44', undefined],
  );
  assert.deepEqual(messages.map(decodeWatchEvent), expected);
});

test('unknown events, bad JSON and missing fields decode to nothing, never a throw', () => {
  const bad: SseMessage[] = [
    { id: '1', event: 'future-kind', data: '{"seq":1}' },
    { id: '2', event: 'route', data: '{not json' },
    { id: '3', event: 'route', data: '{"seq":3,"action":"exploded","prefix":"10.0.0.0/8","peer":"x"}' },
    { id: '4', event: 'peer', data: '{"seq":4}' },
    { id: '5', event: 'hello', data: '[]' },
  ];
  for (const m of bad) assert.equal(decodeWatchEvent(m), undefined, m.data);
});
